package intent

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
)

// Training settings, chosen on a 10 % hold-out of BANKING77 train and on CLINC150 val (never on a
// test split).
const (
	epochs       = 20
	learningRate = 2.0
	lrDecay      = 1e-5
	l2           = 1e-6
	seed         = 42
)

// OOS is the label of out-of-scope examples and predictions.
const OOS = "oos"

// Example is one labelled utterance.
type Example struct {
	Text   string `json:"text"`
	Intent string `json:"intent"`
}

// Model is a trained multinomial logistic regression over hashed n-gram features.
type Model struct {
	Labels      []string
	w           []float32 // dims × len(Labels), feature-major
	b           []float32
	Temperature float64 // calibration: probabilities are softmax(scores / Temperature)
}

// Train fits a model on examples. Labels are sorted for reproducibility.
func Train(examples []Example) (*Model, error) {
	if len(examples) == 0 {
		return nil, errors.New("no training examples")
	}
	index := map[string]int{}
	for _, e := range examples {
		index[e.Intent] = 0
	}
	if len(index) < 2 {
		return nil, errors.New("need at least two intents")
	}
	m := &Model{Temperature: 1}
	for l := range index {
		m.Labels = append(m.Labels, l)
	}
	sort.Strings(m.Labels)
	for i, l := range m.Labels {
		index[l] = i
	}
	k := len(m.Labels)
	m.w, m.b = make([]float32, dims*k), make([]float32, k)
	xs := make([][]feature, len(examples))
	ys := make([]int, len(examples))
	for i, e := range examples {
		xs[i], ys[i] = features(e.Text), index[e.Intent]
	}
	m.sgd(xs, ys)
	return m, nil
}

// sgd runs plain stochastic gradient descent on the softmax cross-entropy.
func (m *Model) sgd(xs [][]feature, ys []int) {
	k := len(m.Labels)
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(seed, seed))
	p := make([]float64, k)
	t := 0.0
	for range epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			lr := learningRate / (1 + lrDecay*t)
			t++
			m.scores(xs[i], p)
			softmax(p, 1)
			p[ys[i]]--
			for _, f := range xs[i] {
				row := m.w[int(f.idx)*k : int(f.idx)*k+k]
				for c := range row {
					row[c] -= float32(lr * (p[c]*float64(f.val) + l2*float64(row[c])))
				}
			}
			for c := range m.b {
				m.b[c] -= float32(lr * p[c])
			}
		}
	}
}

// scores writes the raw class scores of x into out.
func (m *Model) scores(x []feature, out []float64) {
	k := len(m.Labels)
	for c := range out {
		out[c] = float64(m.b[c])
	}
	for _, f := range x {
		row := m.w[int(f.idx)*k : int(f.idx)*k+k]
		for c, w := range row {
			out[c] += float64(w * f.val)
		}
	}
}

// softmax turns scores into probabilities at temperature temp, in place.
func softmax(s []float64, temp float64) {
	mx := math.Inf(-1)
	for _, v := range s {
		mx = math.Max(mx, v)
	}
	sum := 0.0
	for i, v := range s {
		s[i] = math.Exp((v - mx) / temp)
		sum += s[i]
	}
	for i := range s {
		s[i] /= sum
	}
}

// Prediction is the most likely intent and its calibrated probability.
type Prediction struct {
	Intent      string
	Probability float64
	Margin      float64 // over the runner-up
}

// Predict classifies text.
func (m *Model) Predict(text string) Prediction {
	p := m.probabilities(features(text), m.Temperature)
	best, second := 0, -1
	for c := range p {
		if p[c] > p[best] {
			best = c
		}
	}
	for c := range p {
		if c != best && (second < 0 || p[c] > p[second]) {
			second = c
		}
	}
	pr := Prediction{Intent: m.Labels[best], Probability: p[best]}
	if second >= 0 {
		pr.Margin = p[best] - p[second]
	}
	return pr
}

func (m *Model) probabilities(x []feature, temp float64) []float64 {
	p := make([]float64, len(m.Labels))
	m.scores(x, p)
	softmax(p, temp)
	return p
}
