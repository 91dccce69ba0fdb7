package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/chat"
	"tandem/complaint"
)

const caseColumns = `id, number, customer_id, channel, lang, category, severity, owner, status, summary, decision, resolution,
	root_cause, extension, reopens, received_at, due_at, decided_at, closed_at, paused_at, reminded_at, breached_at, updated_at`

func scanCase(sc pgx.Row) (complaint.Case, error) {
	var c complaint.Case
	err := sc.Scan(&c.ID, &c.Number, &c.CustomerID, &c.Channel, &c.Lang, &c.Category, &c.Severity, &c.Owner, &c.Status, &c.Summary,
		&c.Decision, &c.Resolution, &c.RootCause, &c.Extension, &c.Reopens, &c.ReceivedAt, &c.DueAt,
		&c.DecidedAt, &c.ClosedAt, &c.PausedAt, &c.RemindedAt, &c.BreachedAt, &c.UpdatedAt)
	c.ReceivedAt, c.DueAt, c.UpdatedAt = c.ReceivedAt.UTC(), c.DueAt.UTC(), c.UpdatedAt.UTC()
	for _, t := range []**time.Time{&c.DecidedAt, &c.ClosedAt, &c.PausedAt, &c.RemindedAt, &c.BreachedAt} {
		if *t != nil {
			u := (*t).UTC()
			*t = &u
		}
	}
	return c, err
}

// CreateCase implements complaint.Store: the number is the day's count plus one, taken under a
// transaction lock on the day's prefix so replicas opening cases at once get distinct numbers.
func (s *Store) CreateCase(ctx context.Context, c complaint.Case, prefix string, first complaint.Step) (complaint.Case, error) {
	stem := prefix + c.ReceivedAt.UTC().Format("20060102") + "-"
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, stem); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM complaint_cases WHERE number LIKE $1 || '%'`, stem).Scan(&n); err != nil {
			return err
		}
		c.Number = fmt.Sprintf("%s%04d", stem, n+1)
		if _, err := tx.Exec(ctx, `INSERT INTO complaint_cases (`+caseColumns+`) VALUES
				($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
			c.ID, c.Number, c.CustomerID, c.Channel, c.Lang, c.Category, c.Severity, c.Owner, string(c.Status), c.Summary,
			c.Decision, c.Resolution, c.RootCause, c.Extension, c.Reopens, c.ReceivedAt, c.DueAt, c.DecidedAt,
			c.ClosedAt, c.PausedAt, c.RemindedAt, c.BreachedAt, c.UpdatedAt); err != nil {
			return err
		}
		for _, conv := range c.Conversations {
			if _, err := tx.Exec(ctx, `INSERT INTO complaint_conversations (case_id, conversation_id, linked_at) VALUES ($1, $2, $3)`,
				c.ID, conv, c.ReceivedAt); err != nil {
				return err
			}
		}
		first.CaseID = c.ID
		return addStep(ctx, tx, first)
	})
	if err != nil {
		return c, fmt.Errorf("create case: %w", err)
	}
	return c, nil
}

func addStep(ctx context.Context, tx pgx.Tx, st complaint.Step) error {
	_, err := tx.Exec(ctx, `INSERT INTO complaint_steps (case_id, kind, from_status, to_status, actor, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		st.CaseID, st.Kind, string(st.From), string(st.To), st.Actor, st.Note, st.At)
	return err
}

// Case implements complaint.Store.
func (s *Store) Case(ctx context.Context, idOrNumber string) (complaint.Case, error) {
	c, err := scanCase(s.pool.QueryRow(ctx, `SELECT `+caseColumns+` FROM complaint_cases WHERE id = $1 OR number = $1`, idOrNumber))
	if err != nil {
		return c, fmt.Errorf("case: %w", notFound(err, "complaint case"))
	}
	return s.withConversations(ctx, c)
}

func (s *Store) withConversations(ctx context.Context, c complaint.Case) (complaint.Case, error) {
	rows, err := s.pool.Query(ctx, `SELECT conversation_id FROM complaint_conversations WHERE case_id = $1 ORDER BY linked_at, conversation_id`, c.ID)
	if err != nil {
		return c, fmt.Errorf("case conversations: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return c, fmt.Errorf("case conversations: %w", err)
	}
	c.Conversations = ids
	return c, nil
}

// UpdateCase implements complaint.Store.
func (s *Store) UpdateCase(ctx context.Context, c complaint.Case, prevUpdated time.Time, st complaint.Step) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE complaint_cases SET owner = $1, status = $2, summary = $3, decision = $4, resolution = $5,
			root_cause = $6, extension = $7, reopens = $8, due_at = $9, decided_at = $10, closed_at = $11, paused_at = $12, reminded_at = $13,
			breached_at = $14, updated_at = $15 WHERE id = $16 AND updated_at = $17`,
			c.Owner, string(c.Status), c.Summary, c.Decision, c.Resolution, c.RootCause, c.Extension, c.Reopens, c.DueAt,
			c.DecidedAt, c.ClosedAt, c.PausedAt, c.RemindedAt, c.BreachedAt, c.UpdatedAt, c.ID, prevUpdated)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return chat.Errorf(chat.ECONFLICT, "the case changed meanwhile; reload it")
		}
		st.CaseID = c.ID
		return addStep(ctx, tx, st)
	})
	if err != nil {
		return fmt.Errorf("update case: %w", err)
	}
	return nil
}

// LinkConversation implements complaint.Store.
func (s *Store) LinkConversation(ctx context.Context, caseID, conversationID string, at time.Time) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO complaint_conversations (case_id, conversation_id, linked_at)
			SELECT id, $1, $2 FROM complaint_cases WHERE id = $3 ON CONFLICT DO NOTHING`, conversationID, at, caseID)
		if err != nil {
			return fmt.Errorf("link conversation: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		return addStep(ctx, tx, complaint.Step{CaseID: caseID, Kind: complaint.StepLinked, Actor: "system", Note: conversationID, At: at.UTC()})
	})
}

func (s *Store) cases(ctx context.Context, what, query string, args ...any) ([]complaint.Case, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+caseColumns+` FROM complaint_cases `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (complaint.Case, error) { return scanCase(r) })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	for i := range out {
		if out[i], err = s.withConversations(ctx, out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CustomerCases implements complaint.Store.
func (s *Store) CustomerCases(ctx context.Context, customerID string) ([]complaint.Case, error) {
	return s.cases(ctx, "customer cases", `WHERE customer_id = $1 ORDER BY received_at DESC, number DESC`, customerID)
}

// ConversationCase implements complaint.Store.
func (s *Store) ConversationCase(ctx context.Context, conversationID string) (complaint.Case, error) {
	cs, err := s.cases(ctx, "conversation case", `WHERE id IN (SELECT case_id FROM complaint_conversations WHERE conversation_id = $1)
		ORDER BY received_at DESC LIMIT 1`, conversationID)
	if err != nil {
		return complaint.Case{}, err
	}
	if len(cs) == 0 {
		return complaint.Case{}, chat.Errorf(chat.ENOTFOUND, "no complaint case for this conversation")
	}
	return cs[0], nil
}

// OpenCases implements complaint.Store.
func (s *Store) OpenCases(ctx context.Context, limit int) ([]complaint.Case, error) {
	return s.cases(ctx, "open cases", `WHERE status <> 'closed' ORDER BY due_at, number LIMIT $1`, limit)
}

// ReceivedCases implements complaint.Store.
func (s *Store) ReceivedCases(ctx context.Context, from, to time.Time) ([]complaint.Case, error) {
	return s.cases(ctx, "received cases", `WHERE received_at >= $1 AND received_at < $2 ORDER BY received_at, number`, from, to)
}

// CaseSteps implements complaint.Store.
func (s *Store) CaseSteps(ctx context.Context, caseID string) ([]complaint.Step, error) {
	rows, err := s.pool.Query(ctx, `SELECT case_id, kind, from_status, to_status, actor, note, at FROM complaint_steps
		WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("case steps: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (complaint.Step, error) { return scanStep(r) })
	if err != nil {
		return nil, fmt.Errorf("case steps: %w", err)
	}
	return out, nil
}
