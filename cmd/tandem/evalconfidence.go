package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math"
	"slices"

	"tandem/bot"
	"tandem/progress"
	"tandem/retrieval"
)

// confidenceReport is what `tandem eval confidence` prints.
type confidenceReport struct {
	N                 int            `json:"n"`
	FitN              int            `json:"fit_n"`
	ECE               float64        `json:"ece"`
	DefaultECE        float64        `json:"default_ece"`
	TargetPrecision   float64        `json:"target_precision"`
	CoverageAtTarget  float64        `json:"coverage_at_target"`
	PrecisionAtTarget float64        `json:"precision_at_target"`
	Calibrator        bot.Calibrator `json:"calibrator"`
}

// evalConfidence fits the calibrator from retrieval signals to P(the top answer is right). Every
// question is used twice: as asked (right when its answer is the top document) and with its
// answer documents removed from the results (never right: the question the knowledge base cannot
// answer). Even-numbered questions fit, odd-numbered ones measure; the printed calibrator is fitted
// on all of them.
func evalConfidence(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var knowledgePath, questionsPath, split string
	var target float64
	cfg, _, err := loadConfig("eval confidence", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&knowledgePath, "knowledge", "", "knowledge JSONL (required)")
		fs.StringVar(&questionsPath, "questions", "", "questions JSONL with answer_ids (required)")
		fs.StringVar(&split, "split", "", "only questions of this split")
		fs.Float64Var(&target, "target-precision", 0.9, "answer when P(right) is at least this")
	})
	if err != nil {
		return err
	}
	if knowledgePath == "" || questionsPath == "" {
		return errors.New("--knowledge and --questions are required")
	}
	if target <= 0 || target >= 1 {
		return errors.New("--target-precision must be between 0 and 1")
	}
	questions, err := readQuestions(questionsPath, split)
	if err != nil {
		return err
	}
	kb, _, cleanup, err := evalKnowledge(ctx, cfg, knowledgePath, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	var fit, check []bot.Sample
	bar := progress.New(stderr, "measuring", len(questions))
	for i, q := range questions {
		rs := retrieval.TopDocuments(kb.Search.Search(ctx, retrieval.Query{Text: q.Question, K: 60}), 11)
		qw := kb.Search.QueryWeight(q.Question)
		without := slices.DeleteFunc(slices.Clone(rs), func(r retrieval.Result) bool { return slices.Contains(q.AnswerIDs, r.Doc.ID) })
		pair := []bot.Sample{
			{Signals: bot.Measure(rs[:min(10, len(rs))], qw), Correct: len(rs) > 0 && slices.Contains(q.AnswerIDs, rs[0].Doc.ID)},
			{Signals: bot.Measure(without[:min(10, len(without))], qw)},
		}
		if i%2 == 0 {
			fit = append(fit, pair...)
		} else {
			check = append(check, pair...)
		}
		bar.Set(i + 1)
	}
	bar.Done()
	c := bot.Fit(fit)
	r := confidenceReport{N: len(check), FitN: len(fit), TargetPrecision: target, ECE: calibrationError(c, check),
		DefaultECE: calibrationError(bot.DefaultCalibrator, check), Calibrator: bot.Fit(append(fit, check...))}
	r.CoverageAtTarget, r.PrecisionAtTarget = answered(c, check, target)
	return json.NewEncoder(stdout).Encode(r)
}

// calibrationError is the expected calibration error over 10 equal-width bins.
func calibrationError(c bot.Calibrator, xs []bot.Sample) float64 {
	var conf, acc, n [10]float64
	for _, s := range xs {
		p := c.P(s.Signals)
		b := min(9, int(p*10))
		conf[b] += p
		if s.Correct {
			acc[b]++
		}
		n[b]++
	}
	e := 0.0
	for b := range conf {
		e += math.Abs(acc[b]-conf[b]) / float64(len(xs))
	}
	return math.Round(e*10000) / 10000
}

// answered returns the share of turns answered at P ≥ target and the precision of those answers.
func answered(c bot.Calibrator, xs []bot.Sample, target float64) (coverage, precision float64) {
	var n, right float64
	for _, s := range xs {
		if c.P(s.Signals) >= target {
			n++
			if s.Correct {
				right++
			}
		}
	}
	if n == 0 {
		return 0, 0
	}
	return math.Round(n/float64(len(xs))*10000) / 10000, math.Round(right/n*10000) / 10000
}
