package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tandem/channels/wecomkf"
)

var _ wecomkf.SyncStore = (*Store)(nil)

// ClaimKFSync implements wecomkf.SyncStore.
func (s *Store) ClaimKFSync(ctx context.Context, openKfID, holder, token string, now, until time.Time) (wecomkf.Sync, bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wecomkf.Sync{}, false, fmt.Errorf("claim kf sync: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO wecomkf_sync (open_kfid) VALUES (?) ON CONFLICT DO NOTHING`, openKfID); err != nil {
		return wecomkf.Sync{}, false, fmt.Errorf("claim kf sync: %w", err)
	}
	if token != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE wecomkf_sync SET token = ? WHERE open_kfid = ?`, token, openKfID); err != nil {
			return wecomkf.Sync{}, false, fmt.Errorf("claim kf sync: %w", err)
		}
	}
	res, err := tx.ExecContext(ctx, `UPDATE wecomkf_sync SET holder = ?, lease_until = ?, pending = 0
		WHERE open_kfid = ? AND (holder = '' OR holder = ? OR lease_until < ?)`, holder, micros(until), openKfID, holder, micros(now))
	if err != nil {
		return wecomkf.Sync{}, false, fmt.Errorf("claim kf sync: %w", err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE wecomkf_sync SET pending = 1 WHERE open_kfid = ?`, openKfID); err != nil {
			return wecomkf.Sync{}, false, fmt.Errorf("claim kf sync: %w", err)
		}
		return wecomkf.Sync{}, false, tx.Commit()
	}
	var sy wecomkf.Sync
	if err := tx.QueryRowContext(ctx, `SELECT cursor, token FROM wecomkf_sync WHERE open_kfid = ?`, openKfID).Scan(&sy.Cursor, &sy.Token); err != nil {
		return sy, false, fmt.Errorf("claim kf sync: %w", err)
	}
	return sy, true, tx.Commit()
}

// AdvanceKFSync implements wecomkf.SyncStore.
func (s *Store) AdvanceKFSync(ctx context.Context, openKfID, holder, cursor string, until time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE wecomkf_sync SET cursor = ?, lease_until = ? WHERE open_kfid = ? AND holder = ?`,
		cursor, micros(until), openKfID, holder)
	if err != nil {
		return false, fmt.Errorf("advance kf sync: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// ReleaseKFSync implements wecomkf.SyncStore.
func (s *Store) ReleaseKFSync(ctx context.Context, openKfID, holder string, until time.Time) (bool, string, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE wecomkf_sync SET holder = '', lease_until = 0 WHERE open_kfid = ? AND holder = ? AND pending = 0`,
		openKfID, holder)
	if err != nil {
		return false, "", fmt.Errorf("release kf sync: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return false, "", nil
	}
	var token string
	err = s.db.QueryRowContext(ctx, `UPDATE wecomkf_sync SET pending = 0, lease_until = ? WHERE open_kfid = ? AND holder = ? RETURNING token`,
		micros(until), openKfID, holder).Scan(&token)
	if errors.Is(err, sql.ErrNoRows) {
		return false, "", nil // the lease was lost: the new holder pulls
	}
	if err != nil {
		return false, "", fmt.Errorf("release kf sync: %w", err)
	}
	return true, token, nil
}
