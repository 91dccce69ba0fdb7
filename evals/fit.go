package evals

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"tandem/bot"
	"tandem/intent"
	"tandem/retrieval"
	"tandem/settings"
)

// Sizes of a calibration fit.
const (
	// MinFitCases is the fewest cases of a kind (intent cases, or cases with expected sources)
	// a calibration fits on.
	MinFitCases = 20
	// fitSearchK is how many chunks a fit's search asks for: many, so that each of the top
	// documents is found.
	fitSearchK = 60
	// fitDocs is how many documents a fit reads the signals of (the last one only for the gap
	// below the others).
	fitDocs = 11
)

// Prediction is an intent case's top prediction: its probability, whether it named an intent,
// and whether that intent is the expected one.
type Prediction struct {
	P               float64
	Answered, Right bool
}

// Split alternates items into a fitting half and a held-out half.
func Split[T any](xs []T) (fit, held []T) {
	for i, x := range xs {
		if i%2 == 0 {
			fit = append(fit, x)
		} else {
			held = append(held, x)
		}
	}
	return fit, held
}

// LowestThreshold is the lowest probability at which the answers at or above it reach target
// precision: the most coverage that keeps the promise.
func LowestThreshold(xs []Prediction, target float64) (float64, bool) {
	ps := make([]float64, 0, len(xs))
	for _, x := range xs {
		if x.Answered {
			ps = append(ps, x.P)
		}
	}
	slices.Sort(ps)
	ps = slices.Compact(ps)
	for _, t := range ps {
		if _, prec := Operate(xs, t); prec >= target {
			return t, true
		}
	}
	return 0, false
}

// Operate answers the cases at or above t: the share of all cases answered and their precision.
func Operate(xs []Prediction, t float64) (coverage, precision float64) {
	answered, right := 0, 0
	for _, x := range xs {
		if x.Answered && x.P >= t {
			answered++
			if x.Right {
				right++
			}
		}
	}
	if len(xs) == 0 || answered == 0 {
		return 0, 0
	}
	return float64(answered) / float64(len(xs)), float64(right) / float64(answered)
}

// IntentFit is an intent threshold fitted on half of a set's intent cases, and what it does on
// the other half.
type IntentFit struct {
	Threshold        float64
	Coverage         float64 // share of the held-out cases answered
	HeldOutPrecision float64
}

// FitIntentThreshold fits the intent threshold for target precision on half of the intent-only
// cases, as predict (intent.Live.Predict) labels them, and checks it on the other half; ok is
// false when there are fewer than MinFitCases. It fails when no threshold reaches the target.
func FitIntentThreshold(cases []Case, predict func(text string) (string, float64), target float64, progress func(done, total int)) (fit IntentFit, ok bool, err error) {
	var xs []Prediction
	for i, c := range cases {
		if IntentOnly(c) {
			name, p := predict(c.Text)
			xs = append(xs, Prediction{P: p, Answered: name != intent.OOS, Right: name == c.ExpectedIntent})
		}
		tell(progress, i+1, len(cases))
	}
	if len(xs) < MinFitCases {
		return fit, false, nil
	}
	fitting, held := Split(xs)
	t, ok := LowestThreshold(fitting, target)
	if !ok {
		return fit, false, fmt.Errorf("no intent threshold reaches precision %.2f; add examples to the intents or lower the target", target)
	}
	fit.Threshold = t
	fit.Coverage, fit.HeldOutPrecision = Operate(held, t)
	return fit, true, nil
}

// AnswerFit is an answer calibrator fitted on half of a set's cases with expected sources, and
// what it does on the other half.
type AnswerFit struct {
	Calibrator bot.Calibrator
	ECE        float64 // of the fitted calibrator
	DefaultECE float64 // of bot.DefaultCalibrator
	Coverage   float64 // share answered at P ≥ target
	Precision  float64 // of those answers
}

// FitAnswerCalibrator fits the answer calibrator on half of the cases with expected sources
// (right: the top document is one of them) and checks it on the other half; ok is false when
// there are fewer than MinFitCases.
func FitAnswerCalibrator(ctx context.Context, cases []Case, s bot.Searcher, target float64, progress func(done, total int)) (fit AnswerFit, ok bool) {
	var fitting, check []bot.Sample
	for i, c := range cases {
		tell(progress, i+1, len(cases))
		if len(c.ExpectedSources) == 0 {
			continue
		}
		asked, _ := measure(ctx, s, c.Text, c.ExpectedSources)
		if len(fitting) <= len(check) {
			fitting = append(fitting, asked)
		} else {
			check = append(check, asked)
		}
	}
	if len(fitting)+len(check) < MinFitCases {
		return fit, false
	}
	c := bot.Fit(fitting)
	fit = AnswerFit{Calibrator: c, ECE: bot.ECE(c, check), DefaultECE: bot.ECE(bot.DefaultCalibrator, check)}
	fit.Coverage, fit.Precision = answeredAt(c, check, target)
	return fit, true
}

// ConfidenceReport is what `tandem eval confidence` prints.
type ConfidenceReport struct {
	N                 int            `json:"n"`
	FitN              int            `json:"fit_n"`
	ECE               float64        `json:"ece"`
	DefaultECE        float64        `json:"default_ece"`
	TargetPrecision   float64        `json:"target_precision"`
	CoverageAtTarget  float64        `json:"coverage_at_target"`
	PrecisionAtTarget float64        `json:"precision_at_target"`
	Calibrator        bot.Calibrator `json:"calibrator"`
}

// Confidence fits the calibrator from retrieval signals to P(the top answer is right). Every
// question is used twice: as asked (right when its answer is the top document) and with its
// answer documents removed from the results (never right: the question the knowledge base
// cannot answer). Even-numbered questions fit, odd-numbered ones measure; the reported
// calibrator is fitted on all of them.
func Confidence(ctx context.Context, questions []Question, s bot.Searcher, target float64, progress func(done, total int)) ConfidenceReport {
	var fit, check []bot.Sample
	for i, q := range questions {
		asked, without := measure(ctx, s, q.Question, q.AnswerIDs)
		if i%2 == 0 {
			fit = append(fit, asked, without)
		} else {
			check = append(check, asked, without)
		}
		tell(progress, i+1, len(questions))
	}
	c := bot.Fit(fit)
	r := ConfidenceReport{N: len(check), FitN: len(fit), TargetPrecision: target, ECE: bot.ECE(c, check),
		DefaultECE: bot.ECE(bot.DefaultCalibrator, check), Calibrator: bot.Fit(append(fit, check...))}
	r.CoverageAtTarget, r.PrecisionAtTarget = answeredAt(c, check, target)
	return r
}

// measure searches for a question and reads the signals as found (right when the top document
// is one of answerIDs) and as they would be without those documents (never right).
func measure(ctx context.Context, s bot.Searcher, text string, answerIDs []string) (asked, without bot.Sample) {
	rs := retrieval.TopDocuments(s.Search(ctx, retrieval.Query{Text: text, K: fitSearchK}), fitDocs)
	qw := s.QueryWeight(text)
	rest := slices.DeleteFunc(slices.Clone(rs), func(r retrieval.Result) bool { return slices.Contains(answerIDs, r.Doc.ID) })
	asked = bot.Sample{Signals: bot.Measure(rs[:min(fitDocs-1, len(rs))], qw), Correct: len(rs) > 0 && slices.Contains(answerIDs, rs[0].Doc.ID), Answerable: true}
	without = bot.Sample{Signals: bot.Measure(rest[:min(fitDocs-1, len(rest))], qw)}
	asked.Signals.SetUnseen(s.Unseen(text, ""))
	gone := ""
	if len(answerIDs) == 1 {
		gone = answerIDs[0]
	}
	without.Signals.SetUnseen(s.Unseen(text, gone))
	return asked, without
}

// answeredAt returns the share of samples answered at P ≥ target and the precision of those
// answers.
func answeredAt(c bot.Calibrator, xs []bot.Sample, target float64) (coverage, precision float64) {
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

// tell reports progress, if anyone listens.
func tell(progress func(done, total int), done, total int) {
	if progress != nil {
		progress(done, total)
	}
}

// ErrTooFewCases is Refit's error for cases too few to refit anything.
var ErrTooFewCases = errors.New("too few cases to calibrate on")

// Refit fits a calibration for target on cases over prev, the active one: the intent threshold
// from the intent cases (predict is the router's), the answer calibrator from the cases with
// expected sources (s is the bot's search). What the cases are too few to refit stays as prev
// had it; intents and answers say what was refitted. stage gives each fit's progress callback
// and the function that ends it.
func Refit(ctx context.Context, cases []Case, predict func(text string) (string, float64), s bot.Searcher, prev settings.Calibration, target float64,
	stage func(name string) (progress func(done, total int), end func())) (cal settings.Calibration, intents, answers bool, err error) {
	cal = prev
	cal.Target = target
	progress, end := stage("intents")
	in, intents, err := FitIntentThreshold(cases, predict, target, progress)
	end()
	if err != nil {
		return cal, false, false, err
	}
	if intents {
		cal.Threshold, cal.Coverage, cal.HeldOutPrecision = in.Threshold, in.Coverage, in.HeldOutPrecision
	}
	progress, end = stage("answers")
	ans, answers := FitAnswerCalibrator(ctx, cases, s, target, progress)
	end()
	if answers {
		cal.Calibrator, cal.AnswerECE, cal.DefaultAnswerECE = &ans.Calibrator, ans.ECE, ans.DefaultECE
		cal.AnswerCoverage, cal.AnswerPrecision = ans.Coverage, ans.Precision
	}
	if !intents && !answers {
		return cal, false, false, fmt.Errorf("%w: at least %d intent cases or %d cases with expected sources", ErrTooFewCases, MinFitCases, MinFitCases)
	}
	return cal, intents, answers, nil
}
