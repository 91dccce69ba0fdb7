package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"tandem/chat"
)

// CreateSession stores a console session and drops expired ones.
func (s *Store) CreateSession(ctx context.Context, cs chat.ConsoleSession) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, micros(cs.CreatedAt)); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			cs.Hash, cs.Username, micros(cs.CreatedAt), micros(cs.ExpiresAt))
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
	err := s.db.QueryRowContext(ctx, `SELECT a.username, a.role, a.created_at FROM sessions s JOIN accounts a ON a.username = s.username
		WHERE s.hash = ? AND s.expires_at > ? AND a.disabled_at IS NULL`, hash, micros(now)).
		Scan(&a.Username, &a.Role, (*microTime)(&a.CreatedAt))
	if err != nil {
		return a, fmt.Errorf("session: %w", notFound(err, "session"))
	}
	return a, nil
}

// DeleteSession ends one session (logout); an unknown hash is no error.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE hash = ?`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// deleteSessions ends every session of an account.
func deleteSessions(ctx context.Context, tx *sql.Tx, username string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE username = ?`, username); err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	return nil
}
