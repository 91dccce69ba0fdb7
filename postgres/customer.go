package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/chat"
)

const customerQuery = `SELECT id, channel, external_id, name, attrs, created_at FROM customers`

func scanCustomer(row pgx.Row) (chat.Customer, error) {
	var c chat.Customer
	err := row.Scan(&c.ID, &c.Channel, &c.ExternalID, &c.Name, &c.Attrs, &c.CreatedAt)
	c.CreatedAt = c.CreatedAt.UTC()
	return c, err
}

// CustomerByExternal returns the customer a channel knows by externalID, or not_found.
func (s *Store) CustomerByExternal(ctx context.Context, channel, externalID string) (chat.Customer, error) {
	c, err := scanCustomer(s.pool.QueryRow(ctx, customerQuery+` WHERE channel = $1 AND external_id = $2`, channel, externalID))
	if err != nil {
		return c, fmt.Errorf("customer by external id: %w", notFound(err, "customer"))
	}
	return c, nil
}

// CustomerData returns everything stored about a customer, read in one snapshot; not_found for
// an unknown customer.
func (s *Store) CustomerData(ctx context.Context, customerID string) (chat.CustomerExport, error) {
	var x chat.CustomerExport
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err := pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error {
		var err error
		if x.Customer, err = scanCustomer(tx.QueryRow(ctx, customerQuery+` WHERE id = $1`, customerID)); err != nil {
			return notFound(err, "customer")
		}
		convs, err := rowsOf(ctx, tx, scanConversation, `SELECT `+conversationColumns+` FROM conversations
			WHERE customer_id = $1 ORDER BY created_at, id`, customerID)
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
			WHERE body->'tags' ?| ARRAY(`+customerTags+`) ORDER BY set_name, ord`, customerID)
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

// customerTags selects the tags of eval cases cut from customer $1's conversations
// (chat.ConversationTag).
const customerTags = `SELECT 'conversation:' || id FROM conversations WHERE customer_id = $1`

// conversationData reads every record of one conversation.
func conversationData(ctx context.Context, tx pgx.Tx, c chat.Conversation) (chat.ConversationExport, error) {
	x := chat.ConversationExport{Conversation: c}
	var errs [8]error
	x.Messages, errs[0] = rowsOf(ctx, tx, scanMessage, `SELECT `+messageColumns+` FROM messages WHERE conversation_id = $1 ORDER BY id`, c.ID)
	x.Transitions, errs[1] = rowsOf(ctx, tx, scanTransition, `SELECT conversation_id, from_owner, to_owner, actor, reason, team, priority, assignee, at
		FROM transitions WHERE conversation_id = $1 ORDER BY id`, c.ID)
	x.Deliveries, errs[2] = rowsOf(ctx, tx, scanDelivery, `SELECT o.message_id, o.channel, o.attempts, o.delivered_at, o.dead_at, o.last_error
		FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.conversation_id = $1 ORDER BY o.id`, c.ID)
	x.Drafts, errs[3] = rowsOf(ctx, tx, scanDraft, `SELECT `+draftColumns+` FROM drafts WHERE conversation_id = $1 ORDER BY id`, c.ID)
	x.Notes, errs[4] = rowsOf(ctx, tx, scanNote, `SELECT id, conversation_id, author, text, created_at FROM notes WHERE conversation_id = $1 ORDER BY id`, c.ID)
	x.Ratings, errs[5] = rowsOf(ctx, tx, scanRating, `SELECT conversation_id, score, comment, created_at FROM ratings WHERE conversation_id = $1 ORDER BY id`, c.ID)
	x.Feedback, errs[6] = rowsOf(ctx, tx, scanFeedback, `SELECT message_id, conversation_id, helpful, created_at FROM feedback
		WHERE conversation_id = $1 OR message_id IN (SELECT id FROM messages WHERE conversation_id = $1) ORDER BY message_id`, c.ID)
	x.ReviewItems, errs[7] = rowsOf(ctx, tx, scanReview, `SELECT `+reviewColumns+` FROM review_items WHERE conversation_id = $1 ORDER BY id`, c.ID)
	return x, errors.Join(errs[:]...)
}

// rowsOf runs a query in tx and scans every row with scan.
func rowsOf[T any](ctx context.Context, tx pgx.Tx, scan func(pgx.Row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
}

func scanTransition(row pgx.Row) (chat.Transition, error) {
	var t chat.Transition
	err := row.Scan(&t.ConversationID, &t.From, &t.To, &t.Actor, &t.Reason, &t.Team, &t.Priority, &t.Assignee, &t.At)
	t.At = t.At.UTC()
	return t, err
}

func scanDelivery(row pgx.Row) (chat.Delivery, error) {
	var d chat.Delivery
	err := row.Scan(&d.MessageID, &d.Channel, &d.Attempts, &d.DeliveredAt, &d.DeadAt, &d.LastError)
	d.DeliveredAt, d.DeadAt = utcPtr(d.DeliveredAt), utcPtr(d.DeadAt)
	return d, err
}

func scanNote(row pgx.Row) (chat.Note, error) {
	var n chat.Note
	err := row.Scan(&n.ID, &n.ConversationID, &n.Author, &n.Text, &n.CreatedAt)
	n.CreatedAt = n.CreatedAt.UTC()
	return n, err
}

func scanRating(row pgx.Row) (chat.Rating, error) {
	var r chat.Rating
	err := row.Scan(&r.ConversationID, &r.Score, &r.Comment, &r.CreatedAt)
	r.CreatedAt = r.CreatedAt.UTC()
	return r, err
}

func scanFeedback(row pgx.Row) (chat.Feedback, error) {
	var f chat.Feedback
	err := row.Scan(&f.MessageID, &f.ConversationID, &f.Helpful, &f.CreatedAt)
	f.CreatedAt = f.CreatedAt.UTC()
	return f, err
}

func scanEvalCase(row pgx.Row) (chat.CustomerEvalCase, error) {
	var c chat.CustomerEvalCase
	var body []byte
	err := row.Scan(&c.Set, &c.ID, &body)
	c.Body = json.RawMessage(body)
	return c, err
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// ownConversations selects customer $1's conversation ids.
const ownConversations = `SELECT id FROM conversations WHERE customer_id = $1`

// ownCases selects customer $1's complaint case ids.
const ownCases = `SELECT id FROM complaint_cases WHERE customer_id = $1`

// eraseSteps delete every row holding a customer's words or identity, children before their
// parents; $1 is the customer id. Eval results go with the eval cases they score.
var eraseSteps = []struct{ table, query string }{
	{"outbox_refs", `DELETE FROM outbox_refs WHERE outbox_id IN (SELECT o.id FROM outbox o JOIN messages m ON m.id = o.message_id
		WHERE m.conversation_id IN (` + ownConversations + `))`},
	{"outbox", `DELETE FROM outbox WHERE message_id IN (SELECT id FROM messages WHERE conversation_id IN (` + ownConversations + `))`},
	{"feedback", `DELETE FROM feedback WHERE conversation_id IN (` + ownConversations + `)
		OR message_id IN (SELECT id FROM messages WHERE conversation_id IN (` + ownConversations + `))`},
	{"eval_results", `DELETE FROM eval_results r WHERE EXISTS (SELECT 1 FROM eval_runs u JOIN eval_cases c ON c.set_name = u.set_name
		WHERE u.id = r.run_id AND c.id = r.case_id AND c.body->'tags' ?| ARRAY(` + customerTags + `))`},
	{"eval_cases", `DELETE FROM eval_cases WHERE body->'tags' ?| ARRAY(` + customerTags + `)`},
	{"review_items", `DELETE FROM review_items WHERE conversation_id IN (` + ownConversations + `)`},
	{"drafts", `DELETE FROM drafts WHERE conversation_id IN (` + ownConversations + `)`},
	{"notes", `DELETE FROM notes WHERE conversation_id IN (` + ownConversations + `)`},
	{"ratings", `DELETE FROM ratings WHERE conversation_id IN (` + ownConversations + `)`},
	{"action_proposals", `DELETE FROM action_proposals WHERE conversation_id IN (` + ownConversations + `)`},
	{"action_calls", `DELETE FROM action_calls WHERE conversation_id IN (` + ownConversations + `)`},
	{"complaint_steps", `DELETE FROM complaint_steps WHERE case_id IN (` + ownCases + `)`},
	{"complaint_conversations", `DELETE FROM complaint_conversations WHERE case_id IN (` + ownCases + `)
		OR conversation_id IN (` + ownConversations + `)`},
	{"complaint_cases", `DELETE FROM complaint_cases WHERE customer_id = $1`},
	{"consents", `DELETE FROM consents WHERE customer_id = $1`},
	{"followups", `DELETE FROM followups WHERE customer_id = $1 OR conversation_id IN (` + ownConversations + `)`},
	{"transitions", `DELETE FROM transitions WHERE conversation_id IN (` + ownConversations + `)`},
	{"messages", `DELETE FROM messages WHERE conversation_id IN (` + ownConversations + `)`},
	{"conversations", `DELETE FROM conversations WHERE customer_id = $1`},
	{"customers", `DELETE FROM customers WHERE id = $1`},
}

// EraseCustomer deletes the customer and everything stored about them in one transaction and
// reports the rows deleted per table; not_found for an unknown customer. The customer's rows are
// locked first, so a message arriving meanwhile waits and then finds its conversation gone.
func (s *Store) EraseCustomer(ctx context.Context, customerID string, at time.Time) (chat.EraseReport, error) {
	r := chat.EraseReport{CustomerID: customerID, ErasedAt: at.UTC(), Rows: map[string]int64{}}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var id string
		if err := tx.QueryRow(ctx, `SELECT id FROM customers WHERE id = $1 FOR UPDATE`, customerID).Scan(&id); err != nil {
			return notFound(err, "customer")
		}
		if _, err := tx.Exec(ctx, `SELECT id FROM conversations WHERE customer_id = $1 FOR UPDATE`, customerID); err != nil {
			return err
		}
		for _, st := range eraseSteps {
			tag, err := tx.Exec(ctx, st.query, customerID)
			if err != nil {
				return fmt.Errorf("%s: %w", st.table, err)
			}
			r.Rows[st.table] = tag.RowsAffected()
		}
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("erase customer: %w", err)
	}
	return r, nil
}
