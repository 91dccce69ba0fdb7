package evals

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"tandem/chat"
	"tandem/conversation"
)

// MaxSetName is the longest eval set name.
const MaxSetName = 100

// ValidSetName checks an eval set's name: 1–100 characters, no spaces or slashes.
func ValidSetName(set string) error {
	if set == "" || len(set) > MaxSetName || strings.ContainsAny(set, " /\\\t\n") {
		return errors.New("--set names the eval set: 1–100 characters, no spaces or slashes")
	}
	return nil
}

// NewRunID names a run started at now: sortable by time, unique across replicas.
func NewRunID(now time.Time) string {
	return "run-" + now.UTC().Format("20060102-150405") + "-" + conversation.NewID()[:6]
}

// PutCases adds cases to a set (replace: instead of its cases) and returns how many it holds.
func PutCases(ctx context.Context, st Store, set string, cases []Case, replace bool, at time.Time) (int, error) {
	return st.PutEvalCases(ctx, set, records(cases, func(c Case) string { return c.ID }), replace, at)
}

// PutRun stores a run with its results.
func PutRun(ctx context.Context, st Store, run chat.EvalRun, results []Result) error {
	return st.PutEvalRun(ctx, run, records(results, func(r Result) string { return r.CaseID }))
}

// records encodes items for storage, each under its id.
func records[T any](items []T, id func(T) string) []chat.EvalRecord {
	out := make([]chat.EvalRecord, len(items))
	for i, it := range items {
		b, _ := json.Marshal(it)
		out[i] = chat.EvalRecord{ID: id(it), Body: b}
	}
	return out
}

// LoadCases reads a stored set's cases.
func LoadCases(ctx context.Context, st Store, set string) ([]Case, error) {
	recs, err := st.EvalCases(ctx, set)
	if err != nil {
		return nil, err
	}
	cases := make([]Case, len(recs))
	for i, r := range recs {
		if err := json.Unmarshal(r.Body, &cases[i]); err != nil {
			return nil, fmt.Errorf("case %s: %w", r.ID, err)
		}
	}
	return cases, nil
}

// LoadRun reads a stored run and its results.
func LoadRun(ctx context.Context, st Store, id string) (*chat.EvalRun, []Result, error) {
	run, recs, err := st.EvalRun(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	results := make([]Result, len(recs))
	for i, r := range recs {
		if err := json.Unmarshal(r.Body, &results[i]); err != nil {
			return nil, nil, fmt.Errorf("run %s, case %s: %w", id, r.ID, err)
		}
	}
	return &run, results, nil
}

// LoadBaseline resolves a baseline: a run id, "latest" (the set's newest run, none for a set
// never run), or "" (none).
func LoadBaseline(ctx context.Context, st Store, set, id string) (*chat.EvalRun, []Result, error) {
	if id == "" {
		return nil, nil, nil
	}
	if id == "latest" {
		runs, err := st.EvalRuns(ctx, set, 1)
		if err != nil {
			return nil, nil, err
		}
		if len(runs) == 0 {
			return nil, nil, nil // a new set's first run is its own baseline
		}
		id = runs[0].ID
	}
	run, results, err := LoadRun(ctx, st, id)
	if err != nil {
		return nil, nil, err
	}
	if run.Set != set {
		return nil, nil, fmt.Errorf("baseline %s is a run of %s, not %s", id, run.Set, set)
	}
	return run, results, nil
}

// LatestRun reads a set's newest run and its results (nil when the set has none).
func LatestRun(ctx context.Context, st Store, set string) (*chat.EvalRun, []Result, error) {
	return LoadBaseline(ctx, st, set, "latest")
}

// WriteSets prints the sets with their sizes and latest runs, as `tandem eval sets` lists them.
func WriteSets(ctx context.Context, st Store, w io.Writer) error {
	sets, err := st.EvalSets(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SET\tCASES\tLATEST RUN\tACCURACY")
	for _, s := range sets {
		runs, err := st.EvalRuns(ctx, s.Name, 1)
		if err != nil {
			return err
		}
		latest, acc := "-", "-"
		if len(runs) > 0 {
			var m Metrics
			json.Unmarshal(runs[0].Metrics, &m)
			latest, acc = runs[0].ID, fmt.Sprintf("%.3f", m.Accuracy)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", s.Name, s.Cases, latest, acc)
	}
	return tw.Flush()
}
