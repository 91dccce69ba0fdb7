package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"tandem/analytics"
	"tandem/chat"
)

// AnalyticsFacts returns the facts of every conversation created in [from, to), oldest first,
// from all of their messages, transitions and ratings. It runs four bulk queries (no query per
// conversation) and reads outside a transaction so writers are not held up.
func (s *Store) AnalyticsFacts(ctx context.Context, from, to time.Time) ([]analytics.Facts, error) {
	out, byID, err := s.factsConversations(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("analytics facts: %w", err)
	}
	for _, step := range []func(context.Context, time.Time, time.Time, map[string]*analytics.Facts) error{
		s.factsMessages, s.factsTransitions, s.factsRatings, s.factsIntents,
	} {
		if err := step(ctx, from, to, byID); err != nil {
			return nil, fmt.Errorf("analytics facts: %w", err)
		}
	}
	return out, nil
}

// factsIntents counts the bot's messages per intent in each conversation.
func (s *Store) factsIntents(ctx context.Context, from, to time.Time, byID map[string]*analytics.Facts) error {
	rows, err := s.db.QueryContext(ctx, `SELECT x.conversation_id, x.intent, count(*) FROM messages x `+inRange+`
		WHERE x.author = 'bot' AND x.intent <> '' GROUP BY 1, 2`, micros(from), micros(to))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, in string
		var n int
		if err := rows.Scan(&id, &in, &n); err != nil {
			return err
		}
		if f := byID[id]; f != nil {
			f.CountIntent(in, n)
		}
	}
	return rows.Err()
}

// inRange joins a table's conversation_id to the conversations created in [?, ?).
const inRange = `JOIN conversations c ON c.id = x.conversation_id AND c.created_at >= ? AND c.created_at < ?`

func (s *Store) factsConversations(ctx context.Context, from, to time.Time) ([]analytics.Facts, map[string]*analytics.Facts, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, channel, created_at FROM conversations
		WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id`, micros(from), micros(to))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out := []analytics.Facts{}
	for rows.Next() {
		var f analytics.Facts
		if err := rows.Scan(&f.ID, &f.Channel, (*microTime)(&f.CreatedAt)); err != nil {
			return nil, nil, err
		}
		out = append(out, f)
	}
	byID := make(map[string]*analytics.Facts, len(out))
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	return out, byID, rows.Err()
}

// factsMessages aggregates messages per conversation. System notices are left out; lag() sees
// the message before each one to find reopens (analytics.Facts.Reopened).
func (s *Store) factsMessages(ctx context.Context, from, to time.Time, byID map[string]*analytics.Facts) error {
	rows, err := s.db.QueryContext(ctx, `
		WITH m AS (
			SELECT x.conversation_id, x.author, x.decision, x.created_at,
				lag(x.author) OVER w AS prev_author, lag(x.decision) OVER w AS prev_decision, lag(x.created_at) OVER w AS prev_at,
				min(CASE WHEN x.author = 'customer' THEN x.created_at END) OVER (PARTITION BY x.conversation_id) AS first_customer
			FROM messages x `+inRange+`
			WHERE x.author <> 'system'
			WINDOW w AS (PARTITION BY x.conversation_id ORDER BY x.created_at, x.id))
		SELECT conversation_id,
			count(CASE WHEN author = 'customer' THEN 1 END),
			COALESCE(min(first_customer), 0),
			COALESCE(min(CASE WHEN author IN ('bot', 'agent') AND created_at >= first_customer THEN created_at END), 0),
			COALESCE(min(CASE WHEN author = 'agent' THEN created_at END), 0),
			count(CASE WHEN author = 'bot' AND decision = 'answer' THEN 1 END),
			COALESCE(max(author = 'customer' AND prev_author = 'bot' AND prev_decision = 'answer'
				AND created_at - prev_at BETWEEN ? AND ?), 0)
		FROM m GROUP BY conversation_id`,
		micros(from), micros(to), analytics.ResolvedAfter.Microseconds(), analytics.ReopenWindow.Microseconds())
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var firstCustomer, firstReply, firstAgent int64
		var customer, answers int
		var reopened bool
		if err := rows.Scan(&id, &customer, &firstCustomer, &firstReply, &firstAgent, &answers, &reopened); err != nil {
			return err
		}
		if f := byID[id]; f != nil {
			f.CustomerMessages, f.BotAnswers, f.Reopened = customer, answers, reopened
			f.FirstCustomerAt, f.FirstReplyAt, f.FirstAgentAt = optMicros(firstCustomer), optMicros(firstReply), optMicros(firstAgent)
		}
	}
	return rows.Err()
}

// factsTransitions folds each conversation's transitions, in the order they were stored.
func (s *Store) factsTransitions(ctx context.Context, from, to time.Time, byID map[string]*analytics.Facts) error {
	rows, err := s.db.QueryContext(ctx, `SELECT x.conversation_id, x.from_owner, x.to_owner, x.reason, x.at
		FROM transitions x `+inRange+` ORDER BY x.conversation_id, x.id`, micros(from), micros(to))
	if err != nil {
		return err
	}
	defer rows.Close()
	var ts []chat.Transition
	flush := func() {
		if len(ts) > 0 && byID[ts[0].ConversationID] != nil {
			byID[ts[0].ConversationID].ApplyTransitions(ts)
		}
		ts = ts[:0]
	}
	for rows.Next() {
		var t chat.Transition
		if err := rows.Scan(&t.ConversationID, &t.From, &t.To, &t.Reason, (*microTime)(&t.At)); err != nil {
			return err
		}
		if len(ts) > 0 && ts[0].ConversationID != t.ConversationID {
			flush()
		}
		ts = append(ts, t)
	}
	flush()
	return rows.Err()
}

// factsRatings keeps each conversation's latest rating.
func (s *Store) factsRatings(ctx context.Context, from, to time.Time, byID map[string]*analytics.Facts) error {
	rows, err := s.db.QueryContext(ctx, `SELECT x.conversation_id, x.score FROM ratings x `+inRange+`
		ORDER BY x.created_at, x.id`, micros(from), micros(to))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var score int
		if err := rows.Scan(&id, &score); err != nil {
			return err
		}
		if f := byID[id]; f != nil {
			f.Rating = score
		}
	}
	return rows.Err()
}

// Judgements lists the bot's turns and drafts created in [from, to) with their confidence and,
// where someone judged them, whether they were right: a thumbs up or down, or a draft sent with
// at most a fifth of it changed (right) or more (wrong). Handoffs the customer asked for or an
// intent's policy requires are no judgement of the bot's confidence and are left out.
func (s *Store) Judgements(ctx context.Context, from, to time.Time) ([]analytics.Judgement, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT m.created_at, m.confidence, m.decision = 'answer', f.helpful
		FROM messages m LEFT JOIN feedback f ON f.message_id = m.id
		WHERE m.author = 'bot' AND m.confidence IS NOT NULL AND m.created_at >= ? AND m.created_at < ?
			AND m.reason NOT IN ('customer_request', 'intent_policy')
		UNION ALL
		SELECT d.created_at, d.confidence, d.decision = 'answer' AND d.text <> '',
			CASE WHEN d.sent_at IS NULL THEN NULL ELSE d.edit_distance * 5 <= max(length(d.text), 1) END
		FROM drafts d WHERE d.created_at >= ? AND d.created_at < ?`, micros(from), micros(to), micros(from), micros(to))
	if err != nil {
		return nil, fmt.Errorf("judgements: %w", err)
	}
	defer rows.Close()
	var out []analytics.Judgement
	for rows.Next() {
		var j analytics.Judgement
		var right sql.NullBool
		if err := rows.Scan((*microTime)(&j.At), &j.Confidence, &j.Answered, &right); err != nil {
			return nil, fmt.Errorf("judgements: %w", err)
		}
		if right.Valid {
			j.Right = &right.Bool
		}
		out = append(out, j)
	}
	return out, rows.Err()
}
