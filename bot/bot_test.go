package bot

import (
	"context"
	"strings"
	"testing"

	"tandem/chat"
	"tandem/retrieval"
)

func TestWantsHuman(t *testing.T) {
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"人工", true}, {"转人工", true}, {"我要找人工客服", true}, {"可以接真人吗", true},
		{"human", true}, {"Agent please", true}, {"I want to talk to a person", true}, {"representative!", true},
		{"How do I file a claim?", false}, {"What is on the agenda?", false}, {"humane treatment", false},
		{"如何报案？", false}, {"reagent", false},
	} {
		if got := WantsHuman(tt.text); got != tt.want {
			t.Errorf("WantsHuman(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

var docs = []chat.Document{
	{ID: "en-claims", Title: "How do I file a claim?", Lang: "en", URL: "/kb/en-claims",
		Body: "You can file a claim in the app, on the website or by phone. Have your policy number ready.\n\n## Photos\n\nTake photos of the damage. We send a claim number within one business day."},
	{ID: "en-pay", Title: "Which payment methods can I use?", Lang: "en", URL: "/kb/en-pay",
		Body: "We accept cards, bank transfer and Alipay. Payments are due monthly."},
	{ID: "zh-claims", Title: "如何报案？", Lang: "zh", URL: "/kb/zh-claims",
		Body: "您可以通过App、官网或拨打客服电话报案。请准备好保单号。我们会在一个工作日内给您理赔编号。"},
}

func TestTurn(t *testing.T) {
	s, err := retrieval.NewMemory(context.Background(), docs, retrieval.NewLocal(0))
	if err != nil {
		t.Fatal(err)
	}
	b := &Bot{Knowledge: s}
	for _, tt := range []struct {
		text, decision, reason, source string
	}{
		{"How do I file a claim?", "answer", "", "en-claims"},
		{"如何报案？", "answer", "", "zh-claims"},
		{"payment methods", "answer", "", "en-pay"},
		{"转人工", "handoff", "customer_request", ""},
		{"quantum chromodynamics lecture", "handoff", "out_of_scope", ""},
	} {
		r, err := b.Turn(context.Background(), chat.Conversation{}, nil, tt.text, nil)
		if err != nil {
			t.Fatal(err)
		}
		if string(r.Decision) != tt.decision || r.Reason != tt.reason {
			t.Errorf("%q: decision %s/%s, want %s/%s (conf %.2f)", tt.text, r.Decision, r.Reason, tt.decision, tt.reason, r.Confidence)
		}
		if tt.source != "" && (len(r.Sources) == 0 || r.Sources[0].ID != tt.source) {
			t.Errorf("%q: sources %+v, want %s", tt.text, r.Sources, tt.source)
		}
		if r.Confidence < 0 || r.Confidence > 1 {
			t.Errorf("%q: confidence %v out of [0,1]", tt.text, r.Confidence)
		}
	}
}

func TestExtractKeepsLeadAndMatchingSentences(t *testing.T) {
	got := Extract(docs[0].Body, "photos of damage")
	if !strings.HasPrefix(got, "You can file a claim") || !strings.Contains(got, "Take photos of the damage.") || strings.Contains(got, "##") {
		t.Fatalf("Extract = %q", got)
	}
}
