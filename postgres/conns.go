package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ConnsRefresh is how often each replica refreshes its rows in conn_counts (RefreshConns);
// rows not refreshed for connsStale belong to a replica that died and no longer count.
const (
	ConnsRefresh = 20 * time.Second
	connsStale   = time.Minute
)

// RateSweep is how often idle shared rate-limit buckets are removed (SweepTokens).
const RateSweep = 5 * time.Minute

// newReplicaID names this process's rows in conn_counts.
func newReplicaID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// AcquireConn counts one more live connection for key on this replica if all replicas together
// have fewer than max (ok false otherwise, counting nothing); release uncounts it.
func (s *Store) AcquireConn(ctx context.Context, key string, max int) (ok bool, release func(), err error) {
	h := sha256.Sum256([]byte(key))
	err = s.tx(ctx, func(tx pgx.Tx) error {
		// One holder's acquisitions go one at a time, across replicas.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':conn:' || encode($1, 'hex'), 0))`, h[:]); err != nil {
			return err
		}
		var open int
		if err := tx.QueryRow(ctx, `SELECT coalesce(sum(n), 0) FROM conn_counts WHERE key = $1 AND seen > clock_timestamp() - make_interval(secs => $2)`,
			h[:], connsStale.Seconds()).Scan(&open); err != nil {
			return err
		}
		if ok = open < max; !ok {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO conn_counts (key, replica, n, seen) VALUES ($1, $2, 1, clock_timestamp())
			ON CONFLICT (key, replica) DO UPDATE SET n = conn_counts.n + 1, seen = excluded.seen`, h[:], s.replica)
		return err
	})
	if err != nil {
		return false, nil, fmt.Errorf("acquire connection: %w", err)
	}
	if !ok {
		return false, nil, nil
	}
	return true, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.pool.Exec(ctx, `WITH d AS (UPDATE conn_counts SET n = n - 1 WHERE key = $1 AND replica = $2 RETURNING key, replica, n)
			DELETE FROM conn_counts c USING d WHERE c.key = d.key AND c.replica = d.replica AND d.n <= 0`, h[:], s.replica)
	}, nil
}

// RefreshConns marks this replica's connection counts as current, and removes the rows of
// replicas that stopped refreshing theirs; run it every ConnsRefresh.
func (s *Store) RefreshConns(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, `UPDATE conn_counts SET seen = clock_timestamp() WHERE replica = $1`, s.replica); err != nil {
		return fmt.Errorf("refresh connections: %w", err)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM conn_counts WHERE seen < clock_timestamp() - make_interval(secs => $1)`, 2*connsStale.Seconds()); err != nil {
		return fmt.Errorf("refresh connections: %w", err)
	}
	return nil
}
