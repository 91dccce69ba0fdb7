package postgres

import (
	"context"

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
