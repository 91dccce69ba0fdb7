package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"tandem/bot"
	"tandem/chat"
	"tandem/config"
	"tandem/conversation"
	"tandem/evals"
	"tandem/intent"
	"tandem/llm"
	"tandem/pii"
	"tandem/retrieval"
)

// maxEvalCases bounds one imported file.
const maxEvalCases = 200_000

// evalImport handles `tandem eval import --set NAME [--replace] FILE.jsonl`.
func evalImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var set string
	var replace bool
	_, _, st, rest, err := setup(ctx, "eval import", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&set, "set", "", "the eval set to add the cases to (required)")
		fs.BoolVar(&replace, "replace", false, "replace the set's cases instead of adding to them")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := validSetName(set); err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("give one JSONL file: cases, {\"text\",\"intent\"} intent lines or {\"question\",\"answer_ids\"} QA lines")
	}
	f, err := os.Open(rest[0])
	if err != nil {
		return err
	}
	defer f.Close()
	cases, err := evals.ReadCases(f, maxEvalCases)
	if err != nil {
		return fmt.Errorf("%s: %w", rest[0], err)
	}
	n, err := st.PutEvalCases(ctx, set, records(cases, caseID), replace, time.Now().UTC())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d cases into %s (%d in all)\n", len(cases), set, n)
	return nil
}

func validSetName(set string) error {
	if set == "" || len(set) > 100 || strings.ContainsAny(set, " /\\\t\n") {
		return errors.New("--set names the eval set: 1–100 characters, no spaces or slashes")
	}
	return nil
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

func caseID(c evals.Case) string     { return c.ID }
func resultID(r evals.Result) string { return r.CaseID }

// loadCases reads a stored set's cases.
func loadCases(ctx context.Context, st evals.Store, set string) ([]evals.Case, error) {
	recs, err := st.EvalCases(ctx, set)
	if err != nil {
		return nil, err
	}
	cases := make([]evals.Case, len(recs))
	for i, r := range recs {
		if err := json.Unmarshal(r.Body, &cases[i]); err != nil {
			return nil, fmt.Errorf("case %s: %w", r.ID, err)
		}
	}
	return cases, nil
}

// evalExport handles `tandem eval export --set NAME [--format case|intents|qa]`: the set's cases
// as JSONL, in the case format or in the formats of ../shared/evalsets (intent lines
// {"text","intent"}; QA lines {"question","answer_ids","answer_texts"}) for the cases that fit.
func evalExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var set, format string
	_, _, st, _, err := setup(ctx, "eval export", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&set, "set", "", "the eval set (required)")
		fs.StringVar(&format, "format", "case", "case, intents ({\"text\",\"intent\"}) or qa ({\"question\",\"answer_ids\"})")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	cases, err := loadCases(ctx, st, set)
	if err != nil {
		return err
	}
	for i := range cases { // personal data stays out of exported sets
		c := &cases[i]
		c.Text, c.ExpectedAnswer = pii.Mask(c.Text), pii.Mask(c.ExpectedAnswer)
		for j := range c.Context {
			c.Context[j].Text = pii.Mask(c.Context[j].Text)
		}
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	switch format {
	case "case":
		return evals.WriteCases(stdout, cases)
	case "intents":
		for _, c := range cases {
			if c.ExpectedIntent != "" {
				if err := enc.Encode(map[string]string{"text": c.Text, "intent": c.ExpectedIntent}); err != nil {
					return err
				}
			}
		}
		return nil
	case "qa":
		for _, c := range cases {
			if len(c.ExpectedSources) > 0 {
				line := map[string]any{"question": c.Text, "answer_ids": c.ExpectedSources, "qid": c.ID}
				if c.ExpectedAnswer != "" {
					line["answer_texts"] = []string{c.ExpectedAnswer}
				}
				if err := enc.Encode(line); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return fmt.Errorf("--format is case, intents or qa, not %q", format)
}

// evalSets handles `tandem eval sets`: the sets and their latest runs.
func evalSets(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	_, _, st, _, err := setup(ctx, "eval sets", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	sets, err := st.EvalSets(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SET\tCASES\tLATEST RUN\tACCURACY")
	for _, s := range sets {
		runs, err := st.EvalRuns(ctx, s.Name, 1)
		if err != nil {
			return err
		}
		latest, acc := "-", "-"
		if len(runs) > 0 {
			var m evals.Metrics
			json.Unmarshal(runs[0].Metrics, &m)
			latest, acc = runs[0].ID, fmt.Sprintf("%.3f", m.Accuracy)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", s.Name, s.Cases, latest, acc)
	}
	return tw.Flush()
}

// evaluator replays cases through the current configuration: the stored knowledge base, intents
// and settings, as `tandem serve` would answer them.
type evaluator struct {
	search  *retrieval.Searcher
	intents *intent.Live
	// rehearsal answers the cases judged on the whole turn, as the bot with its actions would,
	// each action called against the case's recorded back-end answers.
	rehearsal *evals.Rehearsal
	config    map[string]string
	// judge grades answers against expected answers when an LLM is configured (nil: token F1).
	judge func(ctx context.Context, question, reference, answer string) (bool, error)
}

func newEvaluator(ctx context.Context, cfg config.Config, st store, stderr io.Writer) (*evaluator, error) {
	log := newLogger(cfg, stderr)
	kb, err := newKnowledge(ctx, cfg, st, log)
	if err != nil {
		return nil, err
	}
	if err := kb.ready(ctx, stderr); err != nil {
		return nil, err
	}
	intents := &intentSync{store: st, live: &intent.Live{}, log: log}
	if err := intents.load(ctx); err != nil {
		return nil, err
	}
	tune := newTuning(st, cfg.TargetPrecision, nil, log)
	tune.intents = intents.live
	if err := tune.load(ctx); err != nil {
		return nil, err
	}
	kv, _ := st.KnowledgeVersion(ctx)
	iv, _ := st.IntentsVersion(ctx)
	conf := map[string]string{"target_precision": fmt.Sprint(tune.TargetPrecision()), "intent_threshold": fmt.Sprint(intents.live.Threshold()),
		"knowledge_version": kv, "intents_version": iv, "embedder": cfg.Embedder, "llm": cfg.LLMModel}
	b := newBot(cfg, kb, intents.live, tune, log)
	ev := &evaluator{search: kb.search, intents: intents.live, rehearsal: &evals.Rehearsal{Next: b, Defs: st, Log: log}, config: conf}
	if g, ok := b.LLM.(*llm.Chat); ok {
		ev.rehearsal.Chooser = g // as in tandem serve: the model may choose actions too
	}
	if cfg.LLMBaseURL != "" {
		judge := llm.NewChat(llm.ChatConfig{BaseURL: cfg.LLMBaseURL, APIKey: cfg.LLMAPIKey, Model: cfg.LLMModel, Timeout: 20 * time.Second,
			HTTPClient: cfg.Outbound().Client(0)})
		ev.judge, conf["judge"] = judge.Judge, cfg.LLMModel
	}
	return ev, nil
}

// intentOnly reports whether a case judges only the intent (an intent set such as CLINC150):
// those are scored on the intent router's decision, the rest on the whole bot turn.
func intentOnly(c evals.Case) bool {
	return c.ExpectedIntent != "" && len(c.ExpectedSources) == 0 && c.ExpectedAnswer == "" && c.ExpectedAction == ""
}

// turn answers one case.
func (e *evaluator) turn(ctx context.Context, c evals.Case) (evals.Outcome, error) {
	start := time.Now()
	if intentOnly(c) {
		in, p, ok := e.intents.Route(c.Text)
		o := evals.Outcome{Decision: string(chat.DecisionHandoff), Confidence: p}
		if ok {
			o.Intent, o.Decision = in.Name, string(chat.DecisionAnswer)
		}
		o.Millis = float64(time.Since(start).Microseconds()) / 1000
		return o, nil
	}
	o, err := e.rehearsal.Turn(ctx, c)
	if err != nil {
		return o, err
	}
	o.Millis = float64(time.Since(start).Microseconds()) / 1000
	if e.judge != nil && c.ExpectedAnswer != "" && o.Decision == string(chat.DecisionAnswer) {
		agrees, err := e.judge(ctx, c.Text, c.ExpectedAnswer, o.Text)
		if err != nil {
			return o, fmt.Errorf("judge: %w", err)
		}
		o.Agrees = &agrees
	}
	return o, nil
}

// evalRun handles `tandem eval run --set NAME [--baseline RUN] [--fail-on-regression] [--json] [--report out.html]`.
func evalRun(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var set, baseline, reportPath string
	var failOnRegression, asJSON bool
	var target float64
	cfg, _, st, _, err := setup(ctx, "eval run", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&set, "set", "", "the eval set to replay (required)")
		fs.StringVar(&baseline, "baseline", "", "a run id to compare with case by case, or \"latest\" for the set's latest run")
		fs.BoolVar(&failOnRegression, "fail-on-regression", false, "exit non-zero when a case right in the baseline is wrong now (without --baseline: when any case is wrong; each case is a regression test)")
		fs.BoolVar(&asJSON, "json", false, "print the run as JSON")
		fs.StringVar(&reportPath, "report", "", "write an HTML report to this file")
		fs.Float64Var(&target, "target", 0, "precision the operating threshold is chosen for (default: the configured target precision)")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	bar := (*progress)(nil)
	r, err := runSet(ctx, cfg, st, set, baseline, target, stderr, func(done, total int) {
		if bar == nil {
			bar = newProgress(stderr, "evaluating", total)
		}
		bar.set(done)
	})
	if bar != nil {
		bar.done()
	}
	if err != nil {
		return err
	}
	run, metrics, results, base, baseResults, cases, changes, regressions := r.run, r.metrics, r.results, r.base, r.baseResults, r.cases, r.changes, r.regressions
	if reportPath != "" {
		if err := writeReportFile(reportPath, set, run, metrics, results, base, baseResults, cases, changes); err != nil {
			return err
		}
	}
	out := runOutput{Run: run.ID, Set: set, Baseline: run.Baseline, Metrics: metrics, Regressions: regressions, Fixed: countKind(changes, "fixed")}
	if base != nil {
		var bm evals.Metrics
		json.Unmarshal(base.Metrics, &bm)
		out.Dropped = evals.Regressed(bm, metrics, 0.005)
	}
	printRun(stdout, out, asJSON, reportPath)
	switch {
	case failOnRegression && base != nil && regressions > 0:
		return fmt.Errorf("%d regressions against %s", regressions, base.ID)
	case failOnRegression && base == nil && metrics.Accuracy < 1:
		return fmt.Errorf("%d of %d cases fail", wrong(results), len(results))
	}
	return nil
}

type runOutput struct {
	Run         string        `json:"run"`
	Set         string        `json:"set"`
	Baseline    string        `json:"baseline,omitempty"`
	Metrics     evals.Metrics `json:"metrics"`
	Regressions int           `json:"regressions"` // cases right in the baseline and wrong now
	Fixed       int           `json:"fixed"`
	Dropped     []string      `json:"dropped_metrics,omitempty"`
}

func countKind(changes []evals.Change, kind string) int {
	n := 0
	for _, c := range changes {
		if c.Kind == kind {
			n++
		}
	}
	return n
}

func printRun(w io.Writer, out runOutput, asJSON bool, reportPath string) {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(out)
		return
	}
	m := out.Metrics
	fmt.Fprintf(w, "run %s on %s: %d cases, %d errors\n", out.Run, out.Set, m.Cases, m.Errors)
	fmt.Fprintf(w, "accuracy %.3f  intent accuracy %.3f  OOS recall %.3f  decision precision %.3f  recall %.3f\n",
		m.Accuracy, m.IntentAccuracy, m.OOSRecall, m.DecisionPrecision, m.DecisionRecall)
	fmt.Fprintf(w, "hit@1 %.3f  hit@5 %.3f  answer F1 %.3f  ECE %.3f  coverage %.3f at precision %.3f (target %.2f, threshold %.3f)\n",
		m.HitAt1, m.HitAt5, m.AnswerF1, m.ECE, m.Coverage, m.PrecisionAtThreshold, m.Target, m.Threshold)
	if out.Baseline != "" {
		fmt.Fprintf(w, "against %s: %d regressions, %d fixed", out.Baseline, out.Regressions, out.Fixed)
		if len(out.Dropped) > 0 {
			fmt.Fprintf(w, "; lower: %s", strings.Join(out.Dropped, ", "))
		}
		fmt.Fprintln(w)
	}
	if reportPath != "" {
		fmt.Fprintf(w, "report: %s\n", reportPath)
	}
}

// loadRun reads a stored run and its results.
func loadRun(ctx context.Context, st evals.Store, id string) (*chat.EvalRun, []evals.Result, error) {
	run, recs, err := st.EvalRun(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	results := make([]evals.Result, len(recs))
	for i, r := range recs {
		if err := json.Unmarshal(r.Body, &results[i]); err != nil {
			return nil, nil, fmt.Errorf("run %s, case %s: %w", id, r.ID, err)
		}
	}
	return &run, results, nil
}

// setRun is one replay of an eval set: the stored run, its scores and what changed against the
// baseline.
type setRun struct {
	run                chat.EvalRun
	metrics            evals.Metrics
	results            []evals.Result
	base               *chat.EvalRun
	baseResults        []evals.Result
	cases              []evals.Case
	changes            []evals.Change
	regressions        int
	target             float64
	baselineWasMissing bool
}

// runSet replays a set through the current configuration and stores the run: the work of
// `tandem eval run`, shared with the trainer console's Run button. baseline is a run id,
// "latest" (none for a set never run) or ""; target 0 is the configured target precision.
func runSet(ctx context.Context, cfg config.Config, st store, set, baseline string, target float64, stderr io.Writer, progress func(done, total int)) (setRun, error) {
	var r setRun
	cases, err := loadCases(ctx, st, set)
	if err != nil {
		return r, err
	}
	if len(cases) == 0 {
		return r, fmt.Errorf("eval set %s has no cases", set)
	}
	base, baseResults, err := loadBaseline(ctx, st, set, baseline)
	if err != nil {
		return r, err
	}
	if baseline == "latest" && base == nil {
		fmt.Fprintf(stderr, "set %s has no runs yet: this run has no baseline and becomes the next run's\n", set)
	}
	ev, err := newEvaluator(ctx, cfg, st, stderr)
	if err != nil {
		return r, err
	}
	if target == 0 {
		target = cfg.TargetPrecision
		fmt.Sscan(ev.config["target_precision"], &target)
	}
	results, err := evals.Run(ctx, cases, 0, ev.turn, func(done, total int) {
		if progress != nil {
			progress(done, total)
		}
	})
	if err != nil {
		return r, err
	}
	metrics := evals.Summarize(results, target)
	run := chat.EvalRun{ID: "run-" + time.Now().UTC().Format("20060102-150405") + "-" + conversation.NewID()[:6], Set: set,
		Config: ev.config, CreatedAt: time.Now().UTC()}
	if base != nil {
		run.Baseline = base.ID
	}
	run.Metrics, _ = json.Marshal(metrics)
	if err := st.PutEvalRun(ctx, run, records(results, resultID)); err != nil {
		return r, err
	}
	r = setRun{run: run, metrics: metrics, results: results, base: base, baseResults: baseResults, cases: cases}
	if base != nil {
		r.changes, r.regressions = evals.Compare(cases, baseResults, results)
	}
	return r, nil
}

// loadBaseline resolves --baseline: a run id, "latest" (the set's newest run, none for a set
// never run), or "" (none).
func loadBaseline(ctx context.Context, st evals.Store, set, id string) (*chat.EvalRun, []evals.Result, error) {
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
	run, results, err := loadRun(ctx, st, id)
	if err != nil {
		return nil, nil, err
	}
	if run.Set != set {
		return nil, nil, fmt.Errorf("baseline %s is a run of %s, not %s", id, run.Set, set)
	}
	return run, results, nil
}

// writeReportFile renders the HTML report to path.
func writeReportFile(path, set string, run chat.EvalRun, m evals.Metrics, results []evals.Result, base *chat.EvalRun,
	baseResults []evals.Result, cases []evals.Case, changes []evals.Change) error {
	var buf bytes.Buffer
	if err := writeReport(&buf, set, run, m, results, base, baseResults, cases, changes); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func writeReport(w io.Writer, set string, run chat.EvalRun, m evals.Metrics, results []evals.Result, base *chat.EvalRun,
	baseResults []evals.Result, cases []evals.Case, changes []evals.Change) error {
	d := evals.ReportData{Title: "Eval run " + run.ID, Set: set, Results: results, Cases: cases, Changes: changes,
		Run: &evals.RunInfo{ID: run.ID, CreatedAt: run.CreatedAt, Config: run.Config, Metrics: m}}
	if run.Config["eval"] == "answers" { // a run of tandem eval answers --save leads with its answers table
		a := evals.SummarizeAnswers(cases, results)
		d.Title, d.Answers = "Answers eval "+run.ID+" · 回答评测", &a
	}
	if base != nil {
		var bm evals.Metrics
		json.Unmarshal(base.Metrics, &bm)
		d.Baseline = &evals.RunInfo{ID: base.ID, CreatedAt: base.CreatedAt, Config: base.Config, Metrics: bm}
		d.BaselineResults = baseResults
	}
	return evals.WriteReport(w, d)
}

// evalCalibrate handles `tandem eval calibrate --set NAME [--target P]` and `--revert`: fits the
// intent threshold on half of the set, checks it on the other half, and activates it.
func evalCalibrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var set string
	var target float64
	var revert bool
	cfg, _, st, _, err := setup(ctx, "eval calibrate", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&set, "set", "", "the eval set to fit on (required unless --revert)")
		fs.Float64Var(&target, "target", 0, "the precision to reach (default: the configured target precision)")
		fs.BoolVar(&revert, "revert", false, "go back to the previous calibration")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	tune := newTuning(st, cfg.TargetPrecision, nil, newLogger(cfg, stderr))
	if revert {
		prev, err := tune.revert(ctx)
		if err != nil {
			return err
		}
		if prev == nil {
			fmt.Fprintln(stdout, "reverted: no calibration is active; the intent router uses its default threshold")
		} else {
			fmt.Fprintf(stdout, "reverted: calibration v%d is active again (threshold %.3f for target %.2f)\n", prev.Version, prev.Threshold, prev.Target)
		}
		return nil
	}
	cases, err := loadCases(ctx, st, set)
	if err != nil {
		return err
	}
	if err := tune.load(ctx); err != nil {
		return err
	}
	if target == 0 {
		target = tune.TargetPrecision()
	}
	if target <= 0.5 || target >= 1 {
		return errors.New("--target must be between 0.5 and 1")
	}
	ev, err := newEvaluator(ctx, cfg, st, stderr)
	if err != nil {
		return err
	}
	// What this set cannot refit stays as the active calibration had it.
	cal := calibration{Set: set, Target: target, CreatedAt: time.Now().UTC()}
	if prev, err := tune.calibrations(ctx); err == nil && len(prev.History) > 0 {
		cal = prev.History[len(prev.History)-1]
		cal.Set, cal.Target, cal.CreatedAt = set, target, time.Now().UTC()
	}
	intentDone, err := calibrateIntents(ev, cases, target, &cal, stderr)
	if err != nil {
		return err
	}
	answerDone := calibrateAnswers(ctx, ev, cases, target, &cal, stderr)
	if !intentDone && !answerDone {
		return fmt.Errorf("set %s has too few cases to calibrate on: at least 20 intent cases or 20 cases with expected sources", set)
	}
	cal, err = tune.activate(ctx, cal)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "calibration v%d active\n", cal.Version)
	if intentDone {
		fmt.Fprintf(stdout, "intent threshold %.3f (was %s); on the held-out half: precision %.3f (target %.2f), coverage %.3f of cases answered\n",
			cal.Threshold, thresholdName(ev.intents.Threshold()), cal.HeldOutPrecision, target, cal.Coverage)
	}
	if answerDone {
		fmt.Fprintf(stdout, "answer calibrator refitted; on the held-out half: ECE %.3f (default %.3f), at P ≥ %.2f precision %.3f with coverage %.3f\n",
			cal.AnswerECE, cal.DefaultAnswerECE, target, cal.AnswerPrecision, cal.AnswerCoverage)
	}
	fmt.Fprintln(stdout, "running servers apply it within a few seconds; undo with: tandem eval calibrate --revert")
	return nil
}

// calibrateIntents fits the intent threshold on half of the set's intent cases and checks it
// on the other half; false when there are too few.
func calibrateIntents(ev *evaluator, cases []evals.Case, target float64, cal *calibration, stderr io.Writer) (bool, error) {
	var scored []scoredCase
	bar := newProgress(stderr, "intents", len(cases))
	for i, c := range cases {
		if intentOnly(c) {
			name, p := ev.intents.Predict(c.Text)
			scored = append(scored, scoredCase{p: p, answered: name != intent.OOS, right: name == c.ExpectedIntent})
		}
		bar.set(i + 1)
	}
	bar.done()
	if len(scored) < 20 {
		return false, nil
	}
	fit, held := split(scored)
	threshold, ok := lowestThreshold(fit, target)
	if !ok {
		return false, fmt.Errorf("no intent threshold reaches precision %.2f; add examples to the intents or lower the target", target)
	}
	cal.Threshold = threshold
	cal.Coverage, cal.HeldOutPrecision = operate(held, threshold)
	return true, nil
}

// calibrateAnswers fits the answer calibrator on half of the set's cases with expected sources
// (right: the top document is one of them) and checks it on the other half; false when there
// are too few.
func calibrateAnswers(ctx context.Context, ev *evaluator, cases []evals.Case, target float64, cal *calibration, stderr io.Writer) bool {
	var fit, check []bot.Sample
	bar := newProgress(stderr, "answers", len(cases))
	for i, c := range cases {
		bar.set(i + 1)
		if len(c.ExpectedSources) == 0 {
			continue
		}
		rs := retrieval.TopDocuments(ev.search.Search(ctx, retrieval.Query{Text: c.Text, K: 60}), 11)
		s := bot.Sample{Signals: bot.Measure(rs[:min(10, len(rs))], ev.search.QueryWeight(c.Text)),
			Correct: len(rs) > 0 && slices.Contains(c.ExpectedSources, rs[0].Doc.ID)}
		if len(fit) <= len(check) {
			fit = append(fit, s)
		} else {
			check = append(check, s)
		}
	}
	bar.done()
	if len(fit)+len(check) < 20 {
		return false
	}
	c := bot.Fit(fit)
	cal.Calibrator = &c
	cal.AnswerECE, cal.DefaultAnswerECE = calibrationError(c, check), calibrationError(bot.DefaultCalibrator, check)
	cal.AnswerCoverage, cal.AnswerPrecision = answered(c, check, target)
	return true
}

func thresholdName(t float64) string {
	if t == 0 {
		return fmt.Sprintf("the default %.2f", intent.DefaultThreshold)
	}
	return fmt.Sprintf("%.3f", t)
}

// scoredCase is an intent case's top prediction: its probability, whether it named an intent,
// and whether that intent is the expected one.
type scoredCase struct {
	p               float64
	answered, right bool
}

// split alternates cases into a fitting half and a held-out half.
func split(xs []scoredCase) (fit, held []scoredCase) {
	for i, x := range xs {
		if i%2 == 0 {
			fit = append(fit, x)
		} else {
			held = append(held, x)
		}
	}
	return fit, held
}

// lowestThreshold is the lowest probability at which the answers at or above it reach target
// precision: the most coverage that keeps the promise.
func lowestThreshold(xs []scoredCase, target float64) (float64, bool) {
	ps := make([]float64, 0, len(xs))
	for _, x := range xs {
		if x.answered {
			ps = append(ps, x.p)
		}
	}
	slices.Sort(ps)
	ps = slices.Compact(ps)
	for _, t := range ps {
		if _, prec := operate(xs, t); prec >= target {
			return t, true
		}
	}
	return 0, false
}

// operate answers the cases at or above t: the share of all cases answered and their precision.
func operate(xs []scoredCase, t float64) (coverage, precision float64) {
	answered, right := 0, 0
	for _, x := range xs {
		if x.answered && x.p >= t {
			answered++
			if x.right {
				right++
			}
		}
	}
	if len(xs) == 0 || answered == 0 {
		return 0, 0
	}
	return float64(answered) / float64(len(xs)), float64(right) / float64(answered)
}

func wrong(results []evals.Result) int {
	n := 0
	for _, r := range results {
		if !r.Correct {
			n++
		}
	}
	return n
}
