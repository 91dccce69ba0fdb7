package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// statementCounter counts the statements Postgres executes in one database with
// pg_stat_statements (it needs shared_preload_libraries = 'pg_stat_statements'); BEGIN and COMMIT
// count as statements, so the figure is the round trips a turn costs the server.
type statementCounter struct {
	conn *pgx.Conn
}

// newStatementCounter connects to db and creates the extension there; it fails when the server
// does not preload the library.
func newStatementCounter(ctx context.Context, db string) (*statementCounter, error) {
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); err != nil {
		conn.Close(ctx)
		return nil, err
	}
	c := &statementCounter{conn: conn}
	if _, err := c.count(ctx); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("pg_stat_statements (is it in shared_preload_libraries?): %w", err)
	}
	return c, nil
}

// reset zeroes the counts of this database's statements.
func (c *statementCounter) reset(ctx context.Context) error {
	_, err := c.conn.Exec(ctx, "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)")
	return err
}

// count returns the statements executed in this database since the last reset, less the
// counter's own.
func (c *statementCounter) count(ctx context.Context) (int64, error) {
	var n int64
	err := c.conn.QueryRow(ctx, `SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND query NOT LIKE '%pg_stat_statements%'`).Scan(&n)
	return n, err
}

func (c *statementCounter) close() { c.conn.Close(context.Background()) }
