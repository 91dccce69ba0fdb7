package intent

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"tandem/chat"
	"tandem/demo"
)

func TestRouterOnDemoIntents(t *testing.T) {
	ins, err := ParseJSONL(bytes.NewReader(demo.Intents), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	knowledge := []string{"How do I file a claim?", "What is a deductible?", "Which payment methods can I use?",
		"How do I cancel my policy and get a refund?", "如何报案？", "什么是免赔额？", "可以用哪些方式缴保费？", "如何退保？能退多少钱？",
		"What documents do I need for a claim?", "How long does it take to handle a complaint?", "如何投诉？"}
	r, err := NewRouter(ins, knowledge)
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		"I want to complain about my claims handler": "complaint",
		"我要投诉你们的理赔员":                                 "complaint",
		"hello!":                                     "greeting",
		"您好":                                         "greeting",
		"thanks a lot":                               "thanks",
		"How do I file a claim?":                     "",
		"what is my deductible":                      "",
		"如何报案":                                       "",
	} {
		in, p, ok := r.Route(text)
		if got := in.Name; ok != (want != "") || got != want {
			t.Errorf("Route(%q) = %q (%.2f, %v), want %q", text, got, p, ok, want)
		}
	}
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, ins); err != nil {
		t.Fatal(err)
	}
	again, err := ParseJSONL(&buf, time.Now())
	if err != nil || len(again) != len(ins) || again[0].Team != ins[0].Team || len(again[0].Examples) != len(ins[0].Examples) {
		t.Fatalf("round trip: %v %+v", err, again)
	}
}

func TestParseJSONLErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`{"text":"hi","intent":"greet"}` + "\n" + `{"intent":"greet","action":"answer"}`, "needs an answer text"},
		{`{"text":"hi","intent":"greet"}` + "\n" + `{"intent":"greet","action":"shout"}`, "action must be"},
		{`{"text":"hi","intent":"bad name!"}`, "use 1–100 letters"},
		{`{"text":"hi","intent":"x"}` + "\n{broken", "line 2"},
		{`{"text":"x","intent":"oos"}`, "no intents"},
		{`{"intent":"lonely","action":"handoff"}`, "give 1–"},
		{`{"text":"hi","intent":"x"}` + "\n" + `{"intent":"x","action":"handoff","priority":"urgent"}`, "priority must be"},
	} {
		_, err := ParseJSONL(strings.NewReader(tt.in), time.Now())
		if err == nil || !strings.Contains(err.Error(), tt.want) || chat.ErrorCode(err) != chat.EINVALID {
			t.Errorf("%q: %v, want %q", tt.in, err, tt.want)
		}
	}
}

// TestRouterWithoutKnowledge: with no knowledge questions to learn out-of-scope from, the router
// still refuses messages unlike its intents' examples, and still routes those like them.
func TestRouterWithoutKnowledge(t *testing.T) {
	ins, err := ParseJSONL(bytes.NewReader(demo.Intents), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRouter(ins, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Threshold <= DefaultThreshold || r.Threshold >= 1 {
		t.Fatalf("threshold %.3f, want one from the held-out examples above the default", r.Threshold)
	}
	t.Logf("threshold %.3f", r.Threshold)
	for text, want := range map[string]string{
		"I want to complain about my claims handler": "complaint",
		"hello!":       "greeting",
		"thanks a lot": "thanks",
		"can you recommend a good restaurant near me": "",
		"what is the weather like in paris tomorrow":  "",
		"How do I file a claim?":                      "",
		"明天上海天气怎么样":                                   "",
	} {
		in, p, ok := r.Route(text)
		if got := in.Name; ok != (want != "") || got != want {
			t.Errorf("Route(%q) = %q (%.2f, %v), want %q (threshold %.3f)", text, got, p, ok, want, r.Threshold)
		}
	}
}
