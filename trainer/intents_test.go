package trainer

import (
	"context"
	"errors"
	"testing"

	"tandem/chat"
	"tandem/evals"
)

func TestConfusions(t *testing.T) {
	results := []evals.Result{
		{ExpectedIntent: "pay", Outcome: evals.Outcome{Intent: "pay"}},
		{ExpectedIntent: "pay", Outcome: evals.Outcome{Intent: "claim"}},
		{ExpectedIntent: "pay", Outcome: evals.Outcome{Intent: ""}},
		{ExpectedIntent: "pay", Outcome: evals.Outcome{Intent: "claim"}},
		{SourcesJudged: true, Outcome: evals.Outcome{Intent: "pay"}},
	}
	tally := confusions(results)
	if len(tally) != 1 || tally["pay"]["pay"] != 1 || tally["pay"]["claim"] != 2 || tally["pay"][""] != 1 {
		t.Fatalf("confusions = %v", tally)
	}
	s := stats([]chat.Intent{{Name: "pay", Examples: []string{"pay my premium"}}, {Name: "claim"}}, tally)
	if s[0].Cases != 4 || s[0].Accuracy != 0.25 || len(s[0].Confused) != 2 || s[0].Confused[0] != (Confusion{"claim", 2}) || s[0].Confused[1] != (Confusion{"", 1}) {
		t.Errorf("pay = %+v, want accuracy 0.25 and taken for claim most", s[0])
	}
	if s[1].Cases != 0 || s[1].Confused == nil {
		t.Errorf("claim = %+v, want no cases and an empty list", s[1])
	}
}

// payClaim are two intents with enough examples to train a router on.
var payClaim = []chat.Intent{
	{Name: "pay", Action: "answer", Answer: "Pay in the app.", Examples: []string{"how do I pay my premium", "pay my bill", "where can I pay", "payment options", "can I pay by card", "pay the insurance"}},
	{Name: "claim", Action: "answer", Answer: "Claims take 5 days.", Examples: []string{"file a claim", "how do I make a claim", "claim for my car accident", "submit a claim", "claim status", "start a claim"}},
}

// TestIntentStatsAndPreview: the intents panel shows each intent's figures in the set's latest
// run, and a preview scores the set with proposed intents next to the stored ones.
func TestIntentStatsAndPreview(t *testing.T) {
	ctx := context.Background()
	tc, st := rig(t)
	for _, in := range payClaim {
		must(t, st.PutIntent(ctx, in))
	}
	cases := []evals.Case{
		{ID: "a", Text: "how can I pay my premium", ExpectedIntent: "pay"},
		{ID: "b", Text: "I need to file a claim", ExpectedIntent: "claim"},
		{ID: "c", Text: "what is a deductible", ExpectedSources: []string{"k1"}},
	}
	_, err := evals.PutCases(ctx, st, "intents", cases, false, t0)
	must(t, err)

	none, err := tc.IntentStats(ctx, "intents")
	if err != nil || none.Run != "" || len(none.Intents) != 2 || none.Intents[0].Cases != 0 {
		t.Fatalf("before any run: %+v, %v", none, err)
	}
	run := chat.EvalRun{ID: "run-1", Set: "intents", CreatedAt: t0, Metrics: []byte(`{}`)}
	must(t, evals.PutRun(ctx, st, run, []evals.Result{
		evals.Score(cases[0], evals.Outcome{Intent: "pay"}),
		evals.Score(cases[1], evals.Outcome{Intent: "pay"}),
	}))
	s, err := tc.IntentStats(ctx, "intents")
	must(t, err)
	byName := map[string]IntentStat{}
	for _, in := range s.Intents {
		byName[in.Name] = in
	}
	if s.Run != "run-1" || byName["pay"].Accuracy != 1 || byName["claim"].Accuracy != 0 || byName["claim"].Confused[0] != (Confusion{"pay", 1}) {
		t.Errorf("stats = %+v", s)
	}

	more := payClaim[1]
	more.Examples = append(append([]string{}, more.Examples...), "I need to file a claim")
	p, err := tc.PreviewIntents(ctx, "intents", []chat.Intent{more})
	if err != nil {
		t.Fatal(err)
	}
	if p.Set != "intents" || p.Before.Cases != 2 || p.After.Cases != 2 || p.Regressions != 0 || p.After.IntentAccuracy < p.Before.IntentAccuracy {
		t.Errorf("preview = %+v", p)
	}
	var e *chat.Error
	if _, err := tc.PreviewIntents(ctx, "intents", []chat.Intent{{Name: "oos", Examples: []string{"x"}}}); !errors.As(err, &e) || e.Code != chat.EINVALID {
		t.Errorf("a reserved name: %v", err)
	}
}
