package evals

import (
	"math"
	"sort"
)

// OOS is the out-of-scope label.
const OOS = "oos"

// eceBins is the number of equal-width confidence bins of the expected calibration error.
const eceBins = 10

// Scored is one classified example: the gold label, the model's top label and its probability.
type Scored struct {
	Gold, Pred string
	Prob       float64
}

// IntentReport is what `tandem eval intents` prints.
type IntentReport struct {
	N                 int     `json:"n"`
	Accuracy          float64 `json:"accuracy"`
	InScopeAccuracy   float64 `json:"in_scope_accuracy"`
	OOSRecall         float64 `json:"oos_recall"`
	OOSPrecision      float64 `json:"oos_precision"`
	MacroF1           float64 `json:"macro_f1"`
	MCC               float64 `json:"mcc"`
	OOSMCC            float64 `json:"oos_mcc"`
	ECE               float64 `json:"ece"`
	TargetPrecision   float64 `json:"target_precision"`
	CoverageAtTarget  float64 `json:"coverage_at_target"`
	PrecisionAtTarget float64 `json:"precision_at_target"`
	OOSThreshold      float64 `json:"oos_threshold"`
	OOSRule           string  `json:"oos_rule,omitempty"` // how the threshold was picked: held_out_oos, in_scope_quantile, closed_set
	AnswerThreshold   float64 `json:"answer_threshold"`
	TrainSeconds      float64 `json:"train_seconds"`
}

// label is the final prediction: out of scope when the top label's probability is under the
// threshold.
func label(s Scored, oosThreshold float64) string {
	if s.Pred != OOS && s.Prob < oosThreshold {
		return OOS
	}
	return s.Pred
}

// PickOOSThreshold returns the probability under which a prediction becomes out of scope that
// maximises accuracy on held-out examples (0 when they have no out-of-scope lines).
func PickOOSThreshold(held []Scored) float64 {
	best, bestAcc := 0.0, -1.0
	for _, t := range candidates(held) {
		correct := 0
		for _, s := range held {
			if label(s, t) == s.Gold {
				correct++
			}
		}
		if acc := float64(correct) / float64(len(held)); acc > bestAcc {
			best, bestAcc = t, acc
		}
	}
	return best
}

// PickAnswerThreshold returns the lowest probability at which the answers given (in-scope
// predictions at or above it) reach the target precision on held-out examples, or 1.
func PickAnswerThreshold(held []Scored, oosThreshold, target float64) float64 {
	for _, t := range candidates(held) {
		if cov, prec := answered(held, oosThreshold, t); cov > 0 && prec >= target {
			return t
		}
	}
	return 1
}

// candidates are the distinct probabilities, ascending, starting at 0.
func candidates(held []Scored) []float64 {
	ts := []float64{0}
	for _, s := range held {
		ts = append(ts, s.Prob)
	}
	sort.Float64s(ts)
	return ts
}

// answered returns the share of examples the bot would answer and how many of those are right.
func answered(xs []Scored, oosThreshold, t float64) (coverage, precision float64) {
	n, right := 0, 0
	for _, s := range xs {
		if l := label(s, oosThreshold); l != OOS && s.Prob >= t {
			n++
			if l == s.Gold {
				right++
			}
		}
	}
	if n == 0 {
		return 0, 0
	}
	return float64(n) / float64(len(xs)), float64(right) / float64(n)
}

// IntentMetrics scores test predictions with thresholds chosen beforehand.
func IntentMetrics(test []Scored, oosThreshold, answerThreshold, target float64) IntentReport {
	r := IntentReport{N: len(test), TargetPrecision: target, OOSThreshold: round(oosThreshold), AnswerThreshold: round(answerThreshold)}
	if len(test) == 0 {
		return r
	}
	gold, pred := make([]string, len(test)), make([]string, len(test))
	var correct, inScope, inRight, oosGold, oosPred, oosBoth int
	for i, s := range test {
		gold[i], pred[i] = s.Gold, label(s, oosThreshold)
		if gold[i] == pred[i] {
			correct++
		}
		if s.Gold != OOS {
			inScope++
			if pred[i] == s.Gold {
				inRight++
			}
		}
		if s.Gold == OOS {
			oosGold++
		}
		if pred[i] == OOS {
			oosPred++
			if s.Gold == OOS {
				oosBoth++
			}
		}
	}
	r.Accuracy = round(float64(correct) / float64(len(test)))
	r.InScopeAccuracy = round(ratio(inRight, inScope))
	r.OOSRecall, r.OOSPrecision = round(ratio(oosBoth, oosGold)), round(ratio(oosBoth, oosPred))
	r.MacroF1, r.MCC = round(macroF1(gold, pred)), round(mcc(gold, pred))
	r.OOSMCC = round(mcc(binary(gold), binary(pred)))
	r.ECE = round(ece(test))
	cov, prec := answered(test, oosThreshold, answerThreshold)
	r.CoverageAtTarget, r.PrecisionAtTarget = round(cov), round(prec)
	return r
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func binary(labels []string) []string {
	out := make([]string, len(labels))
	for i, l := range labels {
		out[i] = "in"
		if l == OOS {
			out[i] = OOS
		}
	}
	return out
}

// macroF1 averages per-label F1 over every label seen in gold or predictions.
func macroF1(gold, pred []string) float64 {
	tp, fp, fn := map[string]int{}, map[string]int{}, map[string]int{}
	for i := range gold {
		if gold[i] == pred[i] {
			tp[gold[i]]++
		} else {
			fp[pred[i]]++
			fn[gold[i]]++
		}
	}
	labels := map[string]bool{}
	for i := range gold {
		labels[gold[i]], labels[pred[i]] = true, true
	}
	sum := 0.0
	for l := range labels {
		if d := 2*tp[l] + fp[l] + fn[l]; d > 0 {
			sum += 2 * float64(tp[l]) / float64(d)
		}
	}
	return sum / float64(len(labels))
}

// mcc is the multi-class Matthews correlation (Gorodkin's R_K, as scikit-learn computes it).
func mcc(gold, pred []string) float64 {
	t, p := map[string]float64{}, map[string]float64{}
	c := 0.0
	for i := range gold {
		t[gold[i]]++
		p[pred[i]]++
		if gold[i] == pred[i] {
			c++
		}
	}
	s := float64(len(gold))
	var pt, pp, tt float64
	for l, pk := range p {
		pt += pk * t[l]
		pp += pk * pk
	}
	for _, tk := range t {
		tt += tk * tk
	}
	den := math.Sqrt((s*s - pp) * (s*s - tt))
	if den == 0 {
		return 0
	}
	return (c*s - pt) / den
}

// ece is the expected calibration error of the top label's probability.
func ece(xs []Scored) float64 {
	var conf, acc [eceBins]float64
	var n [eceBins]int
	for _, s := range xs {
		b := min(eceBins-1, int(s.Prob*eceBins))
		conf[b] += s.Prob
		if s.Pred == s.Gold {
			acc[b]++
		}
		n[b]++
	}
	e := 0.0
	for b := range eceBins {
		if n[b] > 0 {
			e += math.Abs(acc[b]-conf[b]) / float64(len(xs))
		}
	}
	return e
}
