package evals

import (
	"cmp"
	"fmt"
	"slices"
)

// Kinds of Change between two runs of a set.
const (
	ChangeBroken  = "broken"  // right before, wrong now: a regression
	ChangeFixed   = "fixed"   // wrong before, right now
	ChangeChanged = "changed" // as right as before, but another decision or intent
)

// regressionSlack absorbs float noise when a metric drop is compared with a tolerance.
const regressionSlack = 1e-9

// Change is one case that behaves differently in a run than in its baseline.
type Change struct {
	CaseID string `json:"case_id"`
	Text   string `json:"text"`
	Before Result `json:"before"`
	After  Result `json:"after"`
	Kind   string `json:"kind"`
}

// Compare matches a run with its baseline by case id and lists the cases that changed: broken
// first, then fixed, then changed, each in run order. Cases present in only one run are not
// compared. regressions counts the broken cases.
func Compare(cases []Case, baseline, run []Result) (changes []Change, regressions int) {
	texts := make(map[string]string, len(cases))
	for _, c := range cases {
		texts[c.ID] = c.Text
	}
	before := make(map[string]Result, len(baseline))
	for _, r := range baseline {
		before[r.CaseID] = r
	}
	for _, after := range run {
		b, ok := before[after.CaseID]
		if !ok {
			continue
		}
		if kind := changeKind(b, after); kind != "" {
			changes = append(changes, Change{CaseID: after.CaseID, Text: texts[after.CaseID], Before: b, After: after, Kind: kind})
		}
		if !after.Correct && b.Correct {
			regressions++
		}
	}
	slices.SortStableFunc(changes, func(a, b Change) int { return cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)) })
	return changes, regressions
}

func changeKind(before, after Result) string {
	switch {
	case before.Correct && !after.Correct:
		return ChangeBroken
	case !before.Correct && after.Correct:
		return ChangeFixed
	case before.Decision != after.Decision || before.Intent != after.Intent:
		return ChangeChanged
	}
	return ""
}

// kindRank orders changes by how urgently a trainer should look at them.
func kindRank(kind string) int {
	switch kind {
	case ChangeBroken:
		return 0
	case ChangeFixed:
		return 1
	}
	return 2
}

// Regressed lists the headline metrics that dropped from base to now by more than tolerance
// (an absolute share, e.g. 0.01 for one point), each as "name before → now".
func Regressed(base, now Metrics, tolerance float64) []string {
	checks := []struct {
		name      string
		base, now float64
	}{
		{"accuracy", base.Accuracy, now.Accuracy},
		{"intent_accuracy", base.IntentAccuracy, now.IntentAccuracy},
		{"oos_recall", base.OOSRecall, now.OOSRecall},
		{"decision_precision", base.DecisionPrecision, now.DecisionPrecision},
		{"hit_at_5", base.HitAt5, now.HitAt5},
		{"coverage", base.Coverage, now.Coverage},
	}
	var out []string
	for _, c := range checks {
		if c.base-c.now > tolerance+regressionSlack {
			out = append(out, fmt.Sprintf("%s %.4f → %.4f", c.name, c.base, c.now))
		}
	}
	return out
}
