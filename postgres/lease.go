package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/lease"
)

// Lease timing: the holder pings its lock's connection every leasePing; a holder that stops
// (frozen, cut off) has its session ended by Postgres after leaseIdle without a ping, or after
// the TCP keepalives fail, which frees the lock for another replica.
const (
	leasePing        = 5 * time.Second
	leaseIdle        = 30 * time.Second
	leasePingTimeout = 5 * time.Second
)

// leaseKey is the advisory lock key of the lease named $1: schemas of one database do not share.
const leaseKey = `hashtextextended(current_schema() || ':lease:' || $1, 0)`

// Lease is a named advisory lock held on a connection of its own; the lock lasts as long as
// that session, so a replica that dies loses it at once and another can take it.
type Lease struct {
	name string
	conn *pgx.Conn
	lost chan struct{}
	stop chan struct{}
	once sync.Once
	done chan struct{}
}

// TryLease takes the lease name if no other session holds it (ok false then). Names are scoped
// to the schema, so stores in different schemas of one database do not share leases.
// It implements lease.Locker.
func (s *Store) TryLease(ctx context.Context, name string) (lease.Held, bool, error) {
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("lease %s: %w", name, err)
	}
	var ok bool
	if err := pc.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+leaseKey+`)`, name).Scan(&ok); err != nil || !ok {
		pc.Release() // holds no lock: back to the pool
		if err != nil {
			return nil, false, fmt.Errorf("lease %s: %w", name, err)
		}
		return nil, false, nil
	}
	conn := pc.Hijack() // the lock's session is ours alone from now on, never back in the pool
	// Settings of this session only: end it when the holder goes quiet. idle_session_timeout
	// needs Postgres 14; on an older server the keepalives alone notice a dead peer.
	if _, err := conn.Exec(ctx, `SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3`); err != nil {
		conn.Close(context.Background()) // ends the session, and the lock with it
		return nil, false, fmt.Errorf("lease %s: %w", name, err)
	}
	conn.Exec(ctx, fmt.Sprintf(`SET idle_session_timeout = %d`, leaseIdle.Milliseconds()))
	l := &Lease{name: name, conn: conn, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	go l.keep()
	return l, true, nil
}

// keep pings the lease's session until it is released or a ping fails (the lease is lost).
func (l *Lease) keep() {
	defer close(l.done)
	defer l.conn.Close(context.Background())
	tick := time.NewTicker(leasePing)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			// Unlock before closing, so the lease is free when Release returns (a closed
			// session's locks go a moment later).
			ctx, cancel := context.WithTimeout(context.Background(), leasePingTimeout)
			l.conn.Exec(ctx, `SELECT pg_advisory_unlock(`+leaseKey+`)`, l.name)
			cancel()
			return
		case <-tick.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), leasePingTimeout)
		err := l.conn.Ping(ctx)
		cancel()
		if err != nil {
			close(l.lost)
			return
		}
	}
}

// Lost is closed when the lease's session failed: another replica may hold it now.
func (l *Lease) Lost() <-chan struct{} { return l.lost }

// Release gives the lease up by ending its session; safe to call twice.
func (l *Lease) Release() {
	l.once.Do(func() { close(l.stop) })
	<-l.done
}
