package postgres

import (
	"context"
	"fmt"
	"github.com/jackc/pgx/v5"
	"strings"
	"time"

	"tandem/chat"
)

// CreateAPIKey stores a key; Hash must be unique.
func (s *Store) CreateAPIKey(ctx context.Context, k chat.APIKey) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO api_keys (id, name, hash, scopes, created_at) VALUES ($1, $2, $3, $4, $5)`,
		k.ID, k.Name, k.Hash, strings.Join(k.Scopes, ","), k.CreatedAt)
	if pgCode(err) == uniqueViolation {
		return chat.Errorf(chat.ECONFLICT, "api key exists")
	}
	if err != nil {
		return fmt.Errorf("create api key: %w", err)
	}
	return nil
}

// APIKeyByHash returns the unrevoked key with this hash.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (chat.APIKey, error) {
	var k chat.APIKey
	err := s.pool.QueryRow(ctx, `SELECT id, name, hash, scopes, created_at FROM api_keys WHERE hash = $1 AND revoked_at IS NULL`, hash).
		Scan(&k.ID, &k.Name, &k.Hash, (*chat.ScopeList)(&k.Scopes), &k.CreatedAt)
	if err != nil {
		return k, fmt.Errorf("api key: %w", notFound(err, "api key"))
	}
	return k, nil
}

// RevokeAPIKey revokes a key by id.
func (s *Store) RevokeAPIKey(ctx context.Context, id string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at, id)
	if err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return chat.Errorf(chat.ENOTFOUND, "api key not found")
	}
	return nil
}

// PutAccount creates or replaces a console account; replacing one (a new role or password) ends
// its sessions.
func (s *Store) PutAccount(ctx context.Context, a chat.Account) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO accounts (username, role, password_hash, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (username) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, disabled_at = NULL`,
			a.Username, a.Role, a.PasswordHash, a.CreatedAt)
		if err != nil {
			return fmt.Errorf("put account: %w", err)
		}
		return deleteSessions(ctx, tx, a.Username)
	})
}

// Account returns an account by username.
func (s *Store) Account(ctx context.Context, username string) (chat.Account, error) {
	var a chat.Account
	err := s.pool.QueryRow(ctx, `SELECT username, role, password_hash, created_at, disabled_at FROM accounts WHERE username = $1`, username).
		Scan(&a.Username, &a.Role, &a.PasswordHash, &a.CreatedAt, &a.DisabledAt)
	if err != nil {
		return a, fmt.Errorf("account: %w", notFound(err, "account"))
	}
	return a, nil
}

// Accounts lists the console accounts.
func (s *Store) Accounts(ctx context.Context) ([]chat.Account, error) {
	rows, err := s.pool.Query(ctx, `SELECT username, role, created_at, disabled_at FROM accounts ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.Account, error) {
		var a chat.Account
		err := r.Scan(&a.Username, &a.Role, &a.CreatedAt, &a.DisabledAt)
		a.CreatedAt = a.CreatedAt.UTC()
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	return out, nil
}

// DisableAccount stops an account from signing in and ends its sessions.
func (s *Store) DisableAccount(ctx context.Context, username string, at time.Time) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE accounts SET disabled_at = $2 WHERE username = $1 AND disabled_at IS NULL`, username, at)
		if err != nil {
			return fmt.Errorf("disable account: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return chat.Errorf(chat.ENOTFOUND, "no enabled account %s", username)
		}
		return deleteSessions(ctx, tx, username)
	})
}

// AddAudit records a change.
func (s *Store) AddAudit(ctx context.Context, e chat.AuditEntry) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO audit_log (at, actor, role, action, target, status) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.At, e.Actor, e.Role, e.Action, e.Target, e.Status)
	if err != nil {
		return fmt.Errorf("add audit: %w", err)
	}
	return nil
}

// Audit lists recorded changes, newest first ("" actor: everyone's).
func (s *Store) Audit(ctx context.Context, actor string, limit int) ([]chat.AuditEntry, error) {
	if limit <= 0 {
		limit = 200
	}
	rows, err := s.pool.Query(ctx, `SELECT id, at, actor, role, action, target, status FROM audit_log
		WHERE $1 = '' OR actor = $1 ORDER BY id DESC LIMIT $2`, actor, limit)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.AuditEntry, error) {
		var e chat.AuditEntry
		err := r.Scan(&e.ID, &e.At, &e.Actor, &e.Role, &e.Action, &e.Target, &e.Status)
		e.At = e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return out, nil
}

// APIKeys lists every key, revoked ones too, newest first.
func (s *Store) APIKeys(ctx context.Context) ([]chat.APIKey, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, scopes, created_at, revoked_at FROM api_keys ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.APIKey, error) {
		var k chat.APIKey
		err := r.Scan(&k.ID, &k.Name, (*chat.ScopeList)(&k.Scopes), &k.CreatedAt, &k.RevokedAt)
		k.CreatedAt = k.CreatedAt.UTC()
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
	}
	return out, nil
}
