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

// shown is the precision a point can vouch for: n answers all right show no more than n/(n+1)
// (the rule of succession), so a high target is not met by a handful of lucky answers.
func (p Point) shown() float64 {
	return min(p.Precision, float64(p.Answered)/float64(p.Answered+1))
}

// Threshold is the least P(right) at which to answer for a target precision, derived from the
// curve: the lowest threshold whose answers (and those of every higher one) reach the target.
// Without a curve, or when no threshold reaches it, it is the target itself.
func (c Calibrator) Threshold(target float64) float64 {
	t := target
	for i := len(c.Curve) - 1; i >= 0; i-- {
		if c.Curve[i].shown() < target {
			break
		}
		t = min(t, c.Curve[i].T)
	}
	return t
}

// DefaultCalibrator is what answers before a deployment's own fit is ready, for a knowledge base
// without similar questions, and in tools that do not fit one: FitDefault on the demo knowledge base
// with its synonyms and the local embedder, English and Chinese pooled (TestDefaultCalibrator
// refits it).
var DefaultCalibrator = Calibrator{W: [features]float64{3.299646495406133, 2.0498806215568903, 2.2355260282992107, 0.8159507891877467, -1.2569418133509291,
	-0.3724610165240833, 4.403990979145737, 0.9168296902488982, -2.481819839096962, 0.9933324099742508}, B: -3.244631631835168,
	Curve: []Point{
		{0.02, 0.5578, 0.7359, 2500}, {0.04, 0.5651, 0.735, 2477}, {0.06, 0.5773, 0.735, 2432}, {0.08, 0.5883, 0.7317, 2367},
		{0.1, 0.5961, 0.7309, 2318}, {0.12, 0.607, 0.7267, 2239}, {0.14, 0.6134, 0.7209, 2179}, {0.16, 0.6246, 0.7176, 2094},
		{0.18, 0.6375, 0.7118, 2021}, {0.2, 0.6469, 0.7018, 1943}, {0.22, 0.6667, 0.7002, 1865}, {0.24, 0.6732, 0.6944, 1794},
		{0.26, 0.686, 0.6902, 1732}, {0.28, 0.6934, 0.6819, 1671}, {0.3, 0.7037, 0.6744, 1610}, {0.32, 0.7115, 0.6678, 1550},
		{0.34, 0.7217, 0.6603, 1495}, {0.36, 0.7281, 0.6545, 1446}, {0.38, 0.7349, 0.642, 1391}, {0.4, 0.7462, 0.6346, 1345},
		{0.42, 0.7565, 0.6304, 1301}, {0.44, 0.7615, 0.6229, 1264}, {0.46, 0.7698, 0.6121, 1216}, {0.48, 0.7818, 0.598, 1157},
		{0.5, 0.7898, 0.5839, 1105}, {0.52, 0.804, 0.5789, 1074}, {0.54, 0.8084, 0.5681, 1036}, {0.56, 0.8134, 0.5581, 1000},
		{0.58, 0.8143, 0.5432, 966}, {0.6, 0.8232, 0.5316, 924}, {0.62, 0.827, 0.5166, 885}, {0.64, 0.8394, 0.5008, 829},
		{0.66, 0.8586, 0.4892, 784}, {0.68, 0.8671, 0.4709, 740}, {0.7, 0.8749, 0.4601, 706}, {0.72, 0.8841, 0.4435, 669},
		{0.74, 0.8974, 0.4336, 641}, {0.76, 0.9059, 0.4161, 604}, {0.78, 0.9073, 0.3987, 572}, {0.8, 0.9179, 0.3779, 533},
		{0.82, 0.9228, 0.3547, 497}, {0.84, 0.9536, 0.3289, 440}, {0.86, 0.9639, 0.3023, 394}, {0.88, 0.9691, 0.2683, 347},
		{0.9, 0.9729, 0.2276, 290}, {0.92, 0.9922, 0.1885, 235}, {0.94, 0.9921, 0.1395, 172}, {0.96, 1, 0.0772, 93},
		{0.98, 1, 0.0274, 33}}}

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
