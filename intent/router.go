package intent

import (
	"fmt"
	"math"
	"sync/atomic"

	"tandem/chat"
)

// DefaultThreshold is the calibrated probability above which a message is taken to be an intent.
const DefaultThreshold = 0.6

// Router sends messages to trainer-defined intents. Everything the intents do not cover is
// "oos": the knowledge base's questions are its examples, so ordinary questions go on to search.
type Router struct {
	model     *Model
	intents   map[string]chat.Intent
	Threshold float64
}

// NewRouter trains a classifier on the intents' examples, with the knowledge questions (document
// titles and FAQ variants) as out-of-scope examples, and calibrates it on every fifth example.
// Without knowledge questions the classifier has no out-of-scope class, and the threshold rises
// to InScopeThreshold of the held-out examples (of the training examples when too few are held
// out), so it still rejects what it was not trained for.
func NewRouter(intents []chat.Intent, knowledge []string) (*Router, error) {
	r := &Router{intents: map[string]chat.Intent{}, Threshold: DefaultThreshold}
	var train, held []Example
	add := func(i int, e Example) {
		if i%5 == 4 {
			held = append(held, e)
		} else {
			train = append(train, e)
		}
	}
	for _, in := range intents {
		if in.Name == OOS {
			return nil, fmt.Errorf("intent name %q is reserved for out-of-scope", OOS)
		}
		r.intents[in.Name] = in
		for i, ex := range in.Examples {
			add(i, Example{Text: ex, Intent: in.Name})
		}
	}
	for i, q := range knowledge {
		add(i, Example{Text: q, Intent: OOS})
	}
	if len(held) < 10 { // too few to calibrate on: train on everything, temperature 1
		train, held = append(train, held...), nil
	}
	m, err := Train(train)
	if err != nil {
		return nil, err
	}
	if held != nil {
		m.Calibrate(held)
	}
	r.model = m
	if !m.HasOOS() {
		in := held
		if in == nil {
			in = train
		}
		probs := make([]float64, len(in))
		for i, e := range in {
			probs[i] = m.Predict(e.Text).Probability
		}
		r.Threshold = max(DefaultThreshold, InScopeThreshold(probs))
	}
	return r, nil
}

// Route returns the message's intent when the classifier is confident enough and it is not
// out-of-scope.
func (r *Router) Route(text string) (chat.Intent, float64, bool) {
	p := r.model.Predict(text)
	if p.Intent == OOS || p.Probability < r.Threshold {
		return chat.Intent{}, p.Probability, false
	}
	return r.intents[p.Intent], p.Probability, true
}

// Predict returns the classifier's top intent (OOS included) and its probability, whatever the
// threshold: what evals score and calibrate against.
func (r *Router) Predict(text string) (string, float64) {
	p := r.model.Predict(text)
	return p.Intent, p.Probability
}

// Live holds the current router so it can be retrained and swapped while messages flow, and the
// threshold trainers calibrated (0: the router's own).
type Live struct {
	r         atomic.Pointer[Router]
	threshold atomic.Uint64 // float64 bits
}

// SetThreshold sets the probability above which a message is taken to be an intent (0: the
// router's default).
func (l *Live) SetThreshold(t float64) { l.threshold.Store(math.Float64bits(t)) }

// Threshold is the threshold in force (0: the router's default).
func (l *Live) Threshold() float64 { return math.Float64frombits(l.threshold.Load()) }

// Predict is the current router's Predict ("", 0 without one).
func (l *Live) Predict(text string) (string, float64) {
	r := l.r.Load()
	if r == nil {
		return "", 0
	}
	return r.Predict(text)
}

// Set replaces the router (nil: no intents).
func (l *Live) Set(r *Router) { l.r.Store(r) }

// Route routes with the current router; without one nothing matches.
func (l *Live) Route(text string) (chat.Intent, float64, bool) {
	r := l.r.Load()
	if r == nil {
		return chat.Intent{}, 0, false
	}
	if t := l.Threshold(); t > 0 {
		name, p := r.Predict(text)
		if name == OOS || p < t {
			return chat.Intent{}, p, false
		}
		return r.intents[name], p, true
	}
	return r.Route(text)
}
