package intent

import "math"

// Calibrate sets the temperature that minimises the negative log-likelihood on held-out
// examples (temperature scaling), so Predict's probability means what it says.
func (m *Model) Calibrate(held []Example) {
	index := map[string]int{}
	for i, l := range m.Labels {
		index[l] = i
	}
	type row struct {
		scores []float64
		y      int
	}
	var rows []row
	for _, e := range held {
		y, ok := index[e.Intent]
		if !ok {
			continue // a label unseen in training cannot inform the temperature
		}
		s := make([]float64, len(m.Labels))
		m.scores(features(e.Text), s)
		rows = append(rows, row{s, y})
	}
	if len(rows) == 0 {
		return
	}
	nll := func(temp float64) float64 {
		total := 0.0
		p := make([]float64, len(m.Labels))
		for _, r := range rows {
			copy(p, r.scores)
			softmax(p, temp)
			total -= math.Log(math.Max(p[r.y], 1e-12))
		}
		return total
	}
	m.Temperature = goldenMin(nll, 0.02, 10)
}

// goldenMin finds the minimum of a unimodal f on [lo, hi] by golden-section search.
func goldenMin(f func(float64) float64, lo, hi float64) float64 {
	const steps = 60
	g := (math.Sqrt(5) - 1) / 2
	a, b := lo, hi
	c, d := b-g*(b-a), a+g*(b-a)
	fc, fd := f(c), f(d)
	for range steps {
		if fc < fd {
			b, d, fd = d, c, fc
			c = b - g*(b-a)
			fc = f(c)
		} else {
			a, c, fc = c, d, fd
			d = a + g*(b-a)
			fd = f(d)
		}
	}
	return (a + b) / 2
}
