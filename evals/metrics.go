package evals

import "slices"

// DefaultTarget is the answer precision a run's operating threshold is chosen for when the
// caller names none: nine answers in ten right.
const DefaultTarget = 0.9

// Metrics summarises a scored run. Rates are shares in [0, 1] over the cases they apply to
// (0 when none do), rounded to four decimals.
type Metrics struct {
	Cases             int     `json:"cases"`
	Errors            int     `json:"errors"`
	Accuracy          float64 `json:"accuracy"`           // share Correct
	IntentAccuracy    float64 `json:"intent_accuracy"`    // in-scope cases with an expected intent: predicted == expected
	OOSRecall         float64 `json:"oos_recall"`         // expected out of scope: not answered
	DecisionPrecision float64 `json:"decision_precision"` // of the answered, share Correct
	DecisionRecall    float64 `json:"decision_recall"`    // of the expected-answer cases, share answered and Correct
	HitAt1            float64 `json:"hit_at_1"`           // among cases with expected sources
	HitAt5            float64 `json:"hit_at_5"`
	AnswerF1          float64 `json:"answer_f1"` // mean F1 among answered cases with an expected answer
	// ActionAccuracy is, among cases with an expected action, the share that ran it (or none)
	// with the expected arguments.
	ActionAccuracy float64 `json:"action_accuracy"`
	ECE            float64 `json:"ece"` // 10-bin calibration error of Confidence against Correct, answered cases
	// Threshold is the lowest confidence at which the answers at or above it reach Target
	// precision (1 with zero coverage when none does); Coverage is the share of all cases
	// answered at or above it and PrecisionAtThreshold their precision.
	Target               float64 `json:"target"`
	Threshold            float64 `json:"threshold"`
	Coverage             float64 `json:"coverage"`
	PrecisionAtThreshold float64 `json:"precision_at_threshold"`
	P50Millis            float64 `json:"p50_millis"`
	P99Millis            float64 `json:"p99_millis"`
	// Judged counts the cases each rate is over, so a rate over no case reads "n/a", not 0 %
	// (nil in runs stored before it was counted).
	Judged *Judged `json:"judged,omitempty"`
}

// Judged is how many cases each of Metrics' rates was computed over.
type Judged struct {
	Intent         int `json:"intent"`          // IntentAccuracy: in-scope cases with an expected intent
	OOS            int `json:"oos"`             // OOSRecall: expected out of scope
	Answered       int `json:"answered"`        // DecisionPrecision
	ExpectedAnswer int `json:"expected_answer"` // DecisionRecall
	Sources        int `json:"sources"`         // HitAt1, HitAt5
	AnswerText     int `json:"answer_text"`     // AnswerF1
	Actions        int `json:"actions"`         // ActionAccuracy: cases with an expected action
}

// share counts how many of the cases a rate applies to pass.
type share struct{ pass, of int }

func (s *share) add(ok bool) {
	s.of++
	if ok {
		s.pass++
	}
}

func (s share) rate() float64 { return round(ratio(s.pass, s.of)) }

// Summarize computes a run's metrics; target is the precision the operating threshold is
// chosen for.
func Summarize(results []Result, target float64) Metrics {
	m := Metrics{Cases: len(results), Target: target}
	var acc, intent, oos, prec, rec, hit1, hit5, act share
	var f1 float64
	var f1n int
	lat := make([]float64, 0, len(results))
	for _, r := range results {
		if r.Err != "" {
			m.Errors++
		}
		acc.add(r.Correct)
		if r.ExpectedIntent != "" && r.ExpectedIntent != OOS && r.IntentOK != nil {
			intent.add(*r.IntentOK)
		}
		if r.ExpectedIntent == OOS {
			oos.add(r.heldBack())
		}
		if r.answered() {
			prec.add(r.Correct)
		}
		if r.ExpectedDecision == DecisionAnswer {
			rec.add(r.answered() && r.Correct)
		}
		if r.SourcesJudged {
			hit1.add(r.HitRank == 1)
			hit5.add(r.HitRank >= 1 && r.HitRank <= 5)
		}
		if r.ActionOK != nil {
			act.add(*r.ActionOK)
		}
		if r.F1 != nil {
			f1 += *r.F1
			f1n++
		}
		lat = append(lat, r.Millis)
	}
	m.Accuracy, m.IntentAccuracy, m.OOSRecall = acc.rate(), intent.rate(), oos.rate()
	m.DecisionPrecision, m.DecisionRecall = prec.rate(), rec.rate()
	m.HitAt1, m.HitAt5, m.ActionAccuracy = hit1.rate(), hit5.rate(), act.rate()
	m.Judged = &Judged{Intent: intent.of, OOS: oos.of, Answered: prec.of, ExpectedAnswer: rec.of, Sources: hit1.of, AnswerText: f1n, Actions: act.of}
	if f1n > 0 {
		m.AnswerF1 = round(f1 / float64(f1n))
	}
	m.ECE = round(calibrationError(ReliabilityBins(results, eceBins)))
	m.Threshold, m.Coverage, m.PrecisionAtThreshold = operatingPoint(results, target)
	if len(lat) > 0 {
		slices.Sort(lat)
		m.P50Millis, m.P99Millis = round(quantile(lat, 0.5)), round(quantile(lat, 0.99))
	}
	return m
}
