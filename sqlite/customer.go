package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"tandem/chat"
)

const customerQuery = `SELECT id, channel, external_id, name, attrs, created_at FROM customers`

func scanCustomer(sc rowScanner) (chat.Customer, error) {
	var c chat.Customer
	err := sc.Scan(&c.ID, &c.Channel, &c.ExternalID, &c.Name, jsonCol{&c.Attrs}, (*microTime)(&c.CreatedAt))
	return c, err
}

// CustomerByExternal returns the customer a channel knows by externalID, or not_found.
func (s *Store) CustomerByExternal(ctx context.Context, channel, externalID string) (chat.Customer, error) {
	c, err := scanCustomer(s.db.QueryRowContext(ctx, customerQuery+` WHERE channel = ? AND external_id = ?`, channel, externalID))
	if err != nil {
		return c, fmt.Errorf("customer by external id: %w", notFound(err, "customer"))
	}
	return c, nil
}

// CustomerData returns everything stored about a customer, read in one transaction; not_found
// for an unknown customer.
func (s *Store) CustomerData(ctx context.Context, customerID string) (chat.CustomerExport, error) {
	var x chat.CustomerExport
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if x.Customer, err = scanCustomer(tx.QueryRowContext(ctx, customerQuery+` WHERE id = ?`, customerID)); err != nil {
			return notFound(err, "customer")
		}
		convs, err := rowsOf(ctx, tx, scanConversation, `SELECT `+conversationColumns+` FROM conversations
			WHERE customer_id = ? ORDER BY created_at, id`, customerID)
		if err != nil {
			return err
		}
		x.Conversations = make([]chat.ConversationExport, len(convs))
		for i, c := range convs {
			if x.Conversations[i], err = conversationData(ctx, tx, c); err != nil {
				return err
			}
		}
		x.EvalCases, err = rowsOf(ctx, tx, scanEvalCase, `SELECT set_name, id, body FROM eval_cases
			WHERE `+taggedCase+` ORDER BY set_name, ord`, customerID)
		if err != nil {
			return err
		}
		return customerRecords(ctx, tx, customerID, &x)
	})
	if err != nil {
		return x, fmt.Errorf("customer data: %w", err)
	}
	return x, nil
}

// taggedCase matches eval_cases rows cut from customer ?1's conversations: their tags name one
// (chat.ConversationTag).
const taggedCase = `EXISTS (SELECT 1 FROM json_each(eval_cases.body, '$.tags') t
	WHERE t.value IN (SELECT 'conversation:' || id FROM conversations WHERE customer_id = ?1))`

// conversationData reads every record of one conversation.
func conversationData(ctx context.Context, tx *sql.Tx, c chat.Conversation) (chat.ConversationExport, error) {
	x := chat.ConversationExport{Conversation: c}
	var errs [8]error
	x.Messages, errs[0] = rowsOf(ctx, tx, scanMessage, `SELECT `+messageColumns+` FROM messages WHERE conversation_id = ? ORDER BY id`, c.ID)
	x.Transitions, errs[1] = rowsOf(ctx, tx, scanTransition, `SELECT conversation_id, from_owner, to_owner, actor, reason, team, priority, assignee, at
		FROM transitions WHERE conversation_id = ? ORDER BY id`, c.ID)
	x.Deliveries, errs[2] = rowsOf(ctx, tx, scanDelivery, `SELECT o.message_id, o.channel, o.attempts, o.delivered_at, o.dead_at, o.last_error
		FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.conversation_id = ? ORDER BY o.id`, c.ID)
	x.Drafts, errs[3] = rowsOf(ctx, tx, scanDraft, `SELECT `+draftColumns+` FROM drafts WHERE conversation_id = ? ORDER BY id`, c.ID)
	x.Notes, errs[4] = rowsOf(ctx, tx, scanNote, `SELECT id, conversation_id, author, text, created_at FROM notes WHERE conversation_id = ? ORDER BY id`, c.ID)
	x.Ratings, errs[5] = rowsOf(ctx, tx, scanRating, `SELECT conversation_id, score, comment, created_at FROM ratings WHERE conversation_id = ? ORDER BY id`, c.ID)
	x.Feedback, errs[6] = rowsOf(ctx, tx, scanFeedback, `SELECT message_id, conversation_id, helpful, created_at FROM feedback
		WHERE conversation_id = ?1 OR message_id IN (SELECT id FROM messages WHERE conversation_id = ?1) ORDER BY message_id`, c.ID)
	x.ReviewItems, errs[7] = rowsOf(ctx, tx, scanReview, `SELECT `+reviewColumns+` FROM review_items WHERE conversation_id = ? ORDER BY id`, c.ID)
	return x, errors.Join(errs[:]...)
}

// rowsOf runs a query in tx and scans every row with scan.
func rowsOf[T any](ctx context.Context, tx *sql.Tx, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func scanTransition(sc rowScanner) (chat.Transition, error) {
	var t chat.Transition
	err := sc.Scan(&t.ConversationID, &t.From, &t.To, &t.Actor, &t.Reason, &t.Team, &t.Priority, &t.Assignee, (*microTime)(&t.At))
	return t, err
}

func scanDelivery(sc rowScanner) (chat.Delivery, error) {
	var d chat.Delivery
	var delivered, dead sql.NullInt64
	err := sc.Scan(&d.MessageID, &d.Channel, &d.Attempts, &delivered, &dead, &d.LastError)
	d.DeliveredAt, d.DeadAt = optTimePtr(delivered), optTimePtr(dead)
	return d, err
}

// optTimePtr is the time of a nullable column where NULL and 0 mean none.
func optTimePtr(v sql.NullInt64) *time.Time {
	if !v.Valid || v.Int64 == 0 {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

func scanNote(sc rowScanner) (chat.Note, error) {
	var n chat.Note
	err := sc.Scan(&n.ID, &n.ConversationID, &n.Author, &n.Text, (*microTime)(&n.CreatedAt))
	return n, err
}

func scanRating(sc rowScanner) (chat.Rating, error) {
	var r chat.Rating
	err := sc.Scan(&r.ConversationID, &r.Score, &r.Comment, (*microTime)(&r.CreatedAt))
	return r, err
}

func scanFeedback(sc rowScanner) (chat.Feedback, error) {
	var f chat.Feedback
	err := sc.Scan(&f.MessageID, &f.ConversationID, &f.Helpful, (*microTime)(&f.CreatedAt))
	return f, err
}

func scanEvalCase(sc rowScanner) (chat.CustomerEvalCase, error) {
	var c chat.CustomerEvalCase
	var body string
	err := sc.Scan(&c.Set, &c.ID, &body)
	c.Body = json.RawMessage(body)
	return c, err
}

// ownConversations selects customer ?1's conversation ids.
const ownConversations = `SELECT id FROM conversations WHERE customer_id = ?1`

// ownCases selects customer ?1's complaint case ids.
const ownCases = `SELECT id FROM complaint_cases WHERE customer_id = ?1`

// eraseSteps delete every row holding a customer's words or identity, children before their
// parents; ?1 is the customer id. Eval results go with the eval cases they score.
var eraseSteps = []struct{ table, query string }{
	{"outbox_refs", `DELETE FROM outbox_refs WHERE outbox_id IN (SELECT o.id FROM outbox o JOIN messages m ON m.id = o.message_id
		WHERE m.conversation_id IN (` + ownConversations + `))`},
	{"outbox", `DELETE FROM outbox WHERE message_id IN (SELECT id FROM messages WHERE conversation_id IN (` + ownConversations + `))`},
	{"feedback", `DELETE FROM feedback WHERE conversation_id IN (` + ownConversations + `)
		OR message_id IN (SELECT id FROM messages WHERE conversation_id IN (` + ownConversations + `))`},
	{"eval_results", `DELETE FROM eval_results WHERE EXISTS (SELECT 1 FROM eval_runs u JOIN eval_cases ON eval_cases.set_name = u.set_name
		WHERE u.id = eval_results.run_id AND eval_cases.id = eval_results.case_id AND ` + taggedCase + `)`},
	{"eval_cases", `DELETE FROM eval_cases WHERE ` + taggedCase},
	{"review_items", `DELETE FROM review_items WHERE conversation_id IN (` + ownConversations + `)`},
	{"drafts", `DELETE FROM drafts WHERE conversation_id IN (` + ownConversations + `)`},
	{"notes", `DELETE FROM notes WHERE conversation_id IN (` + ownConversations + `)`},
	{"ratings", `DELETE FROM ratings WHERE conversation_id IN (` + ownConversations + `)`},
	{"action_proposals", `DELETE FROM action_proposals WHERE conversation_id IN (` + ownConversations + `)`},
	{"action_calls", `DELETE FROM action_calls WHERE conversation_id IN (` + ownConversations + `)`},
	{"complaint_steps", `DELETE FROM complaint_steps WHERE case_id IN (` + ownCases + `)`},
	{"complaint_conversations", `DELETE FROM complaint_conversations WHERE case_id IN (` + ownCases + `)
		OR conversation_id IN (` + ownConversations + `)`},
	{"complaint_cases", `DELETE FROM complaint_cases WHERE customer_id = ?1`},
	{"consents", `DELETE FROM consents WHERE customer_id = ?1`},
	{"followups", `DELETE FROM followups WHERE customer_id = ?1 OR conversation_id IN (` + ownConversations + `)`},
	{"transitions", `DELETE FROM transitions WHERE conversation_id IN (` + ownConversations + `)`},
	{"messages", `DELETE FROM messages WHERE conversation_id IN (` + ownConversations + `)`},
	{"conversations", `DELETE FROM conversations WHERE customer_id = ?1`},
	{"customers", `DELETE FROM customers WHERE id = ?1`},
}

// EraseCustomer deletes the customer and everything stored about them in one transaction (which
// holds SQLite's write lock throughout) and reports the rows deleted per table; not_found for an
// unknown customer.
func (s *Store) EraseCustomer(ctx context.Context, customerID string, at time.Time) (chat.EraseReport, error) {
	r := chat.EraseReport{CustomerID: customerID, ErasedAt: at.UTC(), Rows: map[string]int64{}}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var id string
		if err := tx.QueryRowContext(ctx, `SELECT id FROM customers WHERE id = ?`, customerID).Scan(&id); err != nil {
			return notFound(err, "customer")
		}
		for _, st := range eraseSteps {
			res, err := tx.ExecContext(ctx, st.query, customerID)
			if err != nil {
				return fmt.Errorf("%s: %w", st.table, err)
			}
			r.Rows[st.table], _ = res.RowsAffected()
		}
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("erase customer: %w", err)
	}
	return r, nil
}
