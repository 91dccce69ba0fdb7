package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/channels/wecomkf"
)

var _ wecomkf.SyncStore = (*Store)(nil)

// ClaimKFSync implements wecomkf.SyncStore. The row lock of the upsert serializes replicas.
func (s *Store) ClaimKFSync(ctx context.Context, openKfID, holder, token string, now, until time.Time) (wecomkf.Sync, bool, error) {
	var sy wecomkf.Sync
	var ok bool
	err := s.pool.QueryRow(ctx, `INSERT INTO wecomkf_sync AS w (open_kfid, token, holder, lease_until) VALUES ($1, $2, $3, $4)
		ON CONFLICT (open_kfid) DO UPDATE SET
			token = CASE WHEN $2 <> '' THEN $2 ELSE w.token END,
			holder = CASE WHEN w.holder IN ('', $3) OR w.lease_until < $5 THEN $3 ELSE w.holder END,
			lease_until = CASE WHEN w.holder IN ('', $3) OR w.lease_until < $5 THEN $4 ELSE w.lease_until END,
			pending = NOT (w.holder IN ('', $3) OR w.lease_until < $5)
		RETURNING cursor, token, holder = $3`, openKfID, token, holder, until, now).Scan(&sy.Cursor, &sy.Token, &ok)
	if err != nil {
		return wecomkf.Sync{}, false, fmt.Errorf("claim kf sync: %w", err)
	}
	if !ok {
		return wecomkf.Sync{}, false, nil
	}
	return sy, true, nil
}

// AdvanceKFSync implements wecomkf.SyncStore.
func (s *Store) AdvanceKFSync(ctx context.Context, openKfID, holder, cursor string, until time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE wecomkf_sync SET cursor = $1, lease_until = $2 WHERE open_kfid = $3 AND holder = $4`,
		cursor, until, openKfID, holder)
	if err != nil {
		return false, fmt.Errorf("advance kf sync: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// ReleaseKFSync implements wecomkf.SyncStore. The row is locked so a callback's pending flag is
// either seen here or set after the release (and then claims the free lease itself).
func (s *Store) ReleaseKFSync(ctx context.Context, openKfID, holder string, until time.Time) (bool, string, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, "", fmt.Errorf("release kf sync: %w", err)
	}
	defer tx.Rollback(ctx)
	var pending bool
	var token string
	err = tx.QueryRow(ctx, `SELECT pending, token FROM wecomkf_sync WHERE open_kfid = $1 AND holder = $2 FOR UPDATE`, openKfID, holder).Scan(&pending, &token)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, "", nil // the lease was lost: the new holder pulls
	}
	if err != nil {
		return false, "", fmt.Errorf("release kf sync: %w", err)
	}
	if pending {
		_, err = tx.Exec(ctx, `UPDATE wecomkf_sync SET pending = false, lease_until = $2 WHERE open_kfid = $1`, openKfID, until)
	} else {
		_, err = tx.Exec(ctx, `UPDATE wecomkf_sync SET holder = '', lease_until = 'epoch' WHERE open_kfid = $1`, openKfID)
	}
	if err != nil {
		return false, "", fmt.Errorf("release kf sync: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, "", fmt.Errorf("release kf sync: %w", err)
	}
	return pending, token, nil
}
