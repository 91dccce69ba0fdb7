package main

import (
	"context"
	"sort"

	"tandem/chat"
	"tandem/evals"
	"tandem/intent"
)

// intentStat is one intent's examples and how it fared in the latest run of a set.
type intentStat struct {
	Name     string      `json:"name"`
	Action   string      `json:"action"`
	Examples []string    `json:"examples"`
	Cases    int         `json:"cases"`    // cases expecting it in the run
	Accuracy float64     `json:"accuracy"` // of those, share predicted as it
	Confused []confusion `json:"confused"` // the intents it was most taken for
}

type confusion struct {
	Intent string `json:"intent"` // "" is no intent (handed off)
	Count  int    `json:"count"`
}

// intentStats lists every intent with its examples, and with its accuracy and most confused
// neighbours in the set's latest run (run "" when the set has none).
func intentStats(ctx context.Context, st store, set string) (any, error) {
	ins, err := st.Intents(ctx)
	if err != nil {
		return nil, err
	}
	var results []evals.Result
	runID := ""
	if set != "" {
		runs, err := st.EvalRuns(ctx, set, 1)
		if err != nil {
			return nil, err
		}
		if len(runs) > 0 {
			runID = runs[0].ID
			if _, results, err = loadRun(ctx, st, runID); err != nil {
				return nil, err
			}
		}
	}
	tally := confusions(results)
	out := make([]intentStat, 0, len(ins))
	for _, in := range ins {
		s := intentStat{Name: in.Name, Action: in.Action, Examples: in.Examples, Confused: []confusion{}}
		row := tally[in.Name]
		for predicted, n := range row {
			s.Cases += n
			if predicted == in.Name {
				s.Accuracy = float64(n)
			} else {
				s.Confused = append(s.Confused, confusion{predicted, n})
			}
		}
		if s.Cases > 0 {
			s.Accuracy /= float64(s.Cases)
		}
		sort.Slice(s.Confused, func(i, k int) bool { return s.Confused[i].Count > s.Confused[k].Count })
		s.Confused = s.Confused[:min(3, len(s.Confused))]
		out = append(out, s)
	}
	return map[string]any{"set": set, "run": runID, "intents": out}, nil
}

// confusions counts, per expected intent, what was predicted.
func confusions(results []evals.Result) map[string]map[string]int {
	t := map[string]map[string]int{}
	for _, r := range results {
		if r.ExpectedIntent == "" {
			continue
		}
		if t[r.ExpectedIntent] == nil {
			t[r.ExpectedIntent] = map[string]int{}
		}
		t[r.ExpectedIntent][r.Intent]++
	}
	return t
}

// previewIntents trains a router on proposed intents (the stored ones with these replacing
// those of the same name) and scores the set's intent cases with it, next to the current
// intents: the effect of a change before it is saved.
func previewIntents(ctx context.Context, st store, set string, proposed []chat.Intent) (any, error) {
	cases, err := loadCases(ctx, st, set)
	if err != nil {
		return nil, err
	}
	current, err := st.Intents(ctx)
	if err != nil {
		return nil, err
	}
	byName := map[string]chat.Intent{}
	for _, in := range current {
		byName[in.Name] = in
	}
	for _, in := range proposed {
		if err := intent.Validate(in); err != nil {
			return nil, err
		}
		byName[in.Name] = in
	}
	next := make([]chat.Intent, 0, len(byName))
	for _, in := range byName {
		next = append(next, in)
	}
	docs, err := st.Documents(ctx)
	if err != nil {
		return nil, err
	}
	var questions []string
	for _, d := range docs {
		questions = append(questions, d.Title)
		questions = append(questions, d.Questions...)
	}
	score := func(ins []chat.Intent) (evals.Metrics, []evals.Result, error) {
		r, err := intent.NewRouter(ins, questions)
		if err != nil {
			return evals.Metrics{}, nil, err
		}
		live := &intent.Live{}
		live.Set(r)
		ev := &evaluator{intents: live}
		var only []evals.Case
		for _, c := range cases {
			if intentOnly(c) {
				only = append(only, c)
			}
		}
		results, err := evals.Run(ctx, only, 0, ev.turn, nil)
		if err != nil {
			return evals.Metrics{}, nil, err
		}
		return evals.Summarize(results, evals.DefaultTarget), results, nil
	}
	before, br, err := score(current)
	if err != nil {
		return nil, err
	}
	after, ar, err := score(next)
	if err != nil {
		return nil, chat.Errorf(chat.EINVALID, "the proposed intents do not train: %v", err)
	}
	changes, regressions := evals.Compare(cases, br, ar)
	return map[string]any{"set": set, "before": before, "after": after, "regressions": regressions,
		"fixed": countKind(changes, evals.ChangeFixed), "changes": changes[:min(50, len(changes))]}, nil
}
