package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/chat"
)

// CreateSession stores a console session and drops expired ones.
func (s *Store) CreateSession(ctx context.Context, cs chat.ConsoleSession) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, cs.CreatedAt); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO sessions (hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			cs.Hash, cs.Username, cs.CreatedAt, cs.ExpiresAt)
		if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return nil
	})
}

// SessionAccount returns the account of the unexpired session with this hash, if the account
// exists and is enabled; otherwise not found.
func (s *Store) SessionAccount(ctx context.Context, hash string, now time.Time) (chat.Account, error) {
	var a chat.Account
	err := s.pool.QueryRow(ctx, `SELECT a.username, a.role, a.created_at FROM sessions s JOIN accounts a ON a.username = s.username
		WHERE s.hash = $1 AND s.expires_at > $2 AND a.disabled_at IS NULL`, hash, now).
		Scan(&a.Username, &a.Role, &a.CreatedAt)
	if err != nil {
		return a, fmt.Errorf("session: %w", notFound(err, "session"))
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return a, nil
}

// DeleteSession ends one session (logout); an unknown hash is no error.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE hash = $1`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// deleteSessions ends every session of an account.
func deleteSessions(ctx context.Context, tx pgx.Tx, username string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE username = $1`, username); err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	return nil
}
