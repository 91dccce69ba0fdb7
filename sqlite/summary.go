package sqlite

import (
	"context"
	"fmt"
	"time"

	"tandem/analytics"
)

// summarySQL is postgres's summary statement in SQLite's dialect (times are microseconds):
// analytics.Counts over the conversations created in [?1, ?2), in one statement.
const summarySQL = `
WITH c AS (
	SELECT id FROM conversations WHERE created_at >= ?1 AND created_at < ?2
), m AS (
	SELECT x.conversation_id, x.author, x.decision, x.created_at,
		lag(x.author) OVER w AS prev_author, lag(x.decision) OVER w AS prev_decision, lag(x.created_at) OVER w AS prev_at,
		min(CASE WHEN x.author = 'customer' THEN x.created_at END) OVER (PARTITION BY x.conversation_id) AS first_customer
	FROM messages x JOIN c ON c.id = x.conversation_id
	WHERE x.author <> 'system'
	WINDOW w AS (PARTITION BY x.conversation_id ORDER BY x.created_at, x.id)
), mf AS (
	SELECT conversation_id,
		count(CASE WHEN author = 'customer' THEN 1 END) AS customers,
		min(first_customer) AS first_customer,
		min(CASE WHEN author IN ('bot', 'agent') AND created_at >= first_customer THEN created_at END) AS first_reply,
		count(CASE WHEN author = 'bot' AND decision = 'answer' THEN 1 END) AS answers,
		COALESCE(max(author = 'customer' AND prev_author = 'bot' AND prev_decision = 'answer'
			AND created_at - prev_at BETWEEN ?3 AND ?4), 0) AS reopened
	FROM m GROUP BY conversation_id
), t AS (
	SELECT x.id, x.conversation_id, x.from_owner, x.to_owner, x.at FROM transitions x JOIN c ON c.id = x.conversation_id
), tf AS (
	SELECT conversation_id, min(CASE WHEN to_owner = 'waiting' THEN id END) AS handoff, min(CASE WHEN to_owner = 'human' THEN id END) AS accept
	FROM t GROUP BY conversation_id
), f AS (
	SELECT COALESCE(mf.customers, 0) AS customers, COALESCE(mf.answers, 0) AS answers, COALESCE(mf.reopened, 0) AS reopened,
		mf.first_customer, mf.first_reply, h.at AS handoff_at, a.at AS accepted_at,
		(SELECT r.at FROM t r WHERE r.conversation_id = c.id AND r.id > tf.accept AND r.from_owner = 'human'
			AND r.to_owner IN ('bot', 'closed') ORDER BY r.id LIMIT 1) AS released_at,
		(SELECT e.to_owner FROM t e WHERE e.conversation_id = c.id AND e.id > tf.handoff AND e.from_owner = 'waiting'
			ORDER BY e.id LIMIT 1) AS wait_end,
		(SELECT g.score FROM ratings g WHERE g.conversation_id = c.id ORDER BY g.created_at DESC, g.id DESC LIMIT 1) AS rating
	FROM c LEFT JOIN mf ON mf.conversation_id = c.id LEFT JOIN tf ON tf.conversation_id = c.id
		LEFT JOIN t h ON h.id = tf.handoff LEFT JOIN t a ON a.id = tf.accept
), d AS (
	SELECT 'first_response' AS k, first_reply - first_customer AS v FROM f WHERE first_reply IS NOT NULL AND first_customer IS NOT NULL
	UNION ALL
	SELECT 'wait', accepted_at - handoff_at FROM f
	WHERE handoff_at IS NOT NULL AND (wait_end IS NULL OR wait_end = 'human') AND accepted_at >= handoff_at
	UNION ALL
	SELECT 'handle', released_at - accepted_at FROM f WHERE accepted_at IS NOT NULL AND released_at IS NOT NULL
), r AS (
	SELECT k, v, row_number() OVER (PARTITION BY k ORDER BY v) AS i, count(*) OVER (PARTITION BY k) AS n FROM d
), p AS (
	SELECT k, max(n) AS n, max(CASE WHEN i = max((50 * n + 99) / 100, 1) THEN v END) AS p50,
		max(CASE WHEN i = max((90 * n + 99) / 100, 1) THEN v END) AS p90
	FROM r GROUP BY k
)
SELECT s.*, COALESCE(fr.n, 0), COALESCE(fr.p50, 0), COALESCE(fr.p90, 0), COALESCE(w.n, 0), COALESCE(w.p50, 0), COALESCE(w.p90, 0),
	COALESCE(h.n, 0), COALESCE(h.p50, 0), COALESCE(h.p90, 0)
FROM (SELECT count(*),
		count(CASE WHEN customers > 0 AND answers > 0 AND handoff_at IS NULL AND accepted_at IS NULL AND NOT reopened THEN 1 END),
		count(CASE WHEN handoff_at IS NOT NULL THEN 1 END),
		count(CASE WHEN handoff_at IS NOT NULL AND wait_end IS NOT NULL THEN 1 END),
		count(CASE WHEN handoff_at IS NOT NULL AND wait_end IS NOT NULL AND wait_end <> 'human' THEN 1 END),
		count(CASE WHEN rating > 0 THEN 1 END), COALESCE(sum(CASE WHEN rating > 0 THEN rating END), 0)
	FROM f) s
LEFT JOIN p fr ON fr.k = 'first_response' LEFT JOIN p w ON w.k = 'wait' LEFT JOIN p h ON h.k = 'handle'`

// Summary aggregates the headline figures of the conversations created in [from, to) in SQL:
// one statement, no rows per conversation leave the database.
func (s *Store) Summary(ctx context.Context, from, to time.Time) (analytics.Summary, error) {
	var c analytics.Counts
	var fr, w, h [3]int64
	err := s.db.QueryRowContext(ctx, summarySQL, micros(from), micros(to), analytics.ResolvedAfter.Microseconds(), analytics.ReopenWindow.Microseconds()).Scan(
		&c.Conversations, &c.Contained, &c.HandedOff, &c.WaitEnded, &c.DroppedOff, &c.Rated, &c.RatingSum,
		&fr[0], &fr[1], &fr[2], &w[0], &w[1], &w[2], &h[0], &h[1], &h[2])
	if err != nil {
		return analytics.Summary{}, fmt.Errorf("summary: %w", err)
	}
	c.FirstResponse, c.Wait, c.Handle = rankedMicros(fr), rankedMicros(w), rankedMicros(h)
	return c.Summary(), nil
}

// rankedMicros is a sample's size and percentiles in microseconds as analytics.Ranked.
func rankedMicros(v [3]int64) analytics.Ranked {
	return analytics.Ranked{N: int(v[0]), P50: time.Duration(v[1]) * time.Microsecond, P90: time.Duration(v[2]) * time.Microsecond}
}
