// Package sqlite is Tandem's embedded store: one SQLite file (modernc.org/sqlite, pure Go).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"tandem/chat"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a SQLite-backed store. It is safe for concurrent use.
type Store struct {
	db *sql.DB
}

// fileMode is the database file's mode: it holds customers' conversations and channel settings,
// so only the server's user may read it. SQLite gives its -wal and -shm files the same mode.
const fileMode = 0o600

// Open opens (creating if needed) the database file at path, readable by its owner only (an
// existing file is tightened to that too).
func Open(path string) (*Store, error) {
	if err := restrict(path); err != nil {
		return nil, fmt.Errorf("sqlite open %s: %w", path, err)
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite open: %w", err)
	}
	// One connection: SQLite has one writer, and this avoids SQLITE_BUSY between our own conns.
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite open %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// restrict creates the database file with fileMode when it is missing, and takes group and
// world access away from an existing one and its -wal and -shm files.
func restrict(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return err
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && !fi.Mode().IsRegular()) {
			continue // never follow a link to change what it points at
		}
		if err == nil {
			err = os.Chmod(p, fileMode)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks the database is reachable.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Heartbeat writes the time into the heartbeat row: a write that fails when every write would.
func (s *Store) Heartbeat(ctx context.Context, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO heartbeat (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`, micros(at))
	if err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	return nil
}

// Migrate applies the embedded migrations not yet recorded, in order.
func (s *Store) Migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := s.applyMigration(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, name string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if n > 0 {
			return nil
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, micros(time.Now()))
		return err
	})
}

// Migrated reports whether every embedded migration has been applied.
func (s *Store) Migrated(ctx context.Context) (bool, error) {
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("migrated: %w", err)
	}
	return n == len(names), nil
}

func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return chat.Errorf(chat.ENOTFOUND, "%s not found", what)
	}
	return err
}

func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// rowScanner is what a scan function reads one row from: *sql.Row or *sql.Rows.
type rowScanner = interface{ Scan(...any) error }

// collect runs a query and scans every row with scan; what names the query in errors.
func collect[T any](ctx context.Context, db *sql.DB, what string, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
