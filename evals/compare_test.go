package evals

import (
	"reflect"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	cases := []Case{
		{ID: "a", Text: "still right"}, {ID: "b", Text: "now wrong"}, {ID: "c", Text: "now right"},
		{ID: "d", Text: "other decision"}, {ID: "e", Text: "other intent"}, {ID: "f", Text: "new case"},
		{ID: "g", Text: "second regression"},
	}
	res := func(id string, correct bool, decision, intent string) Result {
		return Result{CaseID: id, Correct: correct, Outcome: Outcome{Decision: decision, Intent: intent}}
	}
	baseline := []Result{
		res("a", true, DecisionAnswer, "x"), res("b", true, DecisionAnswer, "x"), res("c", false, DecisionAnswer, "y"),
		res("d", false, DecisionAnswer, "x"), res("e", true, DecisionAnswer, "x"), res("g", true, DecisionHandoff, ""),
		res("gone", true, DecisionAnswer, "x"),
	}
	run := []Result{
		res("a", true, DecisionAnswer, "x"), res("b", false, DecisionAnswer, "y"), res("c", true, DecisionAnswer, "x"),
		res("d", false, DecisionClarify, "x"), res("e", true, DecisionAnswer, "z"), res("f", false, DecisionAnswer, "x"),
		res("g", false, DecisionAnswer, "q"),
	}
	changes, regressions := Compare(cases, baseline, run)
	if regressions != 2 {
		t.Errorf("regressions = %d, want 2", regressions)
	}
	var got []string
	for _, c := range changes {
		got = append(got, c.Kind+":"+c.CaseID+":"+c.Text)
	}
	want := []string{"broken:b:now wrong", "broken:g:second regression", "fixed:c:now right", "changed:d:other decision", "changed:e:other intent"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("changes = %q, want %q", got, want)
	}
	if changes[0].Before.Intent != "x" || changes[0].After.Intent != "y" {
		t.Errorf("broken change sides: %+v", changes[0])
	}
}

func TestRegressed(t *testing.T) {
	base := Metrics{Accuracy: 0.9, IntentAccuracy: 0.92, OOSRecall: 0.5, DecisionPrecision: 0.95, HitAt5: 0.8, Coverage: 0.7, ECE: 0.01}
	tests := []struct {
		name      string
		now       func(m *Metrics)
		tolerance float64
		want      []string
	}{
		{"same", func(m *Metrics) {}, 0, nil},
		{"better", func(m *Metrics) { m.Accuracy, m.Coverage = 0.95, 0.8 }, 0, nil},
		{"within tolerance", func(m *Metrics) { m.Accuracy, m.OOSRecall = 0.89, 0.49 }, 0.01, nil},
		{"beyond tolerance", func(m *Metrics) { m.Accuracy, m.HitAt5 = 0.88, 0.7 }, 0.01, []string{"accuracy", "hit_at_5"}},
		{"every gated metric", func(m *Metrics) { *m = Metrics{ECE: 0.5} }, 0, []string{"accuracy", "intent_accuracy", "oos_recall", "decision_precision", "hit_at_5", "coverage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := base
			tt.now(&now)
			var names []string
			for _, s := range Regressed(base, now, tt.tolerance) {
				names = append(names, strings.Fields(s)[0])
			}
			if !reflect.DeepEqual(names, tt.want) {
				t.Fatalf("regressed = %q, want %q", names, tt.want)
			}
		})
	}
}
