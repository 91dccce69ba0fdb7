package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"tandem/followup"
)

// AddConsent implements followup.Store.
func (s *Store) AddConsent(ctx context.Context, c followup.Consent) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO consents (customer_id, channel, purpose, granted, text, source, evidence, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.CustomerID, c.Channel, c.Purpose, c.Granted, c.Text, c.Source, c.Evidence, micros(c.At))
	if err != nil {
		return fmt.Errorf("add consent: %w", err)
	}
	return nil
}

// Consents implements followup.Store.
func (s *Store) Consents(ctx context.Context, customerID string) ([]followup.Consent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, customer_id, channel, purpose, granted, text, source, evidence, at FROM consents
		WHERE customer_id = ? ORDER BY id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("consents: %w", err)
	}
	defer rows.Close()
	out := []followup.Consent{}
	for rows.Next() {
		c, err := scanConsent(rows)
		if err != nil {
			return nil, fmt.Errorf("consents: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const followUpColumns = `id, customer_id, conversation_id, channel, kind, text, due_at, status, reason, message_id, created_by, created_at, done_at`

func scanFollowUp(sc rowScanner) (followup.FollowUp, error) {
	var f followup.FollowUp
	var done sql.NullInt64
	err := sc.Scan(&f.ID, &f.CustomerID, &f.ConversationID, &f.Channel, &f.Kind, &f.Text, (*microTime)(&f.DueAt), &f.Status, &f.Reason,
		&f.MessageID, &f.CreatedBy, (*microTime)(&f.CreatedAt), &done)
	f.DoneAt = optTimePtr(done)
	return f, err
}

// CreateFollowUp implements followup.Store.
func (s *Store) CreateFollowUp(ctx context.Context, f followup.FollowUp) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO followups (`+followUpColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.ID, f.CustomerID, f.ConversationID, f.Channel, f.Kind, f.Text, micros(f.DueAt), f.Status, f.Reason, f.MessageID, f.CreatedBy,
		micros(f.CreatedAt), caseTime(f.DoneAt))
	if err != nil {
		return fmt.Errorf("create follow-up: %w", err)
	}
	return nil
}

func (s *Store) followUps(ctx context.Context, query string, args ...any) ([]followup.FollowUp, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+followUpColumns+` FROM followups `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	defer rows.Close()
	out := []followup.FollowUp{}
	for rows.Next() {
		f, err := scanFollowUp(rows)
		if err != nil {
			return nil, fmt.Errorf("follow-ups: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// DueFollowUps implements followup.Store.
func (s *Store) DueFollowUps(ctx context.Context, now time.Time, limit int) ([]followup.FollowUp, error) {
	return s.followUps(ctx, `WHERE status = 'scheduled' AND due_at <= ? ORDER BY due_at, id LIMIT ?`, micros(now), limit)
}

// ConversationFollowUps implements followup.Store.
func (s *Store) ConversationFollowUps(ctx context.Context, conversationID string) ([]followup.FollowUp, error) {
	return s.followUps(ctx, `WHERE conversation_id = ? ORDER BY created_at, id`, conversationID)
}

// FinishFollowUp implements followup.Store.
func (s *Store) FinishFollowUp(ctx context.Context, f followup.FollowUp) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE followups SET status = ?, reason = ?, message_id = ?, done_at = ? WHERE id = ? AND status = 'scheduled'`,
		f.Status, f.Reason, f.MessageID, caseTime(f.DoneAt), f.ID)
	if err != nil {
		return false, fmt.Errorf("finish follow-up: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
