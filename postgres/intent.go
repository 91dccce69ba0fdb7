package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/chat"
)

// PutIntent creates or replaces an intent.
func (s *Store) PutIntent(ctx context.Context, in chat.Intent) error {
	answers := in.Answers
	if answers == nil {
		answers = map[string]string{}
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO intents (name, action, answer, answers, team, priority, examples, updated_at, run)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (name) DO UPDATE SET action = excluded.action, answer = excluded.answer, answers = excluded.answers,
			team = excluded.team, priority = excluded.priority, examples = excluded.examples, updated_at = excluded.updated_at, run = excluded.run`,
		in.Name, in.Action, in.Answer, answers, in.Team, in.Priority, nonNil(in.Examples), in.UpdatedAt, in.Run)
	if err != nil {
		return fmt.Errorf("put intent: %w", err)
	}
	return nil
}

// Intents lists all intents ordered by name.
func (s *Store) Intents(ctx context.Context) ([]chat.Intent, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, action, answer, answers, team, priority, examples, updated_at, run FROM intents ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("intents: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.Intent, error) {
		var in chat.Intent
		err := r.Scan(&in.Name, &in.Action, &in.Answer, &in.Answers, &in.Team, &in.Priority, &in.Examples, &in.UpdatedAt, &in.Run)
		in.UpdatedAt = in.UpdatedAt.UTC()
		if len(in.Answers) == 0 {
			in.Answers = nil
		}
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

// Setting returns a setting's value, or "" when it was never set.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.pool.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("setting %s: %w", key, err)
	}
	return v, nil
}

// PutSetting stores a setting.
func (s *Store) PutSetting(ctx context.Context, key, value string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, at)
	if err != nil {
		return fmt.Errorf("put setting %s: %w", key, err)
	}
	return nil
}
