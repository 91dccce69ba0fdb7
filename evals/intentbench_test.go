package evals

import (
	"bytes"
	"fmt"
	"testing"

	"tandem/demo"
	"tandem/intent"
)

func TestHoldOut(t *testing.T) {
	var all []intent.Example
	for i := range 25 {
		all = append(all, intent.Example{Text: fmt.Sprint("a", i), Intent: "a"}, intent.Example{Text: fmt.Sprint("b", i), Intent: "b"})
	}
	train, held := HoldOut(all)
	if len(held) != 4 || len(train) != 46 || held[0].Text != "a9" || held[1].Text != "b9" || held[2].Text != "a19" {
		t.Fatalf("held out %v", held)
	}
}

func TestOOSThreshold(t *testing.T) {
	withOOS := []Scored{{Gold: "pay", Pred: "pay", Prob: 0.9}, {Gold: OOS, Pred: "pay", Prob: 0.3}, {Gold: "pay", Pred: "pay", Prob: 0.8}}
	if th, rule := OOSThreshold(withOOS, false); rule != "held_out_oos" || th <= 0.3 || th > 0.8 {
		t.Errorf("with out-of-scope lines: %v (%s), want a threshold between 0.3 and 0.8", th, rule)
	}
	if _, rule := OOSThreshold(withOOS[:1], false); rule != "in_scope_quantile" {
		t.Errorf("without out-of-scope lines: rule %s", rule)
	}
	if th, rule := OOSThreshold(withOOS, true); th != 0 || rule != "closed_set" {
		t.Errorf("closed set: %v (%s)", th, rule)
	}
}

// TestBenchIntents: trained on the demo intents' examples and tested on them, the model is
// right on nearly all, and its report names how the out-of-scope threshold was picked.
func TestBenchIntents(t *testing.T) {
	ins, err := intent.ParseJSONL(bytes.NewReader(demo.Intents), t0)
	if err != nil {
		t.Fatal(err)
	}
	var all []intent.Example
	for _, in := range ins {
		for _, ex := range in.Examples {
			all = append(all, intent.Example{Text: ex, Intent: in.Name})
		}
	}
	train, held := HoldOut(all)
	r, m, oosT, err := BenchIntents(train, held, all, 0.9, false)
	if err != nil {
		t.Fatal(err)
	}
	if r.N != len(all) || r.OOSRule != "in_scope_quantile" || r.OOSThreshold != round(oosT) || len(m.Labels) != len(ins) {
		t.Errorf("report = %+v, %d labels", r, len(m.Labels))
	}
	if r.InScopeAccuracy < 0.8 {
		t.Errorf("in-scope accuracy %.3f on the training intents", r.InScopeAccuracy)
	}
	if _, _, _, err := BenchIntents(nil, nil, all, 0.9, false); err == nil {
		t.Error("trained on nothing")
	}
}
