package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"tandem/chat"
	"tandem/complaint"
)

const caseColumns = `id, number, customer_id, channel, lang, category, severity, owner, status, summary, decision, resolution,
	root_cause, extension, reopens, received_at, due_at, decided_at, closed_at, paused_at, reminded_at, breached_at, updated_at`

func scanCase(sc rowScanner) (complaint.Case, error) {
	var c complaint.Case
	var decided, closed, paused, reminded, breached sql.NullInt64
	err := sc.Scan(&c.ID, &c.Number, &c.CustomerID, &c.Channel, &c.Lang, &c.Category, &c.Severity, &c.Owner, &c.Status, &c.Summary,
		&c.Decision, &c.Resolution, &c.RootCause, &c.Extension, &c.Reopens, (*microTime)(&c.ReceivedAt), (*microTime)(&c.DueAt),
		&decided, &closed, &paused, &reminded, &breached, (*microTime)(&c.UpdatedAt))
	c.DecidedAt, c.ClosedAt, c.PausedAt, c.RemindedAt, c.BreachedAt = optTimePtr(decided), optTimePtr(closed), optTimePtr(paused),
		optTimePtr(reminded), optTimePtr(breached)
	return c, err
}

func caseTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return micros(*t)
}

// CreateCase implements complaint.Store: the number is the day's count plus one, taken in the
// transaction that holds SQLite's write lock.
func (s *Store) CreateCase(ctx context.Context, c complaint.Case, prefix string, first complaint.Step) (complaint.Case, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		stem := prefix + c.ReceivedAt.UTC().Format("20060102") + "-"
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM complaint_cases WHERE number LIKE ? || '%'`, stem).Scan(&n); err != nil {
			return err
		}
		c.Number = fmt.Sprintf("%s%04d", stem, n+1)
		if _, err := tx.ExecContext(ctx, `INSERT INTO complaint_cases (`+caseColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, caseArgs(c)...); err != nil {
			return err
		}
		for _, conv := range c.Conversations {
			if _, err := tx.ExecContext(ctx, `INSERT INTO complaint_conversations (case_id, conversation_id, linked_at) VALUES (?, ?, ?)`,
				c.ID, conv, micros(c.ReceivedAt)); err != nil {
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

func caseArgs(c complaint.Case) []any {
	return []any{c.ID, c.Number, c.CustomerID, c.Channel, c.Lang, c.Category, c.Severity, c.Owner, string(c.Status), c.Summary,
		c.Decision, c.Resolution, c.RootCause, c.Extension, c.Reopens, micros(c.ReceivedAt), micros(c.DueAt), caseTime(c.DecidedAt),
		caseTime(c.ClosedAt), caseTime(c.PausedAt), caseTime(c.RemindedAt), caseTime(c.BreachedAt), micros(c.UpdatedAt)}
}

func addStep(ctx context.Context, tx *sql.Tx, st complaint.Step) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO complaint_steps (case_id, kind, from_status, to_status, actor, note, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		st.CaseID, st.Kind, string(st.From), string(st.To), st.Actor, st.Note, micros(st.At))
	return err
}

// Case implements complaint.Store.
func (s *Store) Case(ctx context.Context, idOrNumber string) (complaint.Case, error) {
	c, err := scanCase(s.db.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM complaint_cases WHERE id = ?1 OR number = ?1`, idOrNumber))
	if err != nil {
		return c, fmt.Errorf("case: %w", notFound(err, "complaint case"))
	}
	return s.withConversations(ctx, c)
}

func (s *Store) withConversations(ctx context.Context, c complaint.Case) (complaint.Case, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT conversation_id FROM complaint_conversations WHERE case_id = ? ORDER BY linked_at, rowid`, c.ID)
	if err != nil {
		return c, fmt.Errorf("case conversations: %w", err)
	}
	defer rows.Close()
	c.Conversations = []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return c, err
		}
		c.Conversations = append(c.Conversations, id)
	}
	return c, rows.Err()
}

// UpdateCase implements complaint.Store.
func (s *Store) UpdateCase(ctx context.Context, c complaint.Case, prevUpdated time.Time, st complaint.Step) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE complaint_cases SET owner = ?, status = ?, summary = ?, decision = ?, resolution = ?,
			root_cause = ?, extension = ?, reopens = ?, due_at = ?, decided_at = ?, closed_at = ?, paused_at = ?, reminded_at = ?,
			breached_at = ?, updated_at = ? WHERE id = ? AND updated_at = ?`,
			c.Owner, string(c.Status), c.Summary, c.Decision, c.Resolution, c.RootCause, c.Extension, c.Reopens, micros(c.DueAt),
			caseTime(c.DecidedAt), caseTime(c.ClosedAt), caseTime(c.PausedAt), caseTime(c.RemindedAt), caseTime(c.BreachedAt),
			micros(c.UpdatedAt), c.ID, micros(prevUpdated))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
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
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO complaint_conversations (case_id, conversation_id, linked_at)
			SELECT id, ?, ? FROM complaint_cases WHERE id = ? ON CONFLICT DO NOTHING`, conversationID, micros(at), caseID)
		if err != nil {
			return fmt.Errorf("link conversation: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return addStep(ctx, tx, complaint.Step{CaseID: caseID, Kind: complaint.StepLinked, Actor: "system", Note: conversationID, At: at.UTC()})
	})
}

func (s *Store) cases(ctx context.Context, what, query string, args ...any) ([]complaint.Case, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+caseColumns+` FROM complaint_cases `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out := []complaint.Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
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
	return s.cases(ctx, "customer cases", `WHERE customer_id = ? ORDER BY received_at DESC, number DESC`, customerID)
}

// ConversationCase implements complaint.Store.
func (s *Store) ConversationCase(ctx context.Context, conversationID string) (complaint.Case, error) {
	cs, err := s.cases(ctx, "conversation case", `WHERE id IN (SELECT case_id FROM complaint_conversations WHERE conversation_id = ?)
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
	return s.cases(ctx, "open cases", `WHERE status <> 'closed' ORDER BY due_at, number LIMIT ?`, limit)
}

// ReceivedCases implements complaint.Store.
func (s *Store) ReceivedCases(ctx context.Context, from, to time.Time) ([]complaint.Case, error) {
	return s.cases(ctx, "received cases", `WHERE received_at >= ? AND received_at < ? ORDER BY received_at, number`, micros(from), micros(to))
}

// CaseSteps implements complaint.Store.
func (s *Store) CaseSteps(ctx context.Context, caseID string) ([]complaint.Step, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT case_id, kind, from_status, to_status, actor, note, at FROM complaint_steps
		WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("case steps: %w", err)
	}
	defer rows.Close()
	out := []complaint.Step{}
	for rows.Next() {
		st, err := scanStep(rows)
		if err != nil {
			return nil, fmt.Errorf("case steps: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}
