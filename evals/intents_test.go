package evals

import (
	"math"
	"testing"
)

func TestMCCAndF1(t *testing.T) {
	gold := []string{"a", "a", "b", "b", "oos", "oos"}
	if got := mcc(gold, gold); math.Abs(got-1) > 1e-9 {
		t.Fatalf("perfect mcc = %v", got)
	}
	if got := macroF1(gold, gold); got != 1 {
		t.Fatalf("perfect macro F1 = %v", got)
	}
	pred := []string{"a", "b", "b", "a", "oos", "a"}
	// By scikit-learn's formula: c=3, s=6, Σp·t=12, Σp²=14, Σt²=12 → 6/√(22·24) ≈ 0.2611.
	if got := mcc(gold, pred); math.Abs(got-0.2611) > 1e-3 {
		t.Fatalf("mcc = %v, want 0.2611", got)
	}
}

func TestThresholds(t *testing.T) {
	held := []Scored{
		{"a", "a", 0.9}, {"b", "b", 0.8}, {"a", "b", 0.4}, {OOS, "a", 0.3}, {OOS, "b", 0.2},
	}
	if got := PickOOSThreshold(held); got <= 0.3 || got > 0.4 {
		t.Fatalf("oos threshold = %v, want in (0.3, 0.4]", got)
	}
	if got := PickAnswerThreshold(held, 0, 1); got != 0.8 {
		t.Fatalf("answer threshold at precision 1 = %v, want 0.8", got)
	}
	r := IntentMetrics(held, 0.35, 0.8, 1)
	if r.OOSRecall != 1 || r.CoverageAtTarget != 0.4 || r.PrecisionAtTarget != 1 {
		t.Fatalf("report = %+v", r)
	}
}
