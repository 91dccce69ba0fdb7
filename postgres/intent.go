package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/chat"
)

// PutIntent creates or replaces an intent.
func (s *Store) PutIntent(ctx context.Context, in chat.Intent) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO intents (name, action, answer, team, priority, examples, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (name) DO UPDATE SET action = excluded.action, answer = excluded.answer, team = excluded.team,
			priority = excluded.priority, examples = excluded.examples, updated_at = excluded.updated_at`,
		in.Name, in.Action, in.Answer, in.Team, in.Priority, nonNil(in.Examples), in.UpdatedAt)
	if err != nil {
		return fmt.Errorf("put intent: %w", err)
	}
	return nil
}

// Intents lists all intents ordered by name.
func (s *Store) Intents(ctx context.Context) ([]chat.Intent, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, action, answer, team, priority, examples, updated_at FROM intents ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("intents: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.Intent, error) {
		var in chat.Intent
		err := r.Scan(&in.Name, &in.Action, &in.Answer, &in.Team, &in.Priority, &in.Examples, &in.UpdatedAt)
		in.UpdatedAt = in.UpdatedAt.UTC()
		return in, err
	})
	if err != nil {
		return nil, fmt.Errorf("intents: %w", err)
	}
	return out, nil
}

// DeleteIntent removes an intent.
func (s *Store) DeleteIntent(ctx context.Context, name string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM intents WHERE name = $1`, name)
	if err != nil {
		return fmt.Errorf("delete intent: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return chat.Errorf(chat.ENOTFOUND, "intent %s not found", name)
	}
	return nil
}

// IntentsVersion changes whenever an intent is added, changed or deleted.
func (s *Store) IntentsVersion(ctx context.Context) (string, error) {
	var n int64
	var last *time.Time
	if err := s.pool.QueryRow(ctx, `SELECT count(*), max(updated_at) FROM intents`).Scan(&n, &last); err != nil {
		return "", fmt.Errorf("intents version: %w", err)
	}
	v := fmt.Sprintf("%d:", n)
	if last != nil {
		v += fmt.Sprint(last.UnixMicro())
	}
	return v, nil
}
