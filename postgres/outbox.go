package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/chat"
)

// ClaimOutbox leases due undelivered items until now+lease; concurrent workers on any replica
// skip each other's rows.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]chat.OutboxItem, error) {
	rows, err := s.pool.Query(ctx, `UPDATE outbox SET next_at = $1, attempts = attempts + 1
		WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL AND next_at <= $2 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING id, message_id, channel, attempts, next_at, last_error`, now.Add(lease), now, limit)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.OutboxItem, error) {
		var it chat.OutboxItem
		err := r.Scan(&it.ID, &it.MessageID, &it.Channel, &it.Attempts, &it.NextAt, &it.LastError)
		return it, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return out, nil
}

// MarkDelivered records a delivery and the platform's ids of what was sent.
func (s *Store) MarkDelivered(ctx context.Context, id int64, at time.Time, refs ...string) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE outbox SET delivered_at = $1, last_error = '' WHERE id = $2`, at, id); err != nil {
			return err
		}
		for _, ref := range refs {
			if _, err := tx.Exec(ctx, `INSERT INTO outbox_refs (channel, ref, outbox_id) SELECT channel, $1, id FROM outbox WHERE id = $2
				ON CONFLICT (channel, ref) DO NOTHING`, ref, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark delivered: %w", err)
	}
	return nil
}

// FailDelivered sets aside the item a platform's ref belongs to: the platform reported later that
// the message failed.
func (s *Store) FailDelivered(ctx context.Context, channel, ref string, at time.Time, errText string) (chat.OutboxItem, bool, error) {
	var it chat.OutboxItem
	err := s.pool.QueryRow(ctx, `UPDATE outbox SET dead_at = $1, last_error = $2
		WHERE id = (SELECT outbox_id FROM outbox_refs WHERE channel = $3 AND ref = $4) AND dead_at IS NULL
		RETURNING id, message_id, channel, attempts, next_at, last_error`, at, errText, channel, ref).
		Scan(&it.ID, &it.MessageID, &it.Channel, &it.Attempts, &it.NextAt, &it.LastError)
	if errors.Is(err, pgx.ErrNoRows) {
		return it, false, nil
	}
	if err != nil {
		return it, false, fmt.Errorf("fail delivered: %w", err)
	}
	return it, true, nil
}

// MarkFailed records a failed attempt and the time of the next one.
func (s *Store) MarkFailed(ctx context.Context, id int64, next time.Time, errText string) error {
	_, err := s.pool.Exec(ctx, `UPDATE outbox SET next_at = $1, last_error = $2 WHERE id = $3 AND delivered_at IS NULL`, next, errText, id)
	if err != nil {
		return fmt.Errorf("mark failed: %w", err)
	}
	return nil
}

// PendingOutbox counts undelivered items.
func (s *Store) PendingOutbox(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("pending outbox: %w", err)
	}
	return n, nil
}

// MarkDead sets an item aside for good: the platform can never take it.
func (s *Store) MarkDead(ctx context.Context, id int64, at time.Time, errText string) error {
	_, err := s.pool.Exec(ctx, `UPDATE outbox SET dead_at = $1, last_error = $2 WHERE id = $3 AND delivered_at IS NULL`, at, errText, id)
	if err != nil {
		return fmt.Errorf("mark dead: %w", err)
	}
	return nil
}

// ClaimPassive marks a message's undelivered outbox item delivered because the channel answered
// it in the webhook's own response; false if it was already delivered or set aside.
func (s *Store) ClaimPassive(ctx context.Context, messageID int64, at time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE outbox SET delivered_at = $1, last_error = '', passive = true WHERE message_id = $2 AND delivered_at IS NULL AND dead_at IS NULL`,
		at, messageID)
	if err != nil {
		return false, fmt.Errorf("claim passive: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// ReleasePassive undoes ClaimPassive when the response could not be written: the outbox
// delivers the message from next on.
func (s *Store) ReleasePassive(ctx context.Context, messageID int64, next time.Time) error {
	if _, err := s.pool.Exec(ctx, `UPDATE outbox SET delivered_at = NULL, passive = false, next_at = $1 WHERE message_id = $2`, next, messageID); err != nil {
		return fmt.Errorf("release passive: %w", err)
	}
	return nil
}

// DeliveredSince counts a conversation's messages delivered on a channel through the platform's
// send API (passive replies aside) since a time: what a platform's send quota counts.
func (s *Store) DeliveredSince(ctx context.Context, conversationID, channel string, since time.Time) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.message_id
		WHERE m.conversation_id = $1 AND o.channel = $2 AND o.delivered_at >= $3 AND NOT o.passive`, conversationID, channel, since).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("delivered since: %w", err)
	}
	return n, nil
}
