package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/analytics"
	"tandem/chat"
)

// AnalyticsFacts returns the facts of every conversation created in [from, to), oldest first,
// from all of their messages, transitions and ratings. It runs four bulk queries (no query per
// conversation) in one read-only repeatable-read transaction, so they see one snapshot.
func (s *Store) AnalyticsFacts(ctx context.Context, from, to time.Time) ([]analytics.Facts, error) {
	var out []analytics.Facts
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var byID map[string]*analytics.Facts
		var err error
		if out, byID, err = factsConversations(ctx, tx, from, to); err != nil {
			return err
		}
		for _, step := range []func(context.Context, pgx.Tx, time.Time, time.Time, map[string]*analytics.Facts) error{
			factsMessages, factsTransitions, factsRatings, factsIntents,
		} {
			if err := step(ctx, tx, from, to, byID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("analytics facts: %w", err)
	}
	return out, nil
}

// factsIntents counts the bot's messages per intent in each conversation.
func factsIntents(ctx context.Context, tx pgx.Tx, from, to time.Time, byID map[string]*analytics.Facts) error {
	rows, err := tx.Query(ctx, `SELECT x.conversation_id, x.intent, count(*) FROM messages x `+inRange+`
		WHERE x.author = 'bot' AND x.intent <> '' GROUP BY 1, 2`, from, to)
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

// inRange joins a table's conversation_id to the conversations created in [$1, $2).
const inRange = `JOIN conversations c ON c.id = x.conversation_id AND c.created_at >= $1 AND c.created_at < $2`

func factsConversations(ctx context.Context, tx pgx.Tx, from, to time.Time) ([]analytics.Facts, map[string]*analytics.Facts, error) {
	rows, err := tx.Query(ctx, `SELECT id, channel, created_at FROM conversations
		WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, id`, from, to)
	if err != nil {
		return nil, nil, err
	}
	out := []analytics.Facts{}
	var f analytics.Facts
	_, err = pgx.ForEachRow(rows, []any{&f.ID, &f.Channel, &f.CreatedAt}, func() error {
		f.CreatedAt = f.CreatedAt.UTC()
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]*analytics.Facts, len(out))
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	return out, byID, nil
}

// factsMessages aggregates messages per conversation. System notices are left out; lag() sees
// the message before each one to find reopens (analytics.Facts.Reopened).
func factsMessages(ctx context.Context, tx pgx.Tx, from, to time.Time, byID map[string]*analytics.Facts) error {
	rows, err := tx.Query(ctx, `
		WITH m AS (
			SELECT x.conversation_id, x.author, x.decision, x.created_at,
				lag(x.author) OVER w AS prev_author, lag(x.decision) OVER w AS prev_decision, lag(x.created_at) OVER w AS prev_at,
				min(x.created_at) FILTER (WHERE x.author = 'customer') OVER (PARTITION BY x.conversation_id) AS first_customer
			FROM messages x `+inRange+`
			WHERE x.author <> 'system'
			WINDOW w AS (PARTITION BY x.conversation_id ORDER BY x.created_at, x.id))
		SELECT conversation_id,
			count(*) FILTER (WHERE author = 'customer'),
			min(first_customer),
			min(created_at) FILTER (WHERE author IN ('bot', 'agent') AND created_at >= first_customer),
			min(created_at) FILTER (WHERE author = 'agent'),
			count(*) FILTER (WHERE author = 'bot' AND decision = 'answer'),
			COALESCE(bool_or(author = 'customer' AND prev_author = 'bot' AND prev_decision = 'answer'
				AND created_at - prev_at BETWEEN $3::bigint * interval '1 microsecond' AND $4::bigint * interval '1 microsecond'), false)
		FROM m GROUP BY conversation_id`,
		from, to, analytics.ResolvedAfter.Microseconds(), analytics.ReopenWindow.Microseconds())
	if err != nil {
		return err
	}
	var id string
	var customer, answers int
	var firstCustomer, firstReply, firstAgent *time.Time
	var reopened bool
	_, err = pgx.ForEachRow(rows, []any{&id, &customer, &firstCustomer, &firstReply, &firstAgent, &answers, &reopened}, func() error {
		if f := byID[id]; f != nil {
			f.CustomerMessages, f.BotAnswers, f.Reopened = customer, answers, reopened
			f.FirstCustomerAt, f.FirstReplyAt, f.FirstAgentAt = utcOrZero(firstCustomer), utcOrZero(firstReply), utcOrZero(firstAgent)
		}
		return nil
	})
	return err
}

// factsTransitions folds each conversation's transitions, in the order they were stored.
func factsTransitions(ctx context.Context, tx pgx.Tx, from, to time.Time, byID map[string]*analytics.Facts) error {
	rows, err := tx.Query(ctx, `SELECT x.conversation_id, x.from_owner, x.to_owner, x.reason, x.at
		FROM transitions x `+inRange+` ORDER BY x.conversation_id, x.id`, from, to)
	if err != nil {
		return err
	}
	var ts []chat.Transition
	flush := func() {
		if len(ts) > 0 && byID[ts[0].ConversationID] != nil {
			byID[ts[0].ConversationID].ApplyTransitions(ts)
		}
		ts = ts[:0]
	}
	var t chat.Transition
	_, err = pgx.ForEachRow(rows, []any{&t.ConversationID, &t.From, &t.To, &t.Reason, &t.At}, func() error {
		if len(ts) > 0 && ts[0].ConversationID != t.ConversationID {
			flush()
		}
		t.At = t.At.UTC()
		ts = append(ts, t)
		return nil
	})
	flush()
	return err
}

// factsRatings keeps each conversation's latest rating.
func factsRatings(ctx context.Context, tx pgx.Tx, from, to time.Time, byID map[string]*analytics.Facts) error {
	rows, err := tx.Query(ctx, `SELECT x.conversation_id, x.score FROM ratings x `+inRange+`
		ORDER BY x.created_at, x.id`, from, to)
	if err != nil {
		return err
	}
	var id string
	var score int
	_, err = pgx.ForEachRow(rows, []any{&id, &score}, func() error {
		if f := byID[id]; f != nil {
			f.Rating = score
		}
		return nil
	})
	return err
}

// Judgements lists the bot's turns and drafts created in [from, to) with their confidence and,
// where someone judged them, whether they were right: a thumbs up or down, or a draft sent with
// at most a fifth of it changed (right) or more (wrong). Handoffs the customer asked for or an
// intent's policy requires are no judgement of the bot's confidence and are left out.
func (s *Store) Judgements(ctx context.Context, from, to time.Time) ([]analytics.Judgement, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT m.created_at, m.confidence, m.decision = 'answer', f.helpful
		FROM messages m LEFT JOIN feedback f ON f.message_id = m.id
		WHERE m.author = 'bot' AND m.confidence IS NOT NULL AND m.created_at >= $1 AND m.created_at < $2
			AND m.reason NOT IN ('customer_request', 'intent_policy')
		UNION ALL
		SELECT d.created_at, d.confidence, d.decision = 'answer' AND d.text <> '',
			CASE WHEN d.sent_at IS NULL THEN NULL ELSE d.edit_distance * 5 <= greatest(length(d.text), 1) END
		FROM drafts d WHERE d.created_at >= $1 AND d.created_at < $2`, from, to)
	if err != nil {
		return nil, fmt.Errorf("judgements: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (analytics.Judgement, error) {
		var j analytics.Judgement
		err := r.Scan(&j.At, &j.Confidence, &j.Answered, &j.Right)
		j.At = j.At.UTC()
		return j, err
	})
	if err != nil {
		return nil, fmt.Errorf("judgements: %w", err)
	}
	return out, nil
}
