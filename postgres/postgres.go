// Package postgres is Tandem's scale-out store: PostgreSQL with pgvector through pgx, shared by
// any number of replicas.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"tandem/chat"
)

//go:embed migrations/*.sql
var migrations embed.FS

// defaultMaxConns is the pool size unless the URL sets pool_max_conns.
const defaultMaxConns = 20

// defaultMaxConnIdle is how long an idle pooled connection is kept unless the URL sets
// pool_max_conn_idle_time.
const defaultMaxConnIdle = 5 * time.Minute

// migrationLock is the advisory lock key that serialises migrations across replicas.
const migrationLock = 7_466_133_001

// Store is a Postgres-backed store.
type Store struct {
	pool    *pgxpool.Pool
	dsn     string
	replica string // this process's name in conn_counts
}

// Open connects to the database at dsn.
func Open(ctx context.Context, dsn string) (*Store, error) {
	return OpenSchema(ctx, dsn, "")
}

// OpenSchema connects with search_path set to schema (created if needed), then public, so
// tests and tenants can be isolated in one database. An empty schema uses the default path.
func OpenSchema(ctx context.Context, dsn, schema string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: bad DATABASE_URL: %w", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		// pgxpool's default (4 on 2 cores) queues requests under load; 20 keeps the server busy
		// without exhausting Postgres's default 100 connections across a few replicas.
		cfg.MaxConns = defaultMaxConns
	}
	if !strings.Contains(dsn, "pool_max_conn_idle_time") {
		// Connections opened for a burst are closed after 5 idle minutes (pgxpool: 30), so a spike
		// does not hold their memory here and in Postgres for half an hour.
		cfg.MaxConnIdleTime = defaultMaxConnIdle
	}
	// Filtered vector searches keep scanning the HNSW index until LIMIT rows pass the filter
	// (pgvector 0.8), up to 5,000 tuples so a very selective filter stays fast; ef_search 100
	// trades a little latency for recall. They are placeholders until the vector extension
	// loads, which is fine.
	for k, v := range map[string]string{"hnsw.iterative_scan": "relaxed_order", "hnsw.ef_search": "100", "hnsw.max_scan_tuples": "5000"} {
		if _, set := cfg.ConnConfig.RuntimeParams[k]; !set {
			cfg.ConnConfig.RuntimeParams[k] = v
		}
	}
	if schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize() + ", public"
	}
	cfg.AfterConnect = registerVector
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres open: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres open: %w", err)
	}
	if schema != "" {
		if _, err := pool.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
			pool.Close()
			return nil, fmt.Errorf("postgres create schema: %w", err)
		}
	}
	return &Store{pool: pool, dsn: dsn, replica: newReplicaID()}, nil
}

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Ping checks the database is reachable.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Migrate applies the embedded migrations not yet recorded, in order, under an advisory lock so
// replicas starting together do not race.
func (s *Store) Migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	// Connections opened before the vector extension existed lack its codec: start afresh.
	defer s.pool.Reset()
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return fmt.Errorf("migrate lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		for _, name := range names {
			if err := applyMigration(ctx, tx, name); err != nil {
				return err
			}
		}
		return nil
	})
}

// registerVector teaches a new connection pgvector's binary format (pgvector-go's codecs), so
// vectors travel as pgvector.Vector values instead of text cast in SQL. Before the first
// migration the extension is missing; such a connection goes on without it and Migrate resets
// the pool afterwards.
func registerVector(ctx context.Context, conn *pgx.Conn) error {
	var oid, arrayOID *uint32
	err := conn.QueryRow(ctx, `SELECT to_regtype('vector')::oid, to_regtype('_vector')::oid`).Scan(&oid, &arrayOID)
	if err != nil {
		return fmt.Errorf("postgres: look up vector type: %w", err)
	}
	if oid == nil || arrayOID == nil {
		return nil
	}
	t := &pgtype.Type{Name: "vector", OID: *oid, Codec: &pgxvec.VectorCodec{}}
	conn.TypeMap().RegisterType(t)
	conn.TypeMap().RegisterType(&pgtype.Type{Name: "_vector", OID: *arrayOID, Codec: &pgtype.ArrayCodec{ElementType: t}})
	return nil
}

func applyMigration(ctx context.Context, tx pgx.Tx, name string) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE name = $1`, name).Scan(&n); err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, string(body)); err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, name)
	return err
}

// Heartbeat writes the time into the heartbeat row: a write that fails when every write would.
func (s *Store) Heartbeat(ctx context.Context, at time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO heartbeat (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = excluded.at`, at)
	if err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	return nil
}

// Migrated reports whether every embedded migration has been applied.
func (s *Store) Migrated(ctx context.Context) (bool, error) {
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		return false, fmt.Errorf("migrated: %w", err)
	}
	return n == len(names), nil
}

func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return chat.Errorf(chat.ENOTFOUND, "%s not found", what)
	}
	return err
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// Postgres error codes we map to chat codes.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// DropSchema drops a schema made by OpenSchema, with everything in it (tests).
func (s *Store) DropSchema(ctx context.Context, schema string) error {
	_, err := s.pool.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
	return err
}

// Exec runs one statement; for operations and tests.
func (s *Store) Exec(ctx context.Context, sql string, args ...any) error {
	_, err := s.pool.Exec(ctx, sql, args...)
	return err
}
