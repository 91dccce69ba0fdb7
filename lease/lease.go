// Package lease runs a periodic job on one replica at a time: the replica that holds the job's
// lease runs it, the others wait and take over when the holder dies.
package lease

import (
	"context"
	"log/slog"
	"time"
)

// DefaultRetry is how often a replica without the lease tries to take it, so a job whose
// holder died is running again within this long.
const DefaultRetry = 10 * time.Second

// Held is a lease this replica holds.
type Held interface {
	// Lost is closed when the lease was lost (its session failed).
	Lost() <-chan struct{}
	// Release gives the lease up.
	Release()
}

// Locker grants each named lease to one holder at a time (postgres.Store's advisory locks).
type Locker interface {
	// TryLease takes the lease if nobody holds it; ok is false when someone else does.
	TryLease(ctx context.Context, name string) (Held, bool, error)
}

// Jobs runs named jobs under leases from Locker; a nil Locker (one process, SQLite) runs every
// job at once, here.
type Jobs struct {
	Locker Locker
	Retry  time.Duration // DefaultRetry when 0
	Log    *slog.Logger
	// Holding, when set, is told when this replica takes (true) or gives up (false) a lease.
	Holding func(name string, held bool)
}

// Run runs job while this replica holds the lease name, until ctx ends. When the lease is lost
// the job's context is cancelled and Run goes back to waiting for the lease; when job returns
// an error, the lease is released and that error is returned.
func (j *Jobs) Run(ctx context.Context, name string, job func(context.Context) error) error {
	if j.Locker == nil {
		return job(ctx)
	}
	retry := j.Retry
	if retry <= 0 {
		retry = DefaultRetry
	}
	for {
		held, ok, err := j.Locker.TryLease(ctx, name)
		if err != nil && ctx.Err() == nil {
			j.Log.Warn("lease unavailable", "lease", name, "err", err)
		}
		if ok {
			if err := j.hold(ctx, name, held, job); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(retry):
		}
	}
}

// hold runs job until it returns, ctx ends or the lease is lost, then releases the lease.
func (j *Jobs) hold(ctx context.Context, name string, held Held, job func(context.Context) error) error {
	j.Log.Info("lease taken", "lease", name)
	j.tell(name, true)
	jctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- job(jctx) }()
	var err error
	select {
	case err = <-done:
	case <-held.Lost():
		j.Log.Warn("lease lost; job stopped until it is taken again", "lease", name)
		cancel()
		<-done // the job ends because it was told to: not an error
	}
	cancel()
	held.Release()
	j.tell(name, false)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func (j *Jobs) tell(name string, held bool) {
	if j.Holding != nil {
		j.Holding(name, held)
	}
}
