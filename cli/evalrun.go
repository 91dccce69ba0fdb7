package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"tandem/config"
	"tandem/evals"
	"tandem/intent"
	"tandem/progress"
	"tandem/settings"
)

// maxEvalCases bounds one imported file.
const maxEvalCases = 200_000

// evalImport handles `tandem eval import --set NAME [--replace] FILE.jsonl`.
func (d Deps) evalImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var set string
	var replace bool
	_, _, st, rest, err := d.Setup(ctx, "eval import", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&set, "set", "", "the eval set to add the cases to (required)")
		fs.BoolVar(&replace, "replace", false, "replace the set's cases instead of adding to them")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := evals.ValidSetName(set); err != nil {
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
	n, err := evals.PutCases(ctx, st, set, cases, replace, time.Now().UTC())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d cases into %s (%d in all)\n", len(cases), set, n)
	return nil
}

// evalExport handles `tandem eval export --set NAME [--format case|intents|qa]`.
func (d Deps) evalExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var set, format string
	_, _, st, _, err := d.Setup(ctx, "eval export", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&set, "set", "", "the eval set (required)")
		fs.StringVar(&format, "format", "case", "case, intents ({\"text\",\"intent\"}) or qa ({\"question\",\"answer_ids\"})")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	cases, err := evals.LoadCases(ctx, st, set)
	if err != nil {
		return err
	}
	return evals.Export(stdout, cases, format)
}

// evalSets handles `tandem eval sets`: the sets and their latest runs.
func (d Deps) evalSets(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	_, _, st, _, err := d.Setup(ctx, "eval sets", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	return evals.WriteSets(ctx, st, stdout)
}

// runSet replays a set through the current configuration and stores the run (see
// evals.Replayer); notes about the baseline go to stderr.
func (d Deps) runSet(ctx context.Context, cfg config.Config, st Store, set, baseline string, target float64, stderr io.Writer, progress func(done, total int)) (evals.SetRun, error) {
	p := &evals.Replayer{Store: st, Notes: stderr, Evaluator: func(ctx context.Context) (*evals.Evaluator, error) {
		return d.Evaluator(ctx, cfg, st, stderr)
	}}
	return p.Replay(ctx, set, baseline, target, progress)
}

// evalRun handles `tandem eval run --set NAME [--baseline RUN] [--fail-on-regression] [--json] [--report out.html]`.
func (d Deps) evalRun(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var set, baseline, reportPath string
	var failOnRegression, asJSON bool
	var target float64
	cfg, _, st, _, err := d.Setup(ctx, "eval run", args, getenv, stderr, func(fs *flag.FlagSet) {
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
	bar, done := progressBar(stderr, "evaluating")
	r, err := d.runSet(ctx, cfg, st, set, baseline, target, stderr, bar)
	done()
	if err != nil {
		return err
	}
	if reportPath != "" {
		if err := writeFile(reportPath, r.WriteReport); err != nil {
			return err
		}
	}
	out := r.Summary()
	if asJSON {
		printJSON(stdout, out)
	} else {
		out.WriteText(stdout)
		if reportPath != "" {
			fmt.Fprintf(stdout, "report: %s\n", reportPath)
		}
	}
	switch {
	case failOnRegression && r.Base != nil && r.Regressions > 0:
		return fmt.Errorf("%d regressions against %s", r.Regressions, r.Base.ID)
	case failOnRegression && r.Base == nil && r.Metrics.Accuracy < 1:
		return fmt.Errorf("%d of %d cases fail", evals.Wrong(r.Results), len(r.Results))
	}
	return nil
}

// progressBar is a progress callback drawing a bar labelled label on stderr, sized by its first
// call's total, and the function that finishes the bar.
func progressBar(stderr io.Writer, label string) (func(done, total int), func()) {
	var bar *progress.Bar
	set := func(done, total int) {
		if bar == nil {
			bar = progress.New(stderr, label, total)
		}
		bar.Set(done)
	}
	return set, func() {
		if bar != nil {
			bar.Done()
		}
	}
}

// printJSON prints v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeFile writes what write renders to path.
func writeFile(path string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// evalCalibrate handles `tandem eval calibrate --set NAME [--target P]` and `--revert`: fits the
// intent threshold and the answer calibrator on half of the set, checks them on the other half,
// and activates them.
func (d Deps) evalCalibrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var set string
	var target float64
	var revert bool
	cfg, _, st, _, err := d.Setup(ctx, "eval calibrate", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&set, "set", "", "the eval set to fit on (required unless --revert)")
		fs.Float64Var(&target, "target", 0, "the precision to reach (default: the configured target precision)")
		fs.BoolVar(&revert, "revert", false, "go back to the previous calibration")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	tune := settings.NewTuning(st, cfg.TargetPrecision, nil, Logger(cfg, stderr))
	if revert {
		prev, err := tune.Revert(ctx)
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
	cases, err := evals.LoadCases(ctx, st, set)
	if err != nil {
		return err
	}
	if err := tune.Load(ctx); err != nil {
		return err
	}
	if target == 0 {
		target = tune.TargetPrecision()
	}
	if target <= 0.5 || target >= 1 {
		return errors.New("--target must be between 0.5 and 1")
	}
	ev, err := d.Evaluator(ctx, cfg, st, stderr)
	if err != nil {
		return err
	}
	// What this set cannot refit stays as the active calibration had it.
	var prev settings.Calibration
	if h, err := tune.Calibrations(ctx); err == nil && len(h.History) > 0 {
		prev = h.History[len(h.History)-1]
	}
	stage := func(name string) (func(done, total int), func()) { return progressBar(stderr, name) }
	cal, intentDone, answerDone, err := evals.Refit(ctx, cases, ev.Intents.Predict, ev.Search, prev, target, stage)
	if errors.Is(err, evals.ErrTooFewCases) {
		return fmt.Errorf("set %s has %w", set, err)
	}
	if err != nil {
		return err
	}
	cal.Set, cal.CreatedAt = set, time.Now().UTC()
	if cal, err = tune.Activate(ctx, cal); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "calibration v%d active\n", cal.Version)
	if intentDone {
		fmt.Fprintf(stdout, "intent threshold %.3f (was %s); on the held-out half: precision %.3f (target %.2f), coverage %.3f of cases answered\n",
			cal.Threshold, thresholdName(ev.Intents.Threshold()), cal.HeldOutPrecision, target, cal.Coverage)
	}
	if answerDone {
		fmt.Fprintf(stdout, "answer calibrator refitted; on the held-out half: ECE %.3f (default %.3f), at P ≥ %.2f precision %.3f with coverage %.3f\n",
			cal.AnswerECE, cal.DefaultAnswerECE, target, cal.AnswerPrecision, cal.AnswerCoverage)
	}
	fmt.Fprintln(stdout, "running servers apply it within a few seconds; undo with: tandem eval calibrate --revert")
	return nil
}

func thresholdName(t float64) string {
	if t == 0 {
		return fmt.Sprintf("the default %.2f", intent.DefaultThreshold)
	}
	return fmt.Sprintf("%.3f", t)
}
