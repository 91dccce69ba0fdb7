package postgres

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
		WHERE c.owner = 'bot' AND c.updated_at >= $1 AND c.updated_at < $2)
		AND author = 'customer' AND recovered_at IS NULL ORDER BY id LIMIT $3`, from, to, limit)
}

// ClaimStranded marks a stranded message recovered, once.
func (s *Store) ClaimStranded(ctx context.Context, messageID int64, at time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE messages SET recovered_at = $2 WHERE id = $1 AND recovered_at IS NULL`, messageID, at)
	if err != nil {
		return false, fmt.Errorf("claim stranded message: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
