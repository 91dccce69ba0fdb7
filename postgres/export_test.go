package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Tables reads every row of every table in the store's schema as JSON text, by table name
// (storetest.Tables).
func (s *Store) Tables(ctx context.Context) (map[string][]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT table_name::text FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, name := range names {
		rows, err := s.pool.Query(ctx, `SELECT row_to_json(t)::text FROM `+pgx.Identifier{name}.Sanitize()+` t`)
		if err != nil {
			return nil, err
		}
		if out[name], err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// VectorIndexScans returns the model's HNSW index name and how many scans the statistics
// collector has counted on it (pg_stat_user_indexes), for tests that the index is used.
func (s *Store) VectorIndexScans(ctx context.Context, model string) (name string, scans int64, err error) {
	name = vectorIndexName(model)
	err = s.pool.QueryRow(ctx, `SELECT coalesce(sum(idx_scan), 0)::bigint FROM pg_stat_user_indexes
		WHERE schemaname = current_schema() AND indexrelname = $1`, strings.Trim(name, `"`)).Scan(&scans)
	return name, scans, err
}

// KillLease ends the session holding this schema's lease name, as when the network to a
// replica is cut or its process dies, and returns how many sessions it ended.
func (s *Store) KillLease(ctx context.Context, name string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objsubid = 1
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND ((classid::bigint << 32) | objid::bigint) = `+leaseKey, name).Scan(&n)
	return n, err
}

// QueryRowForTest scans one row of one column into dst.
func (s *Store) QueryRowForTest(ctx context.Context, sql string, dst any) error {
	return s.pool.QueryRow(ctx, sql).Scan(dst)
}
