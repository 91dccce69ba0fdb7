package sqlite

import (
	"context"
	"fmt"
	"time"

	"tandem/chat"
)

// Stranded lists customer messages left last in bot-owned conversations updated in [from, to).
func (s *Store) Stranded(ctx context.Context, from, to time.Time, limit int) ([]chat.Message, error) {
	return s.listMessages(ctx, `SELECT `+messageColumns+` FROM messages WHERE id IN (
		SELECT (SELECT max(m.id) FROM messages m WHERE m.conversation_id = c.id) FROM conversations c
		WHERE c.owner = 'bot' AND c.updated_at >= ? AND c.updated_at < ?)
		AND author = 'customer' AND recovered_at IS NULL ORDER BY id LIMIT ?`, micros(from), micros(to), limit)
}

// ClaimStranded marks a stranded message recovered, once.
func (s *Store) ClaimStranded(ctx context.Context, messageID int64, at time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE messages SET recovered_at = ? WHERE id = ? AND recovered_at IS NULL`, micros(at), messageID)
	if err != nil {
		return false, fmt.Errorf("claim stranded message: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
