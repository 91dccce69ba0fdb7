package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/chat"
)

// AddReview stores a review candidate once per dedupe key; false when it was there already.
func (s *Store) AddReview(ctx context.Context, it chat.ReviewItem, dedupe string) (bool, error) {
	sources := it.Sources
	if sources == nil {
		sources = []chat.Source{}
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO review_items (dedupe, reason, conversation_id, message_id, channel, intent, text,
		bot_answer, answer, confidence, sources, status, created_at, handoff_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12, $13)
		ON CONFLICT (dedupe) DO NOTHING`, dedupe, it.Reason, it.ConversationID, it.MessageID, it.Channel, it.Intent, it.Text,
		it.BotAnswer, it.Answer, it.Confidence, sources, it.CreatedAt, it.HandoffReason)
	if err != nil {
		return false, fmt.Errorf("add review: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// SetReviewAnswer records the agent's answer on a conversation's open handoff candidates that
// have none yet, except handoffs the customer asked for or an intent's policy made: "talk to a
// person" has no answer of its own, and the agent's reply answers what the customer asks next.
func (s *Store) SetReviewAnswer(ctx context.Context, conversationID, answer string) error {
	_, err := s.pool.Exec(ctx, `UPDATE review_items SET answer = $2 WHERE conversation_id = $1 AND reason = 'handoff' AND answer = ''
		AND handoff_reason NOT IN ('customer_request', 'intent_policy')`, conversationID, answer)
	if err != nil {
		return fmt.Errorf("set review answer: %w", err)
	}
	return nil
}

const reviewColumns = `id, reason, conversation_id, message_id, channel, intent, text, bot_answer, answer, confidence, sources, status, created_at, handoff_reason`

func scanReview(row pgx.Row) (chat.ReviewItem, error) {
	var it chat.ReviewItem
	err := row.Scan(&it.ID, &it.Reason, &it.ConversationID, &it.MessageID, &it.Channel, &it.Intent, &it.Text, &it.BotAnswer,
		&it.Answer, &it.Confidence, &it.Sources, &it.Status, &it.CreatedAt, &it.HandoffReason)
	it.CreatedAt = it.CreatedAt.UTC()
	return it, err
}

// Reviews lists review candidates, newest first.
func (s *Store) Reviews(ctx context.Context, f chat.ReviewFilter) ([]chat.ReviewItem, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	for _, c := range []struct{ col, v string }{{"reason", f.Reason}, {"channel", f.Channel}, {"intent", f.Intent}, {"status", f.Status}} {
		if c.v != "" {
			add(c.col+" = $%d", c.v)
		}
	}
	if !f.From.IsZero() {
		add("created_at >= $%d", f.From)
	}
	if !f.To.IsZero() {
		add("created_at < $%d", f.To)
	}
	q := `SELECT ` + reviewColumns + ` FROM review_items`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 200
	}
	args = append(args, limit)
	rows, err := s.pool.Query(ctx, q+fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("reviews: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.ReviewItem, error) { return scanReview(r) })
	if err != nil {
		return nil, fmt.Errorf("reviews: %w", err)
	}
	return out, nil
}

// Review returns one review candidate.
func (s *Store) Review(ctx context.Context, id int64) (chat.ReviewItem, error) {
	it, err := scanReview(s.pool.QueryRow(ctx, `SELECT `+reviewColumns+` FROM review_items WHERE id = $1`, id))
	if err != nil {
		return it, fmt.Errorf("review: %w", notFound(err, "review item"))
	}
	return it, nil
}

// SetReviewStatus sets the status of review candidates and returns how many there were.
func (s *Store) SetReviewStatus(ctx context.Context, ids []int64, status string) (int, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE review_items SET status = $1 WHERE id = ANY($2)`, status, ids)
	if err != nil {
		return 0, fmt.Errorf("set review status: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// PutEvalCases adds cases to a set (creating it), replacing cases with the same id; with replace
// the set's other cases are removed first. It returns the set's size.
func (s *Store) PutEvalCases(ctx context.Context, set string, cases []chat.EvalRecord, replace bool, at time.Time) (int, error) {
	var n int
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO eval_sets (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, set, at); err != nil {
			return err
		}
		if replace {
			if _, err := tx.Exec(ctx, `DELETE FROM eval_cases WHERE set_name = $1`, set); err != nil {
				return err
			}
		}
		var next int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(max(ord), 0) FROM eval_cases WHERE set_name = $1`, set).Scan(&next); err != nil {
			return err
		}
		batch := &pgx.Batch{}
		for i, c := range cases {
			batch.Queue(`INSERT INTO eval_cases (set_name, id, ord, body) VALUES ($1, $2, $3, $4)
				ON CONFLICT (set_name, id) DO UPDATE SET body = excluded.body`, set, c.ID, next+i+1, string(c.Body))
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT count(*) FROM eval_cases WHERE set_name = $1`, set).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("put eval cases: %w", err)
	}
	return n, nil
}

// EvalSets lists the sets with their sizes.
func (s *Store) EvalSets(ctx context.Context) ([]chat.EvalSet, error) {
	rows, err := s.pool.Query(ctx, `SELECT s.name, s.created_at, (SELECT count(*) FROM eval_cases c WHERE c.set_name = s.name)
		FROM eval_sets s ORDER BY s.name`)
	if err != nil {
		return nil, fmt.Errorf("eval sets: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.EvalSet, error) {
		var e chat.EvalSet
		err := r.Scan(&e.Name, &e.CreatedAt, &e.Cases)
		e.CreatedAt = e.CreatedAt.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("eval sets: %w", err)
	}
	return out, nil
}

// EvalCases returns a set's cases in the order they were added; not_found for an unknown set.
func (s *Store) EvalCases(ctx context.Context, set string) ([]chat.EvalRecord, error) {
	var one int
	if err := s.pool.QueryRow(ctx, `SELECT 1 FROM eval_sets WHERE name = $1`, set).Scan(&one); err != nil {
		return nil, fmt.Errorf("eval set: %w", notFound(err, "eval set "+set))
	}
	return s.records(ctx, `SELECT id, body FROM eval_cases WHERE set_name = $1 ORDER BY ord`, set)
}

func (s *Store) records(ctx context.Context, q string, args ...any) ([]chat.EvalRecord, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("eval records: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.EvalRecord, error) {
		var rec chat.EvalRecord
		var body []byte
		err := r.Scan(&rec.ID, &body)
		rec.Body = json.RawMessage(body)
		return rec, err
	})
	if err != nil {
		return nil, fmt.Errorf("eval records: %w", err)
	}
	return out, nil
}

// DeleteEvalSet removes a set and its cases.
func (s *Store) DeleteEvalSet(ctx context.Context, set string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM eval_sets WHERE name = $1`, set)
	if err != nil {
		return fmt.Errorf("delete eval set: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return chat.Errorf(chat.ENOTFOUND, "eval set %s not found", set)
	}
	return nil
}

// PutEvalRun stores a run and its per-case results.
func (s *Store) PutEvalRun(ctx context.Context, run chat.EvalRun, results []chat.EvalRecord) error {
	cfg := run.Config
	if cfg == nil {
		cfg = map[string]string{}
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO eval_runs (id, set_name, baseline, config, metrics, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			run.ID, run.Set, run.Baseline, cfg, string(run.Metrics), run.CreatedAt); err != nil {
			return err
		}
		rows := make([][]any, len(results))
		for i, r := range results {
			rows[i] = []any{run.ID, r.ID, i, string(r.Body)}
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"eval_results"}, []string{"run_id", "case_id", "ord", "body"}, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return fmt.Errorf("put eval run: %w", err)
	}
	return nil
}

const runColumns = `id, set_name, baseline, config, metrics, created_at`

func scanRun(row pgx.Row) (chat.EvalRun, error) {
	var r chat.EvalRun
	var metrics []byte
	err := row.Scan(&r.ID, &r.Set, &r.Baseline, &r.Config, &metrics, &r.CreatedAt)
	r.Metrics, r.CreatedAt = json.RawMessage(metrics), r.CreatedAt.UTC()
	return r, err
}

// EvalRun returns a run and its results in case order.
func (s *Store) EvalRun(ctx context.Context, id string) (chat.EvalRun, []chat.EvalRecord, error) {
	r, err := scanRun(s.pool.QueryRow(ctx, `SELECT `+runColumns+` FROM eval_runs WHERE id = $1`, id))
	if err != nil {
		return r, nil, fmt.Errorf("eval run: %w", notFound(err, "eval run "+id))
	}
	results, err := s.records(ctx, `SELECT case_id, body FROM eval_results WHERE run_id = $1 ORDER BY ord`, id)
	return r, results, err
}

// EvalRuns lists a set's runs, newest first ("" lists every set's).
func (s *Store) EvalRuns(ctx context.Context, set string, limit int) ([]chat.EvalRun, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.pool.Query(ctx, `SELECT `+runColumns+` FROM eval_runs WHERE $1 = '' OR set_name = $1 ORDER BY created_at DESC LIMIT $2`, set, limit)
	if err != nil {
		return nil, fmt.Errorf("eval runs: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.EvalRun, error) { return scanRun(r) })
	if err != nil {
		return nil, fmt.Errorf("eval runs: %w", err)
	}
	return out, nil
}
