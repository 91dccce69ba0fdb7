package httpapi

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"tandem/chat"
)

// limiterIdle is how long an unused key's bucket is kept.
const limiterIdle = 10 * time.Minute

// DefaultLimiterKeys is how many keys a Limiter tracks at most; past it the least recently seen
// key is forgotten, so no stream of new keys can grow memory without bound.
const DefaultLimiterKeys = 50_000

// limitKey is a key as the Limiter stores it: a fixed-size digest, however long the key was.
type limitKey [16]byte

func digest(key string) limitKey {
	sum := sha256.Sum256([]byte(key))
	return limitKey(sum[:16])
}

// Limiter is a token bucket per key (visitor, IP, …). Keys are kept as 16-byte digests, at most
// MaxKeys of them, least recently seen first out; idle keys are forgotten.
type Limiter struct {
	// MaxKeys bounds the tracked keys (DefaultLimiterKeys when 0).
	MaxKeys int

	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	buckets map[limitKey]*list.Element
	recent  *list.List // of *bucket, most recently seen first
	shared  *sharedBuckets
}

type bucket struct {
	key  limitKey
	lim  *rate.Limiter
	seen time.Time
}

// Sign-in attempts per user name (across IPs, or per browser the user signed in on before): ten
// at once, then one every six seconds; per client IP across names: twenty at once, then one
// every two seconds.
const (
	LoginRate    = 1.0 / 6
	LoginBurst   = 10
	LoginIPRate  = 1.0 / 2
	LoginIPBurst = 20
)

// New anonymous widget conversations per client IP: thirty at once, then one a minute (a shared
// office address still starts plenty; one script no longer mints ~79k an hour).
const (
	NewConversationRate  = 1.0 / 60
	NewConversationBurst = 30
)

// ReadHeaderTimeout bounds reading a request's headers.
const ReadHeaderTimeout = 10 * time.Second

// BurstOf is the burst allowed at a sustained rate: three seconds' worth, at least 3.
func BurstOf(perSecond float64) int { return max(3, int(3*perSecond)) }

// NewLimiter allows perSecond sustained events per key, with bursts of burst.
func NewLimiter(perSecond float64, burst int) *Limiter {
	return &Limiter{rate: rate.Limit(perSecond), burst: burst, buckets: map[limitKey]*list.Element{}, recent: list.New()}
}

// Reserve takes one event for key now and returns 0, or returns how long until key may act,
// taking nothing. A nil Limiter allows everything.
func (l *Limiter) Reserve(key string) time.Duration {
	if l == nil {
		return 0
	}
	k, now := digest(key), time.Now()
	if wait, ok := l.shared.reserve(hex.EncodeToString(k[:]), float64(l.rate), l.burst); ok { // shared keys are digests too
		return wait
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(k, now)
	r := b.lim.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	if wait > 0 {
		r.CancelAt(now)
	}
	return wait
}

// bucket finds or makes k's bucket and marks it seen, forgetting idle keys and, when full, the
// least recently seen one. The caller holds l.mu.
func (l *Limiter) bucket(k limitKey, now time.Time) *bucket {
	for e := l.recent.Back(); e != nil && now.Sub(e.Value.(*bucket).seen) > limiterIdle; e = l.recent.Back() {
		l.forget(e)
	}
	if e, ok := l.buckets[k]; ok {
		b := e.Value.(*bucket)
		b.seen = now
		l.recent.MoveToFront(e)
		return b
	}
	max := l.MaxKeys
	if max <= 0 {
		max = DefaultLimiterKeys
	}
	for l.recent.Len() >= max {
		l.forget(l.recent.Back())
	}
	b := &bucket{key: k, lim: rate.NewLimiter(l.rate, l.burst), seen: now}
	l.buckets[k] = l.recent.PushFront(b)
	return b
}

func (l *Limiter) forget(e *list.Element) {
	delete(l.buckets, e.Value.(*bucket).key)
	l.recent.Remove(e)
}

// Keys is how many keys the limiter tracks now.
func (l *Limiter) Keys() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// SharedBuckets keeps token buckets where every replica sees them (postgres.Store), so a limit
// holds across replicas instead of once per replica.
type SharedBuckets interface {
	TakeTokens(ctx context.Context, key string, n int, perSecond float64, burst int) (time.Duration, error)
}

// sharedTimeout bounds a shared bucket's round trip; past it the replica's own bucket decides.
const sharedTimeout = 2 * time.Second

// sharedBuckets is a Limiter's shared store and the name its keys are kept under.
type sharedBuckets struct {
	store SharedBuckets
	name  string
	log   *slog.Logger
}

// Share keeps l's buckets in store under name (one name per limiter), so every replica on the
// store takes from the same bucket. When the store fails, l falls back to its own buckets.
func (l *Limiter) Share(store SharedBuckets, name string, log *slog.Logger) *Limiter {
	l.shared = &sharedBuckets{store: store, name: name, log: log}
	return l
}

// reserve asks the shared store; ok is false when there is none or it failed.
func (b *sharedBuckets) reserve(key string, perSecond float64, burst int) (time.Duration, bool) {
	if b == nil || perSecond >= float64(rate.Inf) {
		return 0, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
	defer cancel()
	wait, err := b.store.TakeTokens(ctx, b.name+"\x00"+key, 1, perSecond, burst)
	if err != nil {
		b.log.Warn("shared rate limit unavailable; limiting on this replica", "limiter", b.name, "err", err)
		return 0, false
	}
	return wait, true
}

// take is nil when key may act now, else a rate-limited error that says when to retry.
func (l *Limiter) take(key, format string, args ...any) error {
	if wait := l.Reserve(key); wait > 0 {
		return &chat.RetryAfter{Err: chat.Errorf(chat.ERATELIMITED, format, args...), Wait: wait}
	}
	return nil
}

// Conns counts open connections per key and refuses one over Max.
type Conns struct {
	Max    int
	mu     sync.Mutex
	open   map[string]int
	shared SharedConns
	log    *slog.Logger
}

// SharedConns counts connections where every replica sees them (postgres.Store), so a cap
// holds across replicas.
type SharedConns interface {
	AcquireConn(ctx context.Context, key string, max int) (ok bool, release func(), err error)
}

// Share counts c's connections in store; when it fails, c counts on this replica alone.
func (c *Conns) Share(store SharedConns, log *slog.Logger) {
	c.shared, c.log = store, log
}

// tooMany is the error for a connection over the cap.
func (c *Conns) tooMany() error {
	return &chat.RetryAfter{Err: chat.Errorf(chat.ERATELIMITED, "at most %d live connections per visitor; close another tab", c.Max), Wait: 5 * time.Second}
}

// Acquire opens a connection for key and returns its release, or fails when key has Max open.
func (c *Conns) Acquire(key string) (release func(), err error) {
	if c.shared != nil && c.Max > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
		ok, release, err := c.shared.AcquireConn(ctx, key, c.Max)
		cancel()
		switch {
		case err == nil && ok:
			return release, nil
		case err == nil:
			return nil, c.tooMany()
		}
		c.log.Warn("shared connection caps unavailable; counting on this replica", "err", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open == nil {
		c.open = map[string]int{}
	}
	if c.Max > 0 && c.open[key] >= c.Max {
		return nil, c.tooMany()
	}
	c.open[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.open[key]--; c.open[key] <= 0 {
				delete(c.open, key)
			}
		})
	}, nil
}

// limitBy rate-limits a route group by a key taken from the request (the client's IP, the
// channel, …); an empty key is not limited.
func limitBy(l *Limiter, key func(echo.Context) string, what string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if k := key(c); k != "" {
				if err := l.take(k, "too many requests from this %s; retry later", what); err != nil {
					return err
				}
			}
			return next(c)
		}
	}
}

func clientIP(c echo.Context) string { return c.RealIP() }

// SharedLimits is a store that keeps rate limits and connection counts for every replica.
type SharedLimits interface {
	SharedBuckets
	SharedConns
}

// ShareLimits keeps every per-key rate limit of s (widget messages, public routes, sign-in,
// webhook deliveries) and the socket caps in store, so replicas on one database enforce each
// limit once between them.
func (s *Server) ShareLimits(store SharedLimits, log *slog.Logger) {
	if s.Sockets != nil {
		s.Sockets.Share(store, log)
	}
	for name, l := range map[string]*Limiter{"widget": s.WidgetLimit, "ip": s.IPLimit, "login": s.LoginLimit,
		"login_ip": s.LoginIPLimit, "channel": s.ChannelLimit} {
		if l != nil {
			l.Share(store, name, log)
		}
	}
}
