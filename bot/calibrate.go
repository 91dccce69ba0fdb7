package bot

import (
	"math"

	"tandem/retrieval"
)

// Signals are what a turn's retrieval says about whether its top answer is right.
type Signals struct {
	Coverage  float64 `json:"coverage"`  // top hit's BM25 over the query's largest possible BM25
	Margin    float64 `json:"margin"`    // top hit's BM25 lead over the runner-up document, relative
	Vector    float64 `json:"vector"`    // top hit's cosine similarity (0 when the vector leg missed it)
	Agreement float64 `json:"agreement"` // 1 when both legs rank the top hit among their first three
	// Phrase is how close the top document's best phrasing (its title or a similar question) is to
	// the customer's text; PhraseLead its lead over the best phrasing of any other document found.
	Phrase     float64 `json:"phrase"`
	PhraseLead float64 `json:"phrase_lead"`
	// Unanimous is 1 when the body's words, the phrasings and the fused ranking all put the top
	// document first.
	Unanimous float64 `json:"unanimous"`
	// Unseen is the share of the question's words that the knowledge base never uses (see
	// retrieval.Index.Unseen): a question about something it has not written up.
	Unseen float64 `json:"unseen"`
	// Foreign is 1 when at least one whole word of the question is unseen.
	Foreign float64 `json:"foreign"`
}

// SetUnseen sets Unseen and Foreign from Searcher.Unseen.
func (s *Signals) SetUnseen(share float64, words int) {
	s.Unseen, s.Foreign = share, 0
	if words > 0 {
		s.Foreign = 1
	}
}

// Measure computes the signals of document-level results (best first).
func Measure(hits []retrieval.Result, queryWeight float64) Signals {
	if len(hits) == 0 {
		return Signals{}
	}
	top := lexicalScore(hits[0])
	var s Signals
	if queryWeight > 0 {
		s.Coverage = math.Min(1, top/queryWeight)
	}
	s.Margin = 1
	if len(hits) > 1 && top > 0 {
		s.Margin = max(0, top-lexicalScore(hits[1])) / top
	} else if top == 0 {
		s.Margin = 0
	}
	if v := hits[0].Vector; v != nil {
		s.Vector = v.Norm
		if l := hits[0].Lexical; l != nil && l.Rank <= 3 && v.Rank <= 3 {
			s.Agreement = 1
		}
	}
	if p := hits[0].Phrase; p != nil {
		s.Phrase = p.Score
		other := 0.0
		for _, h := range hits[1:] {
			if h.Phrase != nil {
				other = max(other, h.Phrase.Score)
			}
		}
		s.PhraseLead = max(0, p.Score-other)
		if l := hits[0].Lexical; l != nil && l.Rank == 1 && p.Rank == 1 {
			s.Unanimous = 1
		}
	}
	return s
}

// features are the calibrator's inputs: the signals, and the product of the lexical coverage and
// the phrasing similarity (a question both well covered by the body and close to a stored
// question).
func (s Signals) features() [features]float64 {
	return [features]float64{math.Sqrt(s.Coverage), s.Margin, s.Vector, s.Agreement, s.Phrase, s.PhraseLead, s.Phrase * s.PhraseLead, s.Unanimous, s.Unseen, s.Foreign}
}

// features is the number of calibrator inputs.
const features = 10

// Calibrator is a logistic model from signals to P(the top answer is right).
type Calibrator struct {
	W [features]float64 `json:"weights"`
	B float64           `json:"bias"`
	// Curve is the precision and coverage of answering at each threshold, measured on questions
	// the calibrator was not fitted on (empty: not measured).
	Curve []Point `json:"curve,omitempty"`
}

// Point is one threshold of a calibration curve: answering when P(right) ≥ T gives this
// precision and covers this share of the answerable questions.
type Point struct {
	T         float64 `json:"t"`
	Precision float64 `json:"precision"`
	Coverage  float64 `json:"coverage"`
	Answered  int     `json:"answered"` // how many questions were answered at T
}

// vouches reports whether a point answered enough questions to show a precision of target: n
// answers, even all right, show no more than n/(n+1) (the rule of succession), so a high target
// is not met by a handful of lucky answers.
func (p Point) vouches(target float64) bool {
	return float64(p.Answered)/float64(p.Answered+1) >= target
}

// Threshold is the least P(right) at which to answer for a target precision, derived from the
// curve: the lowest threshold whose answers (and those of every higher one with enough answers to
// tell) reach the target. Without a curve, or when no threshold reaches it, it is the target
// itself.
func (c Calibrator) Threshold(target float64) float64 {
	t := target
	for i := len(c.Curve) - 1; i >= 0; i-- {
		p := c.Curve[i]
		if !p.vouches(target) {
			continue // too few answers at this threshold to tell
		}
		if p.Precision < target {
			break
		}
		t = min(t, p.T)
	}
	return t
}

// DefaultCalibrator is what answers before a deployment's own fit is ready, for a knowledge base
// without similar questions, and in tools that do not fit one: FitDefault on the demo knowledge base
// with its synonyms and the local embedder, English and Chinese pooled (TestDefaultCalibrator
// refits it).
var DefaultCalibrator = Calibrator{W: [features]float64{2.355233651733542, 1.9095022768534062, 1.7144682141495282, 0.7356092149695999, -0.5100763929870787,
	-1.4574939757528305, 4.6700153488878335, 0.8243081415442107, -2.2222593749499073, 0.7981460349933264}, B: -2.548899913468381,
	Curve: []Point{
		{0.02, 0.5117, 0.6904, 3678}, {0.04, 0.5228, 0.6899, 3646}, {0.06, 0.5277, 0.6876, 3600}, {0.08, 0.5352, 0.686, 3536},
		{0.1, 0.5452, 0.6831, 3432}, {0.12, 0.5543, 0.6792, 3337}, {0.14, 0.5649, 0.6736, 3236}, {0.16, 0.5796, 0.6702, 3139},
		{0.18, 0.5933, 0.6629, 3034}, {0.2, 0.6068, 0.6596, 2919}, {0.22, 0.6188, 0.6539, 2794}, {0.24, 0.6262, 0.641, 2664},
		{0.26, 0.6392, 0.6354, 2555}, {0.28, 0.6471, 0.627, 2462}, {0.3, 0.6612, 0.6213, 2358}, {0.32, 0.6701, 0.6107, 2247},
		{0.34, 0.6776, 0.6062, 2179}, {0.36, 0.6881, 0.5972, 2099}, {0.38, 0.6945, 0.5888, 2017}, {0.4, 0.709, 0.5781, 1919},
		{0.42, 0.7166, 0.5657, 1840}, {0.44, 0.7256, 0.5567, 1756}, {0.46, 0.7342, 0.5461, 1682}, {0.48, 0.7442, 0.532, 1603},
		{0.5, 0.754, 0.5208, 1527}, {0.52, 0.7634, 0.5084, 1459}, {0.54, 0.7809, 0.4961, 1373}, {0.56, 0.7857, 0.4837, 1322},
		{0.58, 0.7925, 0.4708, 1256}, {0.6, 0.8031, 0.4545, 1188}, {0.62, 0.8128, 0.4393, 1123}, {0.64, 0.8316, 0.423, 1052},
		{0.66, 0.8463, 0.4096, 990}, {0.68, 0.8507, 0.3888, 926}, {0.7, 0.8679, 0.3753, 867}, {0.72, 0.8745, 0.359, 820},
		{0.74, 0.8852, 0.3416, 761}, {0.76, 0.8895, 0.3225, 699}, {0.78, 0.8962, 0.2994, 636}, {0.8, 0.9089, 0.2798, 582},
		{0.82, 0.9208, 0.2567, 525}, {0.84, 0.9417, 0.2287, 451}, {0.86, 0.9436, 0.1927, 377}, {0.88, 0.9567, 0.1646, 317},
		{0.9, 0.9691, 0.132, 247}, {0.92, 0.9861, 0.0972, 179}, {0.94, 0.999, 0.064, 115}, {0.96, 1, 0.0371, 66},
		{0.98, 1, 0.0084, 15}}}

// P is the probability that the top answer is right.
func (c Calibrator) P(s Signals) float64 {
	z := c.B
	for i, x := range s.features() {
		z += c.W[i] * x
	}
	return 1 / (1 + math.Exp(-z))
}

// Sample is one labelled turn for fitting.
type Sample struct {
	Signals    Signals
	Correct    bool
	Answerable bool    // the question's article is in the knowledge (coverage counts these)
	Weight     float64 // how much the sample counts (0: 1)
}

func (s Sample) weight() float64 {
	if s.Weight == 0 {
		return 1
	}
	return s.Weight
}

// Fit fits a calibrator by maximum likelihood with a little L2 (Newton's method: iteratively
// reweighted least squares), deterministically.
func Fit(samples []Sample) Calibrator {
	const iterations, l2 = 50, 1e-4
	const n = features + 1 // the weights, then the bias
	var c Calibrator
	total := 0.0
	for _, s := range samples {
		total += s.weight()
	}
	if total == 0 {
		return c
	}
	for range iterations {
		var g [n]float64
		var h [n][n]float64
		for _, s := range samples {
			y := 0.0
			if s.Correct {
				y = 1
			}
			f := s.Signals.features()
			x := append(f[:], 1)
			p, w := c.P(s.Signals), s.weight()/total
			for i := range n {
				g[i] += w * (p - y) * x[i]
				for j := range n {
					h[i][j] += w * p * (1 - p) * x[i] * x[j]
				}
			}
		}
		for i := range features { // the bias is not shrunk
			g[i] += l2 * c.W[i]
			h[i][i] += l2
		}
		h[n-1][n-1] += 1e-9
		step, ok := solve(h, g)
		if !ok {
			break
		}
		change := 0.0
		for i := range features {
			c.W[i] -= step[i]
			change = max(change, math.Abs(step[i]))
		}
		c.B -= step[n-1]
		if change < 1e-9 {
			break
		}
	}
	return c
}

// solve solves h·x = g by Gaussian elimination with partial pivoting.
func solve(h [features + 1][features + 1]float64, g [features + 1]float64) ([features + 1]float64, bool) {
	const n = features + 1
	for col := range n {
		piv := col
		for r := col + 1; r < n; r++ {
			if math.Abs(h[r][col]) > math.Abs(h[piv][col]) {
				piv = r
			}
		}
		if math.Abs(h[piv][col]) < 1e-15 {
			return g, false
		}
		h[col], h[piv] = h[piv], h[col]
		g[col], g[piv] = g[piv], g[col]
		for r := col + 1; r < n; r++ {
			f := h[r][col] / h[col][col]
			for k := col; k < n; k++ {
				h[r][k] -= f * h[col][k]
			}
			g[r] -= f * g[col]
		}
	}
	var x [n]float64
	for r := n - 1; r >= 0; r-- {
		s := g[r]
		for k := r + 1; k < n; k++ {
			s -= h[r][k] * x[k]
		}
		x[r] = s / h[r][r]
	}
	return x, true
}
