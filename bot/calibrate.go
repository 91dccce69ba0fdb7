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
	return [features]float64{math.Sqrt(s.Coverage), s.Margin, s.Vector, s.Agreement, s.Phrase, s.PhraseLead, s.Phrase * s.PhraseLead, s.Unanimous, s.Unseen}
}

// features is the number of calibrator inputs.
const features = 9

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
}

// Threshold is the least P(right) at which to answer for a target precision, derived from the
// curve: the lowest threshold whose answers (and those of every higher one) reach the target.
// Without a curve it is the target itself.
func (c Calibrator) Threshold(target float64) float64 {
	t := target
	for i := len(c.Curve) - 1; i >= 0; i-- {
		if c.Curve[i].Precision < target {
			break
		}
		t = c.Curve[i].T
	}
	return t
}

// DefaultCalibrator is what answers before a deployment's own fit is ready, for a knowledge base
// without similar questions, and in tools that do not fit one: FitDefault on the demo knowledge base
// with its synonyms and the local embedder, English and Chinese pooled (TestDefaultCalibrator
// refits it).
var DefaultCalibrator = Calibrator{W: [features]float64{3.085171960642576, 2.275561483995145, 2.978044001060681, 0.7571126935544494, -0.8734279698405631,
	-0.6827783101969254, 4.059908579208271, 0.8546787623880999, -1.029114775463763}, B: -3.07163321754841,
	Curve: []Point{
		{0.02, 0.5394, 0.7267}, {0.04, 0.5503, 0.7243}, {0.06, 0.56, 0.7243}, {0.08, 0.574, 0.7226},
		{0.1, 0.5831, 0.7184}, {0.12, 0.5951, 0.7151}, {0.14, 0.6062, 0.711}, {0.16, 0.6139, 0.7035},
		{0.18, 0.6192, 0.6944}, {0.2, 0.6323, 0.6894}, {0.22, 0.6431, 0.6869}, {0.24, 0.6567, 0.6811},
		{0.26, 0.6691, 0.6761}, {0.28, 0.6833, 0.6719}, {0.3, 0.6995, 0.6636}, {0.32, 0.7066, 0.6578},
		{0.34, 0.7194, 0.6512}, {0.36, 0.7259, 0.6445}, {0.38, 0.7362, 0.637}, {0.4, 0.7466, 0.6287},
		{0.42, 0.7531, 0.6213}, {0.44, 0.7621, 0.6105}, {0.46, 0.773, 0.6038}, {0.48, 0.7824, 0.5922},
		{0.5, 0.7913, 0.5831}, {0.52, 0.7917, 0.5656}, {0.54, 0.8003, 0.554}, {0.56, 0.8086, 0.5415},
		{0.58, 0.823, 0.5299}, {0.6, 0.8379, 0.5158}, {0.62, 0.8442, 0.5042}, {0.64, 0.8568, 0.4942},
		{0.66, 0.8606, 0.4767}, {0.68, 0.8662, 0.4551}, {0.7, 0.8639, 0.4352}, {0.72, 0.8789, 0.4161},
		{0.74, 0.8942, 0.4012}, {0.76, 0.8994, 0.3904}, {0.78, 0.9036, 0.3704}, {0.8, 0.9184, 0.3488},
		{0.82, 0.9272, 0.3297}, {0.84, 0.9336, 0.3056}, {0.86, 0.9423, 0.2741}, {0.88, 0.9545, 0.2417},
		{0.9, 0.9646, 0.2159}, {0.92, 0.9772, 0.1744}, {0.94, 0.9985, 0.1262}, {0.96, 1, 0.0839},
		{0.98, 1, 0.0316}}}

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
