package llm

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrOpen is returned without calling the server while the circuit breaker is open.
var ErrOpen = errors.New("llm: the server failed repeatedly; not calling it for a while (circuit open)")

// breaker stops calls to a failing server: after threshold consecutive failures it opens for
// cooldown, then lets one call through to probe.
type breaker struct {
	mu        sync.Mutex
	threshold int
	cooldown  time.Duration
	failures  int
	openUntil time.Time
	now       func() time.Time
}

func newBreaker(threshold int, cooldown time.Duration) *breaker {
	return &breaker{threshold: threshold, cooldown: cooldown, now: time.Now}
}

// allow reports whether a call may go out now.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.now().Before(b.openUntil)
}

// record notes a call's outcome.
func (b *breaker) record(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err == nil {
		b.failures = 0
		return
	}
	b.failures++
	if b.failures >= b.threshold {
		b.openUntil = b.now().Add(b.cooldown)
	}
}

// skipKey marks a context in which no model call is made.
type skipKey struct{}

// ErrSkipped is returned without calling the server in a context marked by WithoutModel.
var ErrSkipped = errors.New("llm: not called: the model already failed in this turn")

// WithoutModel returns ctx marked so that Chat makes no call in it and fails at once with
// ErrSkipped: an earlier call of the same customer turn failed or timed out, and the turn must
// not wait for the model a second time before it answers without one. The model's status keeps
// the reason of the call that failed.
func WithoutModel(ctx context.Context) context.Context {
	return context.WithValue(ctx, skipKey{}, true)
}

// skipped reports whether ctx was marked by WithoutModel.
func skipped(ctx context.Context) bool { v, _ := ctx.Value(skipKey{}).(bool); return v }
