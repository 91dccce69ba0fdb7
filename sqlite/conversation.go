package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"tandem/chat"
	"tandem/conversation"
)

var _ conversation.Store = (*Store)(nil)

// UpsertCustomer creates or updates the customer keyed by (Channel, ExternalID).
func (s *Store) UpsertCustomer(ctx context.Context, c chat.Customer) (chat.Customer, error) {
	attrs, _ := json.Marshal(nonNilAttrs(c.Attrs))
	err := s.db.QueryRowContext(ctx, `
		INSERT INTO customers (id, channel, external_id, name, attrs, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (channel, external_id) DO UPDATE SET
			name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE customers.name END,
			attrs = CASE WHEN excluded.attrs <> '{}' THEN excluded.attrs ELSE customers.attrs END
		RETURNING id, name, attrs, created_at`,
		c.ID, c.Channel, c.ExternalID, c.Name, string(attrs), micros(c.CreatedAt),
	).Scan(&c.ID, &c.Name, jsonCol{&c.Attrs}, (*microTime)(&c.CreatedAt))
	if err != nil {
		return c, fmt.Errorf("upsert customer: %w", err)
	}
	return c, nil
}

// CreateConversation stores a new conversation.
func (s *Store) CreateConversation(ctx context.Context, c chat.Conversation) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO conversations (id, customer_id, channel, owner, lang, team, priority, thread, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.CustomerID, c.Channel, string(c.Owner), c.Lang, c.Team, c.Priority, c.Thread, micros(c.CreatedAt), micros(c.UpdatedAt))
	if isUnique(err) {
		return chat.Errorf(chat.ECONFLICT, "conversation %s exists", c.ID)
	}
	if err != nil {
		return fmt.Errorf("create conversation: %w", err)
	}
	return nil
}

const conversationColumns = `id, customer_id, channel, owner, lang, team, priority, assignee, reason, queued_at,
	first_response_due, sla_breached_at, created_at, updated_at, thread,
	(SELECT COALESCE(max(m.created_at), 0) FROM messages m WHERE m.conversation_id = conversations.id AND m.author = 'customer')`

func scanConversation(row rowScanner) (chat.Conversation, error) {
	var c chat.Conversation
	var queued, due, breached, last int64
	err := row.Scan(&c.ID, &c.CustomerID, &c.Channel, &c.Owner, &c.Lang, &c.Team, &c.Priority, &c.Assignee, &c.Reason,
		&queued, &due, &breached, (*microTime)(&c.CreatedAt), (*microTime)(&c.UpdatedAt), &c.Thread, &last)
	c.QueuedAt, c.FirstResponseDue, c.LastCustomerAt = optMicros(queued), optMicros(due), optMicros(last)
	c.SLABreached = breached > 0
	return c, err
}

// optMicros is the time of a column where 0 means none.
func optMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMicros(v)
}

// optTime is the column value of a time where 0 means none.
func optTime(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

// Conversation returns the conversation with id.
func (s *Store) Conversation(ctx context.Context, id string) (chat.Conversation, error) {
	c, err := scanConversation(s.db.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = ?`, id))
	if err != nil {
		return c, fmt.Errorf("conversation: %w", notFound(err, "conversation"))
	}
	return c, nil
}

// ConversationByThread returns the conversation of a platform's thread on channel.
func (s *Store) ConversationByThread(ctx context.Context, channel, thread string) (chat.Conversation, error) {
	c, err := scanConversation(s.db.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations
		WHERE channel = ? AND thread = ? AND thread <> ''`, channel, thread))
	if err != nil {
		return c, fmt.Errorf("conversation by thread: %w", notFound(err, "conversation"))
	}
	return c, nil
}

// LatestConversation returns the customer's most recently updated conversation.
func (s *Store) LatestConversation(ctx context.Context, customerID string) (chat.Conversation, error) {
	c, err := scanConversation(s.db.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations
		WHERE customer_id = ? ORDER BY updated_at DESC LIMIT 1`, customerID))
	if err != nil {
		return c, fmt.Errorf("latest conversation: %w", notFound(err, "conversation"))
	}
	return c, nil
}

const messageColumns = `id, conversation_id, author, text, sources, confidence, decision, reason, channel, COALESCE(external_id, ''), agent, intent, created_at`

func scanMessage(sc rowScanner) (chat.Message, error) {
	var m chat.Message
	var conf sql.NullFloat64
	err := sc.Scan(&m.ID, &m.ConversationID, &m.Author, &m.Text, jsonCol{&m.Sources}, &conf,
		&m.Decision, &m.Reason, &m.Channel, &m.ExternalID, &m.Agent, &m.Intent, (*microTime)(&m.CreatedAt))
	if conf.Valid {
		m.Confidence = &conf.Float64
	}
	return m, err
}

// AddInbound stores a customer message, idempotent on (Channel, ExternalID) per customer: another
// customer's message with the same external id is theirs, not a duplicate.
func (s *Store) AddInbound(ctx context.Context, m chat.Message) (chat.Message, bool, error) {
	var created bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if m.ExternalID != "" {
			old, err := scanMessage(tx.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages
				WHERE channel = ? AND external_id = ? AND customer_id = (SELECT customer_id FROM conversations WHERE id = ?)`,
				m.Channel, m.ExternalID, m.ConversationID))
			if err == nil {
				m = old
				return nil
			}
			if err != sql.ErrNoRows {
				return err
			}
		}
		var err error
		m, err = insertMessage(ctx, tx, m)
		created = err == nil
		return err
	})
	if err != nil {
		return m, false, fmt.Errorf("add inbound: %w", err)
	}
	return m, created, nil
}

// AddMessage stores a message and, when deliver is set, queues it in the outbox.
func (s *Store) AddMessage(ctx context.Context, m chat.Message, deliver bool) (chat.Message, error) {
	m, _, err := s.addMessage(ctx, m, deliver, false)
	if err != nil {
		return m, fmt.Errorf("add message: %w", err)
	}
	return m, nil
}

// AddReply is AddMessage while the bot owns the conversation, checked in the same transaction;
// false when a person took it.
func (s *Store) AddReply(ctx context.Context, m chat.Message, deliver bool) (chat.Message, bool, error) {
	m, stored, err := s.addMessage(ctx, m, deliver, true)
	if err != nil {
		return m, false, fmt.Errorf("add reply: %w", err)
	}
	return m, stored, nil
}

// addMessage stores m and its outbox item when deliver is set; with botOnly, only if the bot owns
// the conversation (stored reports whether it did).
func (s *Store) addMessage(ctx context.Context, m chat.Message, deliver, botOnly bool) (_ chat.Message, stored bool, _ error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if botOnly {
			var owner string
			err := tx.QueryRowContext(ctx, `SELECT owner FROM conversations WHERE id = ?`, m.ConversationID).Scan(&owner)
			if err != nil && err != sql.ErrNoRows {
				return err
			}
			if owner != string(chat.OwnerBot) {
				return nil // a person took it, or it is gone
			}
		}
		var err error
		if m, err = insertMessage(ctx, tx, m); err != nil {
			return err
		}
		stored = true
		if !deliver {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox (message_id, channel, next_at) VALUES (?, ?, ?)`,
			m.ID, m.Channel, micros(m.CreatedAt))
		return err
	})
	return m, stored, err
}

// Arrive stores a customer message like AddInbound unless its conversation is closed, returning
// the conversation as it was before and, for a new message, the last n messages. SQLite is in
// process, so these are the plain reads one after the other.
func (s *Store) Arrive(ctx context.Context, m chat.Message, n int, sameChannel bool) (conversation.Arrival, error) {
	var a conversation.Arrival
	conv, err := s.Conversation(ctx, m.ConversationID)
	if err == nil && sameChannel && conv.Channel != m.Channel {
		return a, fmt.Errorf("arrive: %w", chat.Errorf(chat.ENOTFOUND, "conversation not found"))
	}
	if err != nil || conv.Owner == chat.OwnerClosed {
		a.Conversation = conv
		return a, err
	}
	a.Conversation, a.Stored = conv, true
	if a.Message, a.Created, err = s.AddInbound(ctx, m); err != nil || !a.Created {
		return a, err
	}
	a.History, err = s.Recent(ctx, m.ConversationID, n)
	return a, err
}

func insertMessage(ctx context.Context, tx *sql.Tx, m chat.Message) (chat.Message, error) {
	sources, _ := json.Marshal(nonNilSources(m.Sources))
	var ext any
	if m.ExternalID != "" {
		ext = m.ExternalID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO messages
		(conversation_id, author, text, sources, confidence, decision, reason, channel, external_id, agent, intent, created_at, customer_id)
		VALUES (?1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT customer_id FROM conversations WHERE id = ?1))`,
		m.ConversationID, string(m.Author), m.Text, string(sources), m.Confidence, string(m.Decision), m.Reason,
		m.Channel, ext, m.Agent, m.Intent, micros(m.CreatedAt))
	if err != nil {
		if isForeignKey(err) {
			return m, chat.Errorf(chat.ENOTFOUND, "conversation not found")
		}
		return m, err
	}
	m.ID, err = res.LastInsertId()
	if err != nil {
		return m, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE conversations SET updated_at = ? WHERE id = ?`, micros(m.CreatedAt), m.ConversationID)
	return m, err
}

// Message returns one message by id.
func (s *Store) Message(ctx context.Context, id int64) (chat.Message, error) {
	m, err := scanMessage(s.db.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = ?`, id))
	if err != nil {
		return m, fmt.Errorf("message: %w", notFound(err, "message"))
	}
	return m, nil
}

// Recent lists the last n messages in id order.
func (s *Store) Recent(ctx context.Context, conversationID string, n int) ([]chat.Message, error) {
	return s.listMessages(ctx, `SELECT * FROM (SELECT `+messageColumns+` FROM messages
		WHERE conversation_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id`, conversationID, n)
}

// Messages lists messages after afterID in id order.
func (s *Store) Messages(ctx context.Context, conversationID string, afterID int64, limit int) ([]chat.Message, error) {
	return s.listMessages(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE conversation_id = ? AND id > ? ORDER BY id LIMIT ?`, conversationID, afterID, limit)
}

func (s *Store) listMessages(ctx context.Context, query string, args ...any) ([]chat.Message, error) {
	return collect(ctx, s.db, "messages", scanMessage, query, args...)
}

// SetOwner moves a conversation's owner with compare-and-set semantics and records the move.
func (s *Store) SetOwner(ctx context.Context, t chat.Transition) error {
	if !chat.CanTransition(t.From, t.To) {
		return chat.Errorf(chat.ECONFLICT, "cannot move owner from %s to %s", t.From, t.To)
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := checkCapacity(ctx, tx, t); err != nil {
			return err
		}
		// Queuing sets the routing, the reason and the SLA; taking it sets the assignee.
		waiting := t.To == chat.OwnerWaiting
		res, err := tx.ExecContext(ctx, `UPDATE conversations SET owner = ?, updated_at = ?, assignee = ?,
			team = CASE WHEN ? THEN ? ELSE team END, priority = CASE WHEN ? THEN ? ELSE priority END,
			reason = CASE WHEN ? THEN ? ELSE reason END, queued_at = CASE WHEN ? THEN ? ELSE queued_at END,
			first_response_due = CASE WHEN ? THEN ? ELSE first_response_due END,
			sla_breached_at = CASE WHEN ? THEN 0 ELSE sla_breached_at END
			WHERE id = ? AND owner = ? AND (? = '' OR assignee = ?)`,
			string(t.To), micros(t.At), t.Assignee, waiting, t.Team, waiting, t.Priority, waiting, t.Reason,
			waiting, micros(t.At), waiting, optTime(t.Due), waiting, t.ConversationID, string(t.From), t.FromAssignee, t.FromAssignee)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ownerConflict(ctx, tx, t)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO transitions (conversation_id, from_owner, to_owner, actor, reason, team, priority, assignee, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.ConversationID, string(t.From), string(t.To), t.Actor, t.Reason, t.Team, t.Priority, t.Assignee, micros(t.At))
		return err
	})
	if err != nil {
		return fmt.Errorf("set owner: %w", err)
	}
	return nil
}

// checkCapacity refuses a move to a person who already holds t.Capacity conversations. The
// transaction holds SQLite's write lock, so the count cannot change before the move.
func checkCapacity(ctx context.Context, tx *sql.Tx, t chat.Transition) error {
	if t.To != chat.OwnerHuman || t.Capacity <= 0 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM conversations WHERE owner = 'human' AND assignee = ?`, t.Assignee).Scan(&n); err != nil {
		return err
	}
	if n >= t.Capacity {
		return chat.Errorf(chat.ECONFLICT, "%s already has %d conversations (capacity %d)", t.Assignee, n, t.Capacity)
	}
	return nil
}

func ownerConflict(ctx context.Context, tx *sql.Tx, t chat.Transition) error {
	var owner, assignee string
	err := tx.QueryRowContext(ctx, `SELECT owner, assignee FROM conversations WHERE id = ?`, t.ConversationID).Scan(&owner, &assignee)
	if err != nil {
		return notFound(err, "conversation")
	}
	return chat.OwnerConflict(t, chat.Owner(owner), assignee)
}

// Transitions lists the ownership changes of a conversation.
func (s *Store) Transitions(ctx context.Context, conversationID string) ([]chat.Transition, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT conversation_id, from_owner, to_owner, actor, reason, team, priority, assignee, at
		FROM transitions WHERE conversation_id = ? ORDER BY id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("transitions: %w", err)
	}
	defer rows.Close()
	var out []chat.Transition
	for rows.Next() {
		var t chat.Transition
		if err := rows.Scan(&t.ConversationID, &t.From, &t.To, &t.Actor, &t.Reason, &t.Team, &t.Priority, &t.Assignee, (*microTime)(&t.At)); err != nil {
			return nil, fmt.Errorf("transitions: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func nonNilAttrs(a map[string]string) map[string]string {
	if a == nil {
		return map[string]string{}
	}
	return a
}

func nonNilSources(s []chat.Source) []chat.Source {
	if s == nil {
		return []chat.Source{}
	}
	return s
}

func isForeignKey(err error) bool {
	return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}

// microTime scans an INTEGER of unix microseconds into a time.Time.
type microTime time.Time

func (t *microTime) Scan(v any) error {
	n, ok := v.(int64)
	if !ok {
		return fmt.Errorf("time: unexpected %T", v)
	}
	*t = microTime(fromMicros(n))
	return nil
}

// jsonCol scans a JSON TEXT column into the value dst points at.
type jsonCol struct{ dst any }

func (j jsonCol) Scan(v any) error {
	switch b := v.(type) {
	case string:
		return json.Unmarshal([]byte(b), j.dst)
	case []byte:
		return json.Unmarshal(b, j.dst)
	case nil:
		return nil
	}
	return fmt.Errorf("json column: unexpected %T", v)
}
