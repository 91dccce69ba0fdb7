package trainer

import (
	"cmp"
	"context"
	"slices"

	"tandem/chat"
	"tandem/evals"
	"tandem/intent"
)

// Sizes of the intents panel.
const (
	// maxConfused is how many confused neighbours an intent lists.
	maxConfused = 3
	// maxPreviewChanges is how many changed cases a preview lists.
	maxPreviewChanges = 50
)

// IntentStat is one intent's examples and how it fared in the latest run of a set.
type IntentStat struct {
	Name     string      `json:"name"`
	Action   string      `json:"action"`
	Examples []string    `json:"examples"`
	Cases    int         `json:"cases"`    // cases expecting it in the run
	Accuracy float64     `json:"accuracy"` // of those, share predicted as it
	Confused []Confusion `json:"confused"` // the intents it was most taken for
}

// Confusion is how often an intent was taken for another.
type Confusion struct {
	Intent string `json:"intent"` // "" is no intent (handed off)
	Count  int    `json:"count"`
}

// IntentStats is every intent with its figures in a set's latest run (Run "" when none).
type IntentStats struct {
	Intents []IntentStat `json:"intents"`
	Run     string       `json:"run"`
	Set     string       `json:"set"`
}

// IntentStats lists every intent with its examples, and with its accuracy and most confused
// neighbours in the set's latest run.
func (t *Console) IntentStats(ctx context.Context, set string) (IntentStats, error) {
	ins, err := t.Store.Intents(ctx)
	if err != nil {
		return IntentStats{}, err
	}
	out := IntentStats{Set: set}
	var results []evals.Result
	if set != "" {
		run, rs, err := evals.LatestRun(ctx, t.Store, set)
		if err != nil {
			return IntentStats{}, err
		}
		if run != nil {
			out.Run, results = run.ID, rs
		}
	}
	out.Intents = stats(ins, confusions(results))
	return out, nil
}

// stats is each intent's row of the confusion tally: its accuracy and most confused neighbours.
func stats(ins []chat.Intent, tally map[string]map[string]int) []IntentStat {
	out := make([]IntentStat, 0, len(ins))
	for _, in := range ins {
		s := IntentStat{Name: in.Name, Action: in.Action, Examples: in.Examples, Confused: []Confusion{}}
		for predicted, n := range tally[in.Name] {
			s.Cases += n
			if predicted == in.Name {
				s.Accuracy = float64(n)
			} else {
				s.Confused = append(s.Confused, Confusion{predicted, n})
			}
		}
		if s.Cases > 0 {
			s.Accuracy /= float64(s.Cases)
		}
		slices.SortFunc(s.Confused, func(a, b Confusion) int { return cmp.Or(b.Count-a.Count, cmp.Compare(a.Intent, b.Intent)) })
		s.Confused = s.Confused[:min(maxConfused, len(s.Confused))]
		out = append(out, s)
	}
	return out
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

// Preview is a set scored with the current intents and with proposed ones.
type Preview struct {
	After       evals.Metrics  `json:"after"`
	Before      evals.Metrics  `json:"before"`
	Changes     []evals.Change `json:"changes"`
	Fixed       int            `json:"fixed"`
	Regressions int            `json:"regressions"`
	Set         string         `json:"set"`
}

// PreviewIntents trains a router on proposed intents (the stored ones with these replacing
// those of the same name) and scores the set's intent cases with it, next to the current
// intents: the effect of a change before it is saved.
func (t *Console) PreviewIntents(ctx context.Context, set string, proposed []chat.Intent) (Preview, error) {
	cases, err := evals.LoadCases(ctx, t.Store, set)
	if err != nil {
		return Preview{}, err
	}
	current, err := t.Store.Intents(ctx)
	if err != nil {
		return Preview{}, err
	}
	next, err := replaced(current, proposed)
	if err != nil {
		return Preview{}, err
	}
	docs, err := t.Store.Documents(ctx)
	if err != nil {
		return Preview{}, err
	}
	var questions []string
	for _, d := range docs {
		questions = append(questions, d.Title)
		questions = append(questions, d.Questions...)
	}
	only := slices.DeleteFunc(slices.Clone(cases), func(c evals.Case) bool { return !evals.IntentOnly(c) })
	before, br, err := scoreIntents(ctx, current, questions, only)
	if err != nil {
		return Preview{}, err
	}
	after, ar, err := scoreIntents(ctx, next, questions, only)
	if err != nil {
		return Preview{}, chat.Errorf(chat.EINVALID, "the proposed intents do not train: %v", err)
	}
	changes, regressions := evals.Compare(cases, br, ar)
	return Preview{Set: set, Before: before, After: after, Regressions: regressions, Fixed: evals.CountKind(changes, evals.ChangeFixed),
		Changes: changes[:min(maxPreviewChanges, len(changes))]}, nil
}

// replaced is current with each proposed intent, validated, in place of the one of its name.
func replaced(current, proposed []chat.Intent) ([]chat.Intent, error) {
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
	return next, nil
}

// scoreIntents routes the intent cases with a router trained on ins (knowledge questions as
// out of scope) and scores them.
func scoreIntents(ctx context.Context, ins []chat.Intent, questions []string, cases []evals.Case) (evals.Metrics, []evals.Result, error) {
	r, err := intent.NewRouter(ins, questions)
	if err != nil {
		return evals.Metrics{}, nil, err
	}
	live := &intent.Live{}
	live.Set(r)
	ev := &evals.Evaluator{Intents: live}
	results, err := evals.Run(ctx, cases, 0, ev.Turn, nil)
	if err != nil {
		return evals.Metrics{}, nil, err
	}
	return evals.Summarize(results, evals.DefaultTarget), results, nil
}
