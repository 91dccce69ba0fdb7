package postgres

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
)

// bucketIdle is how long an unused shared bucket is kept before SweepTokens removes it.
const bucketIdle = 10 * time.Minute

// TakeTokens takes n tokens from the shared bucket for key, which refills at perSecond up to
// burst, and returns 0; or, when the bucket holds fewer, takes nothing and returns how long
// until it holds n. Every replica on the database shares the bucket, so N replicas together
// allow the rate once, not N times. One statement: the row is locked while it is updated.
func (s *Store) TakeTokens(ctx context.Context, key string, n int, perSecond float64, burst int) (time.Duration, error) {
	need := float64(min(max(n, 1), burst))
	h := sha256.Sum256([]byte(key))
	var tokens float64
	err := s.pool.QueryRow(ctx, `INSERT INTO rate_buckets AS b (key, tokens, at) VALUES ($1, $3::float8 - $4::float8, clock_timestamp())
		ON CONFLICT (key) DO UPDATE SET
			tokens = least($3::float8, b.tokens + $2::float8 * extract(epoch FROM clock_timestamp() - b.at)::float8) - $4::float8,
			at = clock_timestamp()
		WHERE least($3::float8, b.tokens + $2::float8 * extract(epoch FROM clock_timestamp() - b.at)::float8) >= $4::float8
		RETURNING tokens`, h[:], perSecond, burst, need).Scan(&tokens)
	if err == nil {
		return 0, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("take token: %w", err)
	}
	// Too few: how long until it holds need again.
	err = s.pool.QueryRow(ctx, `SELECT least($3::float8, tokens + $2::float8 * extract(epoch FROM clock_timestamp() - at)::float8)
		FROM rate_buckets WHERE key = $1`, h[:], perSecond, burst).Scan(&tokens)
	if err != nil {
		return 0, fmt.Errorf("take token: %w", err)
	}
	if perSecond <= 0 {
		return time.Duration(math.MaxInt64), nil
	}
	return max(time.Millisecond, time.Duration((need-tokens)/perSecond*float64(time.Second))), nil
}

// SweepTokens removes shared buckets unused for bucketIdle; a full bucket is what a missing row
// means anyway.
func (s *Store) SweepTokens(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM rate_buckets WHERE at < clock_timestamp() - make_interval(secs => $1)`, bucketIdle.Seconds())
	if err != nil {
		return fmt.Errorf("sweep tokens: %w", err)
	}
	return nil
}
