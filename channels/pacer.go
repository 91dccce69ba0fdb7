package channels

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacer spaces out sends to each recipient as a platform asks (Telegram: about one message a
// second per chat; WhatsApp: one per 6 s per user, with short bursts). It is per replica.
type Pacer struct {
	Every time.Duration // the steady interval per recipient
	Burst int           // how many may go at once

	mu    sync.Mutex
	lims  map[string]*pacerEntry
	swept time.Time
}

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
