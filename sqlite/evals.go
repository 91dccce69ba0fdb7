package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"tandem/chat"
)

// AddReview stores a review candidate once per dedupe key; false when it was there already.
func (s *Store) AddReview(ctx context.Context, it chat.ReviewItem, dedupe string) (bool, error) {
	sources, _ := json.Marshal(nonNilSources(it.Sources))
	res, err := s.db.ExecContext(ctx, `INSERT INTO review_items (dedupe, reason, conversation_id, message_id, channel, intent, text,
		bot_answer, answer, confidence, sources, status, created_at, handoff_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)
		ON CONFLICT (dedupe) DO NOTHING`, dedupe, it.Reason, it.ConversationID, it.MessageID, it.Channel, it.Intent, it.Text,
		it.BotAnswer, it.Answer, it.Confidence, string(sources), micros(it.CreatedAt), it.HandoffReason)
	if err != nil {
		return false, fmt.Errorf("add review: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// SetReviewAnswer records the agent's answer on a conversation's open handoff candidates that
// have none yet, except handoffs the customer asked for or an intent's policy made: "talk to a
// person" has no answer of its own, and the agent's reply answers what the customer asks next.
func (s *Store) SetReviewAnswer(ctx context.Context, conversationID, answer string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE review_items SET answer = ? WHERE conversation_id = ? AND reason = 'handoff' AND answer = ''
		AND handoff_reason NOT IN ('customer_request', 'intent_policy')`, answer, conversationID)
	if err != nil {
		return fmt.Errorf("set review answer: %w", err)
	}
	return nil
}

const reviewColumns = `id, reason, conversation_id, message_id, channel, intent, text, bot_answer, answer, confidence, sources, status, created_at, handoff_reason`

func scanReview(sc rowScanner) (chat.ReviewItem, error) {
	var it chat.ReviewItem
	err := sc.Scan(&it.ID, &it.Reason, &it.ConversationID, &it.MessageID, &it.Channel, &it.Intent, &it.Text, &it.BotAnswer,
		&it.Answer, &it.Confidence, jsonCol{&it.Sources}, &it.Status, (*microTime)(&it.CreatedAt), &it.HandoffReason)
	return it, err
}

// Reviews lists review candidates, newest first.
func (s *Store) Reviews(ctx context.Context, f chat.ReviewFilter) ([]chat.ReviewItem, error) {
	var where []string
	var args []any
	for col, v := range map[string]string{"reason": f.Reason, "channel": f.Channel, "intent": f.Intent, "status": f.Status} {
		if v != "" {
			where = append(where, col+" = ?")
			args = append(args, v)
		}
	}
	if !f.From.IsZero() {
		where, args = append(where, "created_at >= ?"), append(args, micros(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "created_at < ?"), append(args, micros(f.To))
	}
	q := `SELECT ` + reviewColumns + ` FROM review_items`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	return collect(ctx, s.db, "reviews", scanReview, q+` ORDER BY id DESC LIMIT ?`, append(args, limitOr(f.Limit, 200))...)
}

func limitOr(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// Review returns one review candidate.
func (s *Store) Review(ctx context.Context, id int64) (chat.ReviewItem, error) {
	it, err := scanReview(s.db.QueryRowContext(ctx, `SELECT `+reviewColumns+` FROM review_items WHERE id = ?`, id))
	if err != nil {
		return it, fmt.Errorf("review: %w", notFound(err, "review item"))
	}
	return it, nil
}

// SetReviewStatus sets the status of review candidates and returns how many there were.
func (s *Store) SetReviewStatus(ctx context.Context, ids []int64, status string) (int, error) {
	n := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, `UPDATE review_items SET status = ? WHERE id = ?`, status, id)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("set review status: %w", err)
	}
	return n, nil
}

// PutEvalCases adds cases to a set (creating it), replacing cases with the same id; with replace
// the set's other cases are removed first. It returns the set's size.
func (s *Store) PutEvalCases(ctx context.Context, set string, cases []chat.EvalRecord, replace bool, at time.Time) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO eval_sets (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, set, micros(at)); err != nil {
			return err
		}
		if replace {
			if _, err := tx.ExecContext(ctx, `DELETE FROM eval_cases WHERE set_name = ?`, set); err != nil {
				return err
			}
		}
		var next int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(ord), 0) FROM eval_cases WHERE set_name = ?`, set).Scan(&next); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO eval_cases (set_name, id, ord, body) VALUES (?, ?, ?, ?)
			ON CONFLICT (set_name, id) DO UPDATE SET body = excluded.body`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, c := range cases {
			if _, err := stmt.ExecContext(ctx, set, c.ID, next+i+1, string(c.Body)); err != nil {
				return err
			}
		}
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM eval_cases WHERE set_name = ?`, set).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("put eval cases: %w", err)
	}
	return n, nil
}

// EvalSets lists the sets with their sizes.
func (s *Store) EvalSets(ctx context.Context) ([]chat.EvalSet, error) {
	return collect(ctx, s.db, "eval sets", func(sc rowScanner) (chat.EvalSet, error) {
		var e chat.EvalSet
		err := sc.Scan(&e.Name, (*microTime)(&e.CreatedAt), &e.Cases)
		return e, err
	}, `SELECT s.name, s.created_at, (SELECT count(*) FROM eval_cases c WHERE c.set_name = s.name) FROM eval_sets s ORDER BY s.name`)
}

// EvalCases returns a set's cases in the order they were added; not_found for an unknown set.
func (s *Store) EvalCases(ctx context.Context, set string) ([]chat.EvalRecord, error) {
	var one int
	if err := s.db.QueryRowContext(ctx, `SELECT 1 FROM eval_sets WHERE name = ?`, set).Scan(&one); err != nil {
		return nil, fmt.Errorf("eval set: %w", notFound(err, "eval set "+set))
	}
	return s.records(ctx, `SELECT id, body FROM eval_cases WHERE set_name = ? ORDER BY ord`, set)
}

func (s *Store) records(ctx context.Context, q string, args ...any) ([]chat.EvalRecord, error) {
	return collect(ctx, s.db, "eval records", func(sc rowScanner) (chat.EvalRecord, error) {
		var r chat.EvalRecord
		var body string
		err := sc.Scan(&r.ID, &body)
		r.Body = json.RawMessage(body)
		return r, err
	}, q, args...)
}

// DeleteEvalSet removes a set and its cases.
func (s *Store) DeleteEvalSet(ctx context.Context, set string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM eval_sets WHERE name = ?`, set)
	if err != nil {
		return fmt.Errorf("delete eval set: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chat.Errorf(chat.ENOTFOUND, "eval set %s not found", set)
	}
	return nil
}

// PutEvalRun stores a run and its per-case results.
func (s *Store) PutEvalRun(ctx context.Context, run chat.EvalRun, results []chat.EvalRecord) error {
	cfg, _ := json.Marshal(run.Config)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO eval_runs (id, set_name, baseline, config, metrics, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			run.ID, run.Set, run.Baseline, string(cfg), string(run.Metrics), micros(run.CreatedAt)); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO eval_results (run_id, case_id, ord, body) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, r := range results {
			if _, err := stmt.ExecContext(ctx, run.ID, r.ID, i, string(r.Body)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put eval run: %w", err)
	}
	return nil
}

const runColumns = `id, set_name, baseline, config, metrics, created_at`

func scanRun(sc rowScanner) (chat.EvalRun, error) {
	var r chat.EvalRun
	var metrics string
	err := sc.Scan(&r.ID, &r.Set, &r.Baseline, jsonCol{&r.Config}, &metrics, (*microTime)(&r.CreatedAt))
	r.Metrics = json.RawMessage(metrics)
	return r, err
}

// EvalRun returns a run and its results in case order.
func (s *Store) EvalRun(ctx context.Context, id string) (chat.EvalRun, []chat.EvalRecord, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM eval_runs WHERE id = ?`, id))
	if err != nil {
		return r, nil, fmt.Errorf("eval run: %w", notFound(err, "eval run "+id))
	}
	results, err := s.records(ctx, `SELECT case_id, body FROM eval_results WHERE run_id = ? ORDER BY ord`, id)
	return r, results, err
}

// EvalRuns lists a set's runs, newest first ("" lists every set's).
func (s *Store) EvalRuns(ctx context.Context, set string, limit int) ([]chat.EvalRun, error) {
	return collect(ctx, s.db, "eval runs", scanRun, `SELECT `+runColumns+` FROM eval_runs WHERE ? = '' OR set_name = ? ORDER BY created_at DESC LIMIT ?`,
		set, set, limitOr(limit, 50))
}
