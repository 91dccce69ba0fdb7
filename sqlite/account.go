package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"tandem/chat"
)

// CreateAPIKey stores a key; Hash must be unique.
func (s *Store) CreateAPIKey(ctx context.Context, k chat.APIKey) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO api_keys (id, name, hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)`,
		k.ID, k.Name, k.Hash, strings.Join(k.Scopes, ","), micros(k.CreatedAt))
	if isUnique(err) {
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
	err := s.db.QueryRowContext(ctx, `SELECT id, name, hash, scopes, created_at FROM api_keys WHERE hash = ? AND revoked_at IS NULL`, hash).
		Scan(&k.ID, &k.Name, &k.Hash, (*chat.ScopeList)(&k.Scopes), (*microTime)(&k.CreatedAt))
	if err != nil {
		return k, fmt.Errorf("api key: %w", notFound(err, "api key"))
	}
	return k, nil
}

// RevokeAPIKey revokes a key by id.
func (s *Store) RevokeAPIKey(ctx context.Context, id string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, micros(at), id)
	if err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chat.Errorf(chat.ENOTFOUND, "api key not found")
	}
	return nil
}

// PutAccount creates or replaces a console account; replacing one (a new role or password) ends
// its sessions.
func (s *Store) PutAccount(ctx context.Context, a chat.Account) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (username) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, disabled_at = NULL`,
			a.Username, a.Role, a.PasswordHash, micros(a.CreatedAt))
		if err != nil {
			return fmt.Errorf("put account: %w", err)
		}
		return deleteSessions(ctx, tx, a.Username)
	})
}

// Account returns an account by username.
func (s *Store) Account(ctx context.Context, username string) (chat.Account, error) {
	var a chat.Account
	var disabled sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT username, role, password_hash, created_at, disabled_at FROM accounts WHERE username = ?`, username).
		Scan(&a.Username, &a.Role, &a.PasswordHash, (*microTime)(&a.CreatedAt), &disabled)
	if disabled.Valid {
		t := fromMicros(disabled.Int64)
		a.DisabledAt = &t
	}
	if err != nil {
		return a, fmt.Errorf("account: %w", notFound(err, "account"))
	}
	return a, nil
}

// Accounts lists the console accounts.
func (s *Store) Accounts(ctx context.Context) ([]chat.Account, error) {
	return collect(ctx, s.db, "accounts", func(sc rowScanner) (chat.Account, error) {
		var a chat.Account
		var disabled sql.NullInt64
		err := sc.Scan(&a.Username, &a.Role, (*microTime)(&a.CreatedAt), &disabled)
		if disabled.Valid {
			t := fromMicros(disabled.Int64)
			a.DisabledAt = &t
		}
		return a, err
	}, `SELECT username, role, created_at, disabled_at FROM accounts ORDER BY username`)
}

// DisableAccount stops an account from signing in and ends its sessions.
func (s *Store) DisableAccount(ctx context.Context, username string, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET disabled_at = ? WHERE username = ? AND disabled_at IS NULL`, micros(at), username)
		if err != nil {
			return fmt.Errorf("disable account: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return chat.Errorf(chat.ENOTFOUND, "no enabled account %s", username)
		}
		return deleteSessions(ctx, tx, username)
	})
}

// AddAudit records a change.
func (s *Store) AddAudit(ctx context.Context, e chat.AuditEntry) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO audit_log (at, actor, role, action, target, status) VALUES (?, ?, ?, ?, ?, ?)`,
		micros(e.At), e.Actor, e.Role, e.Action, e.Target, e.Status)
	if err != nil {
		return fmt.Errorf("add audit: %w", err)
	}
	return nil
}

// Audit lists recorded changes, newest first ("" actor: everyone's).
func (s *Store) Audit(ctx context.Context, actor string, limit int) ([]chat.AuditEntry, error) {
	return collect(ctx, s.db, "audit", func(sc rowScanner) (chat.AuditEntry, error) {
		var e chat.AuditEntry
		err := sc.Scan(&e.ID, (*microTime)(&e.At), &e.Actor, &e.Role, &e.Action, &e.Target, &e.Status)
		return e, err
	}, `SELECT id, at, actor, role, action, target, status FROM audit_log WHERE ? = '' OR actor = ? ORDER BY id DESC LIMIT ?`,
		actor, actor, limitOr(limit, 200))
}

// APIKeys lists every key, revoked ones too, newest first.
func (s *Store) APIKeys(ctx context.Context) ([]chat.APIKey, error) {
	return collect(ctx, s.db, "api keys", func(sc rowScanner) (chat.APIKey, error) {
		var k chat.APIKey
		var revoked sql.NullInt64
		err := sc.Scan(&k.ID, &k.Name, (*chat.ScopeList)(&k.Scopes), (*microTime)(&k.CreatedAt), &revoked)
		if revoked.Valid {
			t := fromMicros(revoked.Int64)
			k.RevokedAt = &t
		}
		return k, err
	}, `SELECT id, name, scopes, created_at, revoked_at FROM api_keys ORDER BY created_at DESC, id`)
}
