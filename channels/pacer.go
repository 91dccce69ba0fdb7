package channels

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacer spaces out sends to each recipient as a platform asks (Telegram: about one message a
// second per chat; WhatsApp: one per 6 s per user, with short bursts). It is per replica.
type Pacer struct {
	Every time.Duration // the steady interval per recipient
	Burst int           // how many may go at once

	// Shared, when set, keeps the per-recipient buckets where every replica sees them (under
	// Name), so a recipient is paced once across replicas; on its error the Pacer paces alone.
	Shared SharedBuckets
	Name   string
	Log    *slog.Logger

	mu    sync.Mutex
	lims  map[string]*pacerEntry
	swept time.Time
}

// SharedBuckets keeps token buckets shared by every replica (postgres.Store).
type SharedBuckets interface {
	TakeTokens(ctx context.Context, key string, n int, perSecond float64, burst int) (time.Duration, error)
}

// sharedTimeout bounds a shared bucket's round trip.
const sharedTimeout = 2 * time.Second

type pacerEntry struct {
	lim  *rate.Limiter
	used time.Time
}

// pacerIdle is how long a recipient's limiter is kept without sends.
const pacerIdle = 10 * time.Minute

// Wait takes n sends for the recipient at now and returns 0, or, when they would come too soon,
// takes nothing and returns how long to wait. A nil Pacer never waits.
func (p *Pacer) Wait(recipient string, n int, now time.Time) time.Duration {
	if p == nil {
		return 0
	}
	if p.Shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
		defer cancel()
		d, err := p.Shared.TakeTokens(ctx, "pacer\x00"+p.Name+"\x00"+recipient, n, 1/p.Every.Seconds(), p.Burst)
		if err == nil {
			return d
		}
		if p.Log != nil {
			p.Log.Warn("shared pacing unavailable; pacing on this replica", "pacer", p.Name, "err", err)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sweep(now)
	e := p.lims[recipient]
	if e == nil {
		e = &pacerEntry{lim: rate.NewLimiter(rate.Every(p.Every), p.Burst)}
		p.lims[recipient] = e
	}
	e.used = now
	n = min(n, p.Burst)
	r := e.lim.ReserveN(now, n)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// sweep forgets recipients idle for pacerIdle, so the map stays small.
func (p *Pacer) sweep(now time.Time) {
	if p.lims == nil {
		p.lims = map[string]*pacerEntry{}
	}
	if now.Sub(p.swept) < pacerIdle {
		return
	}
	p.swept = now
	for k, e := range p.lims {
		if now.Sub(e.used) > pacerIdle {
			delete(p.lims, k)
		}
	}
}
