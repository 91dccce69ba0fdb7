package bot

import (
	"context"
	"slices"
	"testing"

	"tandem/chat"
	"tandem/retrieval"
)

func TestOrgNames(t *testing.T) {
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"平安保险的客服电话是多少", []string{"平安"}},
		{"中国人寿的电话是多少", []string{"中国"}},
		{"中国平安保险怎么样", []string{"平安"}},
		{"顺丰快递到哪了", []string{"顺丰"}},
		{"怎么联系海港互助保险", []string{"互助"}},
		{"这个保险怎么退", nil},
		{"想买份保险", nil},
		{"你们的保险保什么", nil},
		{"工商银行卡扣款失败", nil}, // a customer's own bank
		{"my old insurer never paid", nil},
		{"how do i reach the aviva insurance company", []string{"aviva"}},
		{"is british airways cheaper", []string{"british"}},
		{"my card was declined", nil},
	} {
		if got := orgNames(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("orgNames(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestOtherOrganisationIsNotAnsweredAsOurs: a question about another insurer's phone number is not
// answered with ours, though every other word of it matches the contact article; our own name is
// no other organisation.
func TestOtherOrganisationIsNotAnsweredAsOurs(t *testing.T) {
	contact := []chat.Document{{ID: "zh-contact", Title: "怎么联系海港互助保险？", Lang: "zh", URL: "/kb/zh-contact",
		Body: "海港互助保险客服电话：400-800-1234。", Questions: []string{"客服电话是多少"}}}
	s, err := retrieval.NewMemory(context.Background(), contact, retrieval.NewLocal(0))
	if err != nil {
		t.Fatal(err)
	}
	b := &Bot{Knowledge: s}
	for text, answered := range map[string]bool{"平安保险的客服电话是多少": false, "海港互助保险的客服电话是多少": true} {
		r, err := b.Turn(context.Background(), chat.Conversation{}, nil, text, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Decision == chat.DecisionAnswer; got != answered {
			t.Errorf("%q: decision %s/%s at %.2f, want answered %v", text, r.Decision, r.Reason, r.Confidence, answered)
		}
	}
}
