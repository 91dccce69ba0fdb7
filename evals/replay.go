package evals

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"tandem/chat"
)

// regressionTolerance is how much lower a metric may be than the baseline's before a run
// reports it as dropped.
const regressionTolerance = 0.005

// SetRun is one replay of an eval set: the stored run, its scores and what changed against the
// baseline.
type SetRun struct {
	Run         chat.EvalRun
	Metrics     Metrics
	Results     []Result
	Base        *chat.EvalRun
	BaseResults []Result
	Cases       []Case
	Changes     []Change
	Regressions int
}

// Replayer replays stored sets and stores their runs: the work of `tandem eval run`, shared
// with the trainer console's Run button.
type Replayer struct {
	Store Store
	// Evaluator builds the evaluator. It is called once the set and its baseline are loaded, so a
	// missing set or baseline fails before the knowledge base loads.
	Evaluator func(ctx context.Context) (*Evaluator, error)
	// Notes, when set, is told that a set has no baseline yet.
	Notes io.Writer
	Now   func() time.Time
}

// Replay replays a set through the current configuration and stores the run. baseline is a run
// id, "latest" (none for a set never run) or ""; target 0 is the evaluator's target precision.
func (p *Replayer) Replay(ctx context.Context, set, baseline string, target float64, progress func(done, total int)) (SetRun, error) {
	var r SetRun
	cases, err := LoadCases(ctx, p.Store, set)
	if err != nil {
		return r, err
	}
	if len(cases) == 0 {
		return r, fmt.Errorf("eval set %s has no cases", set)
	}
	base, baseResults, err := LoadBaseline(ctx, p.Store, set, baseline)
	if err != nil {
		return r, err
	}
	if baseline == "latest" && base == nil && p.Notes != nil {
		fmt.Fprintf(p.Notes, "set %s has no runs yet: this run has no baseline and becomes the next run's\n", set)
	}
	ev, err := p.Evaluator(ctx)
	if err != nil {
		return r, err
	}
	if target == 0 {
		target = ev.Target
	}
	results, err := Run(ctx, cases, 0, ev.Turn, progress)
	if err != nil {
		return r, err
	}
	r = NewSetRun(set, ev.Config, cases, results, target, p.now())
	if base != nil {
		r.Base, r.BaseResults, r.Run.Baseline = base, baseResults, base.ID
		r.Changes, r.Regressions = Compare(cases, baseResults, results)
	}
	if err := PutRun(ctx, p.Store, r.Run, results); err != nil {
		return SetRun{}, err
	}
	return r, nil
}

// NewSetRun is a new run of a set's cases with their results, scored for target precision,
// started at now under config.
func NewSetRun(set string, config map[string]string, cases []Case, results []Result, target float64, now time.Time) SetRun {
	r := SetRun{Run: chat.EvalRun{ID: NewRunID(now), Set: set, Config: config, CreatedAt: now.UTC()},
		Metrics: Summarize(results, target), Results: results, Cases: cases}
	r.Run.Metrics, _ = json.Marshal(r.Metrics)
	return r
}

func (p *Replayer) now() time.Time {
	if p.Now == nil {
		return time.Now().UTC()
	}
	return p.Now().UTC()
}

// LoadSetRun reads a stored run with its set's cases and, when its baseline is still there, the
// baseline and what changed.
func LoadSetRun(ctx context.Context, st Store, id string) (SetRun, error) {
	run, results, err := LoadRun(ctx, st, id)
	if err != nil {
		return SetRun{}, err
	}
	cases, err := LoadCases(ctx, st, run.Set)
	if err != nil {
		return SetRun{}, err
	}
	r := SetRun{Run: *run, Results: results, Cases: cases}
	json.Unmarshal(run.Metrics, &r.Metrics)
	if run.Baseline != "" {
		if base, baseResults, err := LoadRun(ctx, st, run.Baseline); err == nil {
			r.Base, r.BaseResults = base, baseResults
			r.Changes, r.Regressions = Compare(cases, baseResults, results)
		}
	}
	return r, nil
}

// WriteReport renders the run's HTML report, against its baseline when it has one.
func (r SetRun) WriteReport(w io.Writer) error {
	d := ReportData{Title: "Eval run " + r.Run.ID, Set: r.Run.Set, Results: r.Results, Cases: r.Cases, Changes: r.Changes,
		Run: &RunInfo{ID: r.Run.ID, CreatedAt: r.Run.CreatedAt, Config: r.Run.Config, Metrics: r.Metrics}}
	if r.Run.Config["eval"] == "answers" { // a run of tandem eval answers --save leads with its answers table
		a := SummarizeAnswers(r.Cases, r.Results)
		d.Title, d.Answers = "Answers eval "+r.Run.ID+" · 回答评测", &a
	}
	if r.Base != nil {
		var bm Metrics
		json.Unmarshal(r.Base.Metrics, &bm)
		d.Baseline = &RunInfo{ID: r.Base.ID, CreatedAt: r.Base.CreatedAt, Config: r.Base.Config, Metrics: bm}
		d.BaselineResults = r.BaseResults
	}
	return WriteReport(w, d)
}

// RunSummary is what `tandem eval run` prints.
type RunSummary struct {
	Run         string   `json:"run"`
	Set         string   `json:"set"`
	Baseline    string   `json:"baseline,omitempty"`
	Metrics     Metrics  `json:"metrics"`
	Regressions int      `json:"regressions"` // cases right in the baseline and wrong now
	Fixed       int      `json:"fixed"`
	Dropped     []string `json:"dropped_metrics,omitempty"`
}

// Summary is the run's summary: its scores and, against its baseline, the cases fixed and
// broken and the metrics that dropped.
func (r SetRun) Summary() RunSummary {
	s := RunSummary{Run: r.Run.ID, Set: r.Run.Set, Baseline: r.Run.Baseline, Metrics: r.Metrics, Regressions: r.Regressions,
		Fixed: CountKind(r.Changes, ChangeFixed)}
	if r.Base != nil {
		var bm Metrics
		json.Unmarshal(r.Base.Metrics, &bm)
		s.Dropped = Regressed(bm, r.Metrics, regressionTolerance)
	}
	return s
}

// WriteText prints the summary for a terminal.
func (s RunSummary) WriteText(w io.Writer) {
	m := s.Metrics
	fmt.Fprintf(w, "run %s on %s: %d cases, %d errors\n", s.Run, s.Set, m.Cases, m.Errors)
	fmt.Fprintf(w, "accuracy %.3f  intent accuracy %.3f  OOS recall %.3f  decision precision %.3f  recall %.3f\n",
		m.Accuracy, m.IntentAccuracy, m.OOSRecall, m.DecisionPrecision, m.DecisionRecall)
	fmt.Fprintf(w, "hit@1 %.3f  hit@5 %.3f  answer F1 %.3f  ECE %.3f  coverage %.3f at precision %.3f (target %.2f, threshold %.3f)\n",
		m.HitAt1, m.HitAt5, m.AnswerF1, m.ECE, m.Coverage, m.PrecisionAtThreshold, m.Target, m.Threshold)
	if s.Baseline != "" {
		fmt.Fprintf(w, "against %s: %d regressions, %d fixed", s.Baseline, s.Regressions, s.Fixed)
		if len(s.Dropped) > 0 {
			fmt.Fprintf(w, "; lower: %s", strings.Join(s.Dropped, ", "))
		}
		fmt.Fprintln(w)
	}
}

// CountKind counts the changes of one kind.
func CountKind(changes []Change, kind string) int {
	n := 0
	for _, c := range changes {
		if c.Kind == kind {
			n++
		}
	}
	return n
}

// Wrong counts the results that are not correct.
func Wrong(results []Result) int {
	n := 0
	for _, r := range results {
		if !r.Correct {
			n++
		}
	}
	return n
}
