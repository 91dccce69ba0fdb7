package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"tandem/intent"
	"tandem/knowledge"
)

// readiness is what /readyz and the demo's printed URLs wait for: the lexical index loaded, every
// chunk's vector under the configured embedder (and, with SQLite, loaded in memory), the intents
// trained and the answer calibrator fitted on the loaded knowledge.
type readiness struct {
	kb          *knowledge.Base
	intents     *intent.Sync
	calibration *selfCalibration
}

// check returns nil when ready, else what is still loading.
func (r *readiness) check(ctx context.Context) error {
	switch {
	case r.kb.Sync.Version() == "":
		return errors.New("the knowledge index is loading")
	case !r.kb.VectorsReady(ctx):
		return errors.New("vectors are being computed")
	case !r.intents.Loaded():
		return errors.New("intents are being trained")
	case !r.calibration.Ready():
		return errors.New("the answer calibrator is being fitted")
	}
	return nil
}

// readinessPoll is how often wait checks.
const readinessPoll = 100 * time.Millisecond

// wait blocks until ready or ctx ends, logging what it waits for when that changes.
func (r *readiness) wait(ctx context.Context, log *slog.Logger) error {
	last := ""
	start := time.Now()
	for {
		err := r.check(ctx)
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
		case <-time.After(readinessPoll):
		}
	}
}
