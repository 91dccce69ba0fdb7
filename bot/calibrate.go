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
	return [features]float64{math.Sqrt(s.Coverage), s.Margin, s.Vector, s.Agreement, s.Phrase, s.PhraseLead, math.Sqrt(s.Coverage) * s.Phrase, s.Unanimous}
}

// features is the number of calibrator inputs.
const features = 8

// Calibrator is a logistic model from signals to P(the top answer is right).
type Calibrator struct {
	W [features]float64 `json:"weights"`
	B float64           `json:"bias"`
}

// DefaultCalibrator is what answers before a deployment's own fit is ready, for a knowledge base
// without similar questions, and in tools that do not fit one: FitDefault on the demo knowledge base
// with its synonyms and the local embedder, English and Chinese pooled (TestDefaultCalibrator
// refits it).
var DefaultCalibrator = Calibrator{W: [features]float64{-0.3949868356056274, 3.1084501583643807, 2.2946607691036975, 0.8664021828206102,
	0.31317226160529055, -1.0174456049223422, 2.9095720113655408, 1.1670709589544614}, B: -2.5181682121933098}

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
	Signals Signals
	Correct bool
	Weight  float64 // how much the sample counts (0: 1)
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
