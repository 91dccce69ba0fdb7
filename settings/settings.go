// Package settings holds the settings trainers and admins change while the server runs: the
// target precision, business hours, the active calibration and the widget origins. Each is
// stored in the store's settings table and reloaded by every replica (Poll), so an edit made on
// one replica or through the CLI arrives everywhere within one poll interval.
package settings

import (
	"context"
	"log/slog"
	"time"
)

// Store keeps settings as strings under keys.
type Store interface {
	Setting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string, at time.Time) error
}

// Poll calls load every interval until ctx ends, logging failures (the previous state stays), so
// a change made on another replica or through the CLI arrives within one interval.
func Poll(ctx context.Context, interval time.Duration, load func(context.Context) error, log *slog.Logger, failed string) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if err := load(ctx); err != nil && ctx.Err() == nil {
				log.Warn(failed, "err", err)
			}
		}
	}
}
