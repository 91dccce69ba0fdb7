package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/followup"
)

// AddConsent implements followup.Store.
func (s *Store) AddConsent(ctx context.Context, c followup.Consent) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO consents (customer_id, channel, purpose, granted, text, source, evidence, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, c.CustomerID, c.Channel, c.Purpose, c.Granted, c.Text, c.Source, c.Evidence, c.At)
	if err != nil {
		return fmt.Errorf("add consent: %w", err)
	}
	return nil
}

// Consents implements followup.Store.
func (s *Store) Consents(ctx context.Context, customerID string) ([]followup.Consent, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, customer_id, channel, purpose, granted, text, source, evidence, at FROM consents
		WHERE customer_id = $1 ORDER BY id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("consents: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (followup.Consent, error) { return scanConsent(r) })
	if err != nil {
		return nil, fmt.Errorf("consents: %w", err)
	}
	return out, nil
}

const followUpColumns = `id, customer_id, conversation_id, channel, kind, text, due_at, status, reason, message_id, created_by, created_at, done_at`

// CreateFollowUp implements followup.Store.
func (s *Store) CreateFollowUp(ctx context.Context, f followup.FollowUp) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO followups (`+followUpColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		f.ID, f.CustomerID, f.ConversationID, f.Channel, f.Kind, f.Text, f.DueAt, f.Status, f.Reason, f.MessageID, f.CreatedBy, f.CreatedAt, f.DoneAt)
	if err != nil {
		return fmt.Errorf("create follow-up: %w", err)
	}
	return nil
}

func (s *Store) followUps(ctx context.Context, query string, args ...any) ([]followup.FollowUp, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+followUpColumns+` FROM followups `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (followup.FollowUp, error) { return scanFollowUp(r) })
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	return out, nil
}

// DueFollowUps implements followup.Store.
func (s *Store) DueFollowUps(ctx context.Context, now time.Time, limit int) ([]followup.FollowUp, error) {
	return s.followUps(ctx, `WHERE status = 'scheduled' AND due_at <= $1 ORDER BY due_at, id LIMIT $2`, now, limit)
}

// ConversationFollowUps implements followup.Store.
func (s *Store) ConversationFollowUps(ctx context.Context, conversationID string) ([]followup.FollowUp, error) {
	return s.followUps(ctx, `WHERE conversation_id = $1 ORDER BY created_at, id`, conversationID)
}

// FinishFollowUp implements followup.Store.
func (s *Store) FinishFollowUp(ctx context.Context, f followup.FollowUp) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE followups SET status = $1, reason = $2, message_id = $3, done_at = $4 WHERE id = $5 AND status = 'scheduled'`,
		f.Status, f.Reason, f.MessageID, f.DoneAt, f.ID)
	if err != nil {
		return false, fmt.Errorf("finish follow-up: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
