package intent

import (
	"fmt"
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

// Live holds the current router so it can be retrained and swapped while messages flow.
type Live struct{ r atomic.Pointer[Router] }

// Set replaces the router (nil: no intents).
func (l *Live) Set(r *Router) { l.r.Store(r) }

// Route routes with the current router; without one nothing matches.
func (l *Live) Route(text string) (chat.Intent, float64, bool) {
	r := l.r.Load()
	if r == nil {
		return chat.Intent{}, 0, false
	}
	return r.Route(text)
}
