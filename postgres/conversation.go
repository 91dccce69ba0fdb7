package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/chat"
	"tandem/conversation"
)

var _ conversation.Store = (*Store)(nil)

// UpsertCustomer creates or updates the customer keyed by (Channel, ExternalID).
func (s *Store) UpsertCustomer(ctx context.Context, c chat.Customer) (chat.Customer, error) {
	attrs := c.Attrs
	if attrs == nil {
		attrs = map[string]string{}
	}
	err := s.pool.QueryRow(ctx, `
		INSERT INTO customers (id, channel, external_id, name, attrs, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (channel, external_id) DO UPDATE SET
			name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE customers.name END,
			attrs = CASE WHEN excluded.attrs <> '{}' THEN excluded.attrs ELSE customers.attrs END
		RETURNING id, name, attrs, created_at`,
		c.ID, c.Channel, c.ExternalID, c.Name, attrs, c.CreatedAt,
	).Scan(&c.ID, &c.Name, &c.Attrs, &c.CreatedAt)
	if err != nil {
		return c, fmt.Errorf("upsert customer: %w", err)
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return c, nil
}

// CreateConversation stores a new conversation.
func (s *Store) CreateConversation(ctx context.Context, c chat.Conversation) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO conversations (id, customer_id, channel, owner, lang, team, priority, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		c.ID, c.CustomerID, c.Channel, string(c.Owner), c.Lang, c.Team, c.Priority, c.CreatedAt, c.UpdatedAt)
	switch pgCode(err) {
	case uniqueViolation:
		return chat.Errorf(chat.ECONFLICT, "conversation %s exists", c.ID)
	case foreignKeyViolation:
		return chat.Errorf(chat.ENOTFOUND, "customer not found")
	}
	if err != nil {
		return fmt.Errorf("create conversation: %w", err)
	}
	return nil
}

const conversationColumns = `id, customer_id, channel, owner, lang, team, priority, created_at, updated_at,
	(SELECT max(m.created_at) FROM messages m WHERE m.conversation_id = conversations.id AND m.author = 'customer')`

func scanConversation(row pgx.Row) (chat.Conversation, error) {
	var c chat.Conversation
	var last *time.Time
	err := row.Scan(&c.ID, &c.CustomerID, &c.Channel, &c.Owner, &c.Lang, &c.Team, &c.Priority, &c.CreatedAt, &c.UpdatedAt, &last)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	if last != nil {
		c.LastCustomerAt = last.UTC()
	}
	return c, err
}

// Conversation returns the conversation with id.
func (s *Store) Conversation(ctx context.Context, id string) (chat.Conversation, error) {
	c, err := scanConversation(s.pool.QueryRow(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1`, id))
	if err != nil {
		return c, fmt.Errorf("conversation: %w", notFound(err, "conversation"))
	}
	return c, nil
}

// LatestConversation returns the customer's most recently updated conversation.
func (s *Store) LatestConversation(ctx context.Context, customerID string) (chat.Conversation, error) {
	c, err := scanConversation(s.pool.QueryRow(ctx, `SELECT `+conversationColumns+` FROM conversations
		WHERE customer_id = $1 ORDER BY updated_at DESC LIMIT 1`, customerID))
	if err != nil {
		return c, fmt.Errorf("latest conversation: %w", notFound(err, "conversation"))
	}
	return c, nil
}

const messageColumns = `id, conversation_id, author, text, sources, confidence, decision, reason, channel, COALESCE(external_id, ''), created_at`

func scanMessage(row pgx.Row) (chat.Message, error) {
	var m chat.Message
	err := row.Scan(&m.ID, &m.ConversationID, &m.Author, &m.Text, &m.Sources, &m.Confidence,
		&m.Decision, &m.Reason, &m.Channel, &m.ExternalID, &m.CreatedAt)
	m.CreatedAt = m.CreatedAt.UTC()
	return m, err
}

// AddInbound stores a customer message, idempotent on (Channel, ExternalID) even under
// concurrent redelivery. One statement: insert and bump the conversation.
func (s *Store) AddInbound(ctx context.Context, m chat.Message) (chat.Message, bool, error) {
	stored, err := s.insertMessage(ctx, m, m.ExternalID != "", false)
	if err == pgx.ErrNoRows { // the external id exists: return the stored message
		stored, err = scanMessage(s.pool.QueryRow(ctx, `SELECT `+messageColumns+` FROM messages
			WHERE channel = $1 AND external_id = $2`, m.Channel, m.ExternalID))
		if err != nil {
			return stored, false, fmt.Errorf("add inbound: %w", err)
		}
		return stored, false, nil
	}
	if err != nil {
		return stored, false, fmt.Errorf("add inbound: %w", err)
	}
	return stored, true, nil
}

// AddMessage stores a message and, when deliver is set, queues it in the outbox, atomically.
func (s *Store) AddMessage(ctx context.Context, m chat.Message, deliver bool) (chat.Message, error) {
	m, err := s.insertMessage(ctx, m, false, deliver)
	if err != nil {
		return m, fmt.Errorf("add message: %w", err)
	}
	return m, nil
}

// insertMessage inserts m, queues it in the outbox when deliver is set and bumps its
// conversation, in one statement. With dedupe, an existing (channel, external_id) yields
// pgx.ErrNoRows and nothing is written.
func (s *Store) insertMessage(ctx context.Context, m chat.Message, dedupe, deliver bool) (chat.Message, error) {
	sources := m.Sources
	if sources == nil {
		sources = []chat.Source{}
	}
	var ext *string
	if m.ExternalID != "" {
		ext = &m.ExternalID
	}
	conflict := ""
	if dedupe {
		conflict = ` ON CONFLICT (channel, external_id) WHERE external_id IS NOT NULL DO NOTHING`
	}
	err := s.pool.QueryRow(ctx, `WITH ins AS (
			INSERT INTO messages (conversation_id, author, text, sources, confidence, decision, reason, channel, external_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`+conflict+` RETURNING id
		), queued AS (
			INSERT INTO outbox (message_id, channel, next_at) SELECT id, $8, $10 FROM ins WHERE $11::boolean
		), bumped AS (
			UPDATE conversations SET updated_at = $10 WHERE id = $1 AND EXISTS (SELECT 1 FROM ins)
		)
		SELECT id FROM ins`,
		m.ConversationID, string(m.Author), m.Text, sources, m.Confidence, string(m.Decision), m.Reason, m.Channel, ext,
		m.CreatedAt, deliver).Scan(&m.ID)
	if pgCode(err) == foreignKeyViolation {
		return m, chat.Errorf(chat.ENOTFOUND, "conversation not found")
	}
	return m, err
}

// Message returns one message by id.
func (s *Store) Message(ctx context.Context, id int64) (chat.Message, error) {
	m, err := scanMessage(s.pool.QueryRow(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = $1`, id))
	if err != nil {
		return m, fmt.Errorf("message: %w", notFound(err, "message"))
	}
	return m, nil
}

// Recent lists the last n messages in id order.
func (s *Store) Recent(ctx context.Context, conversationID string, n int) ([]chat.Message, error) {
	return s.listMessages(ctx, `SELECT * FROM (SELECT `+messageColumns+` FROM messages
		WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2) m ORDER BY id`, conversationID, n)
}

// Messages lists messages after afterID in id order.
func (s *Store) Messages(ctx context.Context, conversationID string, afterID int64, limit int) ([]chat.Message, error) {
	return s.listMessages(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE conversation_id = $1 AND id > $2 ORDER BY id LIMIT $3`, conversationID, afterID, limit)
}

func (s *Store) listMessages(ctx context.Context, query string, args ...any) ([]chat.Message, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.Message, error) { return scanMessage(r) })
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	if out == nil {
		out = []chat.Message{}
	}
	return out, nil
}

// SetOwner moves a conversation's owner with compare-and-set semantics and records the move.
func (s *Store) SetOwner(ctx context.Context, t chat.Transition) error {
	if !chat.CanTransition(t.From, t.To) {
		return chat.Errorf(chat.ECONFLICT, "cannot move owner from %s to %s", t.From, t.To)
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		// Queuing sets the routing; other moves keep it.
		tag, err := tx.Exec(ctx, `UPDATE conversations SET owner = $1, updated_at = $2,
			team = CASE WHEN $1 = 'waiting' THEN $5 ELSE team END, priority = CASE WHEN $1 = 'waiting' THEN $6 ELSE priority END
			WHERE id = $3 AND owner = $4`,
			string(t.To), t.At, t.ConversationID, string(t.From), t.Team, t.Priority)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ownerConflict(ctx, tx, t)
		}
		_, err = tx.Exec(ctx, `INSERT INTO transitions (conversation_id, from_owner, to_owner, actor, reason, team, priority, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, t.ConversationID, string(t.From), string(t.To), t.Actor, t.Reason, t.Team, t.Priority, t.At)
		return err
	})
	if err != nil {
		return fmt.Errorf("set owner: %w", err)
	}
	return nil
}

func ownerConflict(ctx context.Context, tx pgx.Tx, t chat.Transition) error {
	var owner string
	if err := tx.QueryRow(ctx, `SELECT owner FROM conversations WHERE id = $1`, t.ConversationID).Scan(&owner); err != nil {
		return notFound(err, "conversation")
	}
	return chat.Errorf(chat.ECONFLICT, "owner is %s, not %s", owner, t.From)
}

// Transitions lists the ownership changes of a conversation.
func (s *Store) Transitions(ctx context.Context, conversationID string) ([]chat.Transition, error) {
	rows, err := s.pool.Query(ctx, `SELECT conversation_id, from_owner, to_owner, actor, reason, team, priority, at
		FROM transitions WHERE conversation_id = $1 ORDER BY id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("transitions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.Transition, error) {
		var t chat.Transition
		err := r.Scan(&t.ConversationID, &t.From, &t.To, &t.Actor, &t.Reason, &t.Team, &t.Priority, &t.At)
		t.At = t.At.UTC()
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("transitions: %w", err)
	}
	return out, nil
}
