package action

import (
	"sync"
	"time"
)

// Circuit breaker settings: after breakerFailures failures in a row an action is not called for
// breakerCooldown; then one call is let through, and its outcome closes or reopens the circuit.
const (
	breakerFailures = 5
	breakerCooldown = 30 * time.Second
)

// Breakers holds one circuit breaker per action definition (name and version), in this process.
type Breakers struct {
	mu sync.Mutex
	m  map[string]*breaker
}

type breaker struct {
	mu        sync.Mutex
	failures  int
	openUntil time.Time
	probing   bool
}

// of returns the action's breaker; a nil Breakers has a fresh (closed) breaker every time.
func (bs *Breakers) of(name string) *breaker {
	if bs == nil {
		return &breaker{}
	}
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if bs.m == nil {
		bs.m = map[string]*breaker{}
	}
	b, ok := bs.m[name]
	if !ok {
		b = &breaker{}
		bs.m[name] = b
	}
	return b
}

// allow reports whether a call may go out now.
func (b *breaker) allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures < breakerFailures {
		return true
	}
	if now.Before(b.openUntil) || b.probing {
		return false
	}
	b.probing = true
	return true
}

// done records a call's outcome; ok is false for a failure of the back-end.
func (b *breaker) done(now time.Time, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.probing = false
	if ok {
		b.failures = 0
		return
	}
	b.failures++
	if b.failures >= breakerFailures {
		b.openUntil = now.Add(breakerCooldown)
	}
}
