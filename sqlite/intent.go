package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"tandem/chat"
)

// PutIntent creates or replaces an intent.
func (s *Store) PutIntent(ctx context.Context, in chat.Intent) error {
	ex, _ := json.Marshal(nonNil(in.Examples))
	answers, _ := json.Marshal(nonNilMap(in.Answers))
	_, err := s.db.ExecContext(ctx, `INSERT INTO intents (name, action, answer, answers, team, priority, examples, updated_at, run)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET action = excluded.action, answer = excluded.answer, answers = excluded.answers,
			team = excluded.team, priority = excluded.priority, examples = excluded.examples, updated_at = excluded.updated_at, run = excluded.run`,
		in.Name, in.Action, in.Answer, string(answers), in.Team, in.Priority, string(ex), micros(in.UpdatedAt), in.Run)
	if err != nil {
		return fmt.Errorf("put intent: %w", err)
	}
	return nil
}

// Intents lists all intents ordered by name.
func (s *Store) Intents(ctx context.Context) ([]chat.Intent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, action, answer, answers, team, priority, examples, updated_at, run FROM intents ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("intents: %w", err)
	}
	defer rows.Close()
	var out []chat.Intent
	for rows.Next() {
		var in chat.Intent
		var ex, answers string
		if err := rows.Scan(&in.Name, &in.Action, &in.Answer, &answers, &in.Team, &in.Priority, &ex, (*microTime)(&in.UpdatedAt), &in.Run); err != nil {
			return nil, fmt.Errorf("intents: %w", err)
		}
		json.Unmarshal([]byte(ex), &in.Examples)
		json.Unmarshal([]byte(answers), &in.Answers)
		if len(in.Answers) == 0 {
			in.Answers = nil
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// DeleteIntent removes an intent.
func (s *Store) DeleteIntent(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM intents WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("delete intent: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chat.Errorf(chat.ENOTFOUND, "intent %s not found", name)
	}
	return nil
}

// IntentsVersion changes whenever an intent is added, changed or deleted.
func (s *Store) IntentsVersion(ctx context.Context) (string, error) {
	var n, last int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*), COALESCE(max(updated_at), 0) FROM intents`).Scan(&n, &last)
	if err != nil {
		return "", fmt.Errorf("intents version: %w", err)
	}
	return fmt.Sprintf("%d:%d", n, last), nil
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// Setting returns a setting's value, or "" when it was never set.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("setting %s: %w", key, err)
	}
	return v, nil
}

// PutSetting stores a setting.
func (s *Store) PutSetting(ctx context.Context, key, value string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, micros(at))
	if err != nil {
		return fmt.Errorf("put setting %s: %w", key, err)
	}
	return nil
}
