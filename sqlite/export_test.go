package sqlite

import (
	"context"
	"fmt"
)

// Tables reads every row of every table (SQLite's own aside) as text, by table name
// (storetest.Tables).
func (s *Store) Tables(ctx context.Context) (map[string][]string, error) {
	names, err := collect(ctx, s.db, "tables", func(sc rowScanner) (string, error) {
		var n string
		return n, sc.Scan(&n)
	}, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, name := range names {
		if out[name], err = s.rowsText(ctx, name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// rowsText reads a table's rows, each printed as its column values.
func (s *Store) rowsText(ctx context.Context, table string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	out := []string{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("%v", vals))
	}
	return out, rows.Err()
}
