// Package readiness is what /readyz and the demo's printed URLs wait for: a list of conditions
// (the knowledge index loaded, every vector computed, the intents trained, the calibrator
// fitted), each with the words that say what is still loading.
package readiness

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Check is one condition of being ready.
type Check struct {
	// Waiting says what is still loading while Ready is false ("intents are being trained").
	Waiting string
	Ready   func(ctx context.Context) bool
}

// Gate is the conditions, checked in order.
type Gate []Check

// Poll is how often Wait checks.
const Poll = 100 * time.Millisecond

// Check returns nil when every condition holds, else the first one still loading.
func (g Gate) Check(ctx context.Context) error {
	for _, c := range g {
		if !c.Ready(ctx) {
			return errors.New(c.Waiting)
		}
	}
	return nil
}

// Wait blocks until ready or ctx ends, logging what it waits for when that changes.
func (g Gate) Wait(ctx context.Context, log *slog.Logger) error {
	last := ""
	start := time.Now()
	for {
		err := g.Check(ctx)
		if err == nil {
			log.Info("ready", "seconds", time.Since(start).Seconds())
			return nil
		}
		if err.Error() != last {
			last = err.Error()
			log.Info("not ready yet", "waiting_for", last)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(Poll):
		}
	}
}
