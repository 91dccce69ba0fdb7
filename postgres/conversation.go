package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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
		INSERT INTO conversations (id, customer_id, channel, owner, lang, team, priority, thread, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		c.ID, c.CustomerID, c.Channel, string(c.Owner), c.Lang, c.Team, c.Priority, c.Thread, c.CreatedAt, c.UpdatedAt)
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

const conversationColumns = `id, customer_id, channel, owner, lang, team, priority, assignee, reason, queued_at,
	first_response_due, sla_breached_at IS NOT NULL, created_at, updated_at, thread,
	(SELECT max(m.created_at) FROM messages m WHERE m.conversation_id = conversations.id AND m.author = 'customer')`

func scanConversation(row pgx.Row) (chat.Conversation, error) { return scanConversationAnd(row) }

// scanConversationAnd reads conversationColumns, then any further columns into more.
func scanConversationAnd(row pgx.Row, more ...any) (chat.Conversation, error) {
	var c chat.Conversation
	var queued, due, last *time.Time
	err := row.Scan(append([]any{&c.ID, &c.CustomerID, &c.Channel, &c.Owner, &c.Lang, &c.Team, &c.Priority, &c.Assignee, &c.Reason,
		&queued, &due, &c.SLABreached, &c.CreatedAt, &c.UpdatedAt, &c.Thread, &last}, more...)...)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.QueuedAt, c.FirstResponseDue, c.LastCustomerAt = utcOrZero(queued), utcOrZero(due), utcOrZero(last)
	return c, err
}

func utcOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// nullTime is the column value of a time where zero means NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Conversation returns the conversation with id.
func (s *Store) Conversation(ctx context.Context, id string) (chat.Conversation, error) {
	c, err := scanConversation(s.pool.QueryRow(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1`, id))
	if err != nil {
		return c, fmt.Errorf("conversation: %w", notFound(err, "conversation"))
	}
	return c, nil
}

// ConversationByThread returns the conversation of a platform's thread on channel.
func (s *Store) ConversationByThread(ctx context.Context, channel, thread string) (chat.Conversation, error) {
	c, err := scanConversation(s.pool.QueryRow(ctx, `SELECT `+conversationColumns+` FROM conversations
		WHERE channel = $1 AND thread = $2 AND thread <> ''`, channel, thread))
	if err != nil {
		return c, fmt.Errorf("conversation by thread: %w", notFound(err, "conversation"))
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

const messageColumns = `id, conversation_id, author, text, sources, confidence, decision, reason, channel, COALESCE(external_id, ''), agent, intent, created_at`

func scanMessage(row pgx.Row) (chat.Message, error) {
	var m chat.Message
	err := row.Scan(&m.ID, &m.ConversationID, &m.Author, &m.Text, &m.Sources, &m.Confidence,
		&m.Decision, &m.Reason, &m.Channel, &m.ExternalID, &m.Agent, &m.Intent, &m.CreatedAt)
	m.CreatedAt = m.CreatedAt.UTC()
	return m, err
}

// AddInbound stores a customer message, idempotent on (Channel, ExternalID) per customer even
// under concurrent redelivery: another customer's message with the same external id is theirs. One statement: insert and bump the conversation.
func (s *Store) AddInbound(ctx context.Context, m chat.Message) (chat.Message, bool, error) {
	stored, err := s.insertMessage(ctx, m, m.ExternalID != "", false)
	if err == pgx.ErrNoRows { // the external id exists: return the stored message
		stored, err = s.storedInbound(ctx, m)
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
// conversation, in one statement. With dedupe, an existing (channel, customer, external_id) yields
// pgx.ErrNoRows and nothing is written.
func (s *Store) insertMessage(ctx context.Context, m chat.Message, dedupe, deliver bool) (chat.Message, error) {
	err := s.pool.QueryRow(ctx, insertSQL(dedupe, "")+` SELECT id FROM ins`, insertArgs(m, deliver)...).Scan(&m.ID)
	if pgCode(err) == foreignKeyViolation {
		return m, chat.Errorf(chat.ENOTFOUND, "conversation not found")
	}
	return m, err
}

// insertSQL is the WITH clause that inserts a message (ins, its id), queues it in the outbox when
// $11 is true and bumps its conversation (insertArgs). With guard, a condition on the
// conversation's row c, the message is stored only while it holds; with dedupe, not when its
// (channel, customer, external_id) exists.
func insertSQL(dedupe bool, guard string) string {
	source := `VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $13, (SELECT customer_id FROM conversations WHERE id = $1))`
	if guard != "" {
		source = `SELECT $1, $2, $3, $4::jsonb, $5::double precision, $6, $7, $8, $9, $10::timestamptz, $12, $13, c.customer_id
			FROM conversations c WHERE c.id = $1 AND ` + guard
	}
	conflict := ""
	if dedupe {
		conflict = ` ON CONFLICT (channel, customer_id, external_id) WHERE external_id IS NOT NULL DO NOTHING`
	}
	return `WITH ins AS (
			INSERT INTO messages (conversation_id, author, text, sources, confidence, decision, reason, channel, external_id, created_at, agent, intent, customer_id)
			` + source + conflict + ` RETURNING id
		), queued AS (
			INSERT INTO outbox (message_id, channel, next_at) SELECT id, $8, $10 FROM ins WHERE $11::boolean
		), bumped AS (
			UPDATE conversations SET updated_at = $10 WHERE id = $1 AND EXISTS (SELECT 1 FROM ins)
		)`
}

// insertArgs are insertSQL's parameters for m.
func insertArgs(m chat.Message, deliver bool) []any {
	sources := m.Sources
	if sources == nil {
		sources = []chat.Source{}
	}
	var ext *string
	if m.ExternalID != "" {
		ext = &m.ExternalID
	}
	return []any{m.ConversationID, string(m.Author), m.Text, sources, m.Confidence, string(m.Decision), m.Reason, m.Channel, ext,
		m.CreatedAt, deliver, m.Agent, m.Intent}
}

// Arrive stores a customer message like AddInbound unless its conversation is closed, and in the
// same round trip reads the conversation as it was before and, when the message was stored, the
// last n messages: one batch, which Postgres runs as one implicit transaction.
func (s *Store) Arrive(ctx context.Context, m chat.Message, n int, sameChannel bool) (conversation.Arrival, error) {
	var a conversation.Arrival
	b := &pgx.Batch{}
	b.Queue(insertSQL(m.ExternalID != "", "c.owner <> 'closed' AND (NOT $14 OR c.channel = $8)")+` SELECT `+conversationColumns+`,
		(SELECT id FROM ins) FROM conversations WHERE id = $1 AND (NOT $14 OR channel = $8)`, append(insertArgs(m, false), sameChannel)...)
	b.Queue(historySQL, m.ConversationID, n)
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()
	var id *int64
	conv, err := scanConversationAnd(br.QueryRow(), &id)
	if err != nil {
		return a, fmt.Errorf("arrive: %w", notFound(err, "conversation"))
	}
	a.Conversation = conv
	history, err := collectMessages(br.Query())
	if err != nil {
		return a, fmt.Errorf("arrive: %w", err)
	}
	if err := br.Close(); err != nil { // the implicit transaction commits here
		return a, fmt.Errorf("arrive: %w", err)
	}
	switch {
	case id != nil:
		m.ID = *id
		a.Message, a.Created, a.Stored, a.History = m, true, true, history
	case conv.Owner != chat.OwnerClosed: // the external id exists: the stored message
		if a.Message, err = s.storedInbound(ctx, m); err != nil {
			return a, fmt.Errorf("arrive: %w", err)
		}
		a.Stored = true
	}
	return a, nil
}

// storedInbound is the customer message stored before with m's external id.
func (s *Store) storedInbound(ctx context.Context, m chat.Message) (chat.Message, error) {
	return scanMessage(s.pool.QueryRow(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE channel = $1 AND external_id = $2 AND customer_id = (SELECT customer_id FROM conversations WHERE id = $3)`,
		m.Channel, m.ExternalID, m.ConversationID))
}

// AddReply stores a bot message like AddMessage, but only while the bot owns the conversation,
// in the same statement: false when a person took it (nothing is written).
func (s *Store) AddReply(ctx context.Context, m chat.Message, deliver bool) (chat.Message, bool, error) {
	err := s.pool.QueryRow(ctx, insertSQL(false, "c.owner = 'bot'")+` SELECT id FROM ins`, insertArgs(m, deliver)...).Scan(&m.ID)
	if err == pgx.ErrNoRows {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("add reply: %w", err)
	}
	return m, true, nil
}

// addReplyNotify is AddReply that, when it stores the reply, sends n on the bus's channel in the
// same statement: the reply, its outbox item and the notification take one commit.
func (s *Store) addReplyNotify(ctx context.Context, m chat.Message, deliver bool, n replyNotice) (chat.Message, bool, error) {
	q := insertSQL(false, "c.owner = 'bot'") + ` SELECT id, pg_notify($14, CASE
			WHEN octet_length($15::text) + octet_length(id::text) + octet_length($16::text) <= $17 THEN $15 || id || $16
			ELSE $18 END)::text FROM ins`
	var ignored string
	err := s.pool.QueryRow(ctx, q, append(insertArgs(m, deliver), busChannel, n.prefix, n.suffix, maxNotifyPayload, n.whole)...).Scan(&m.ID, &ignored)
	if err == pgx.ErrNoRows {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("add reply: %w", err)
	}
	return m, true, nil
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
	return s.listMessages(ctx, recentSQL, conversationID, n)
}

// recentSQL lists conversation $1's last $2 messages in id order.
const recentSQL = `SELECT * FROM (SELECT ` + messageColumns + ` FROM messages
	WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2) m ORDER BY id`

// historySQL is recentSQL for a bot turn, which reads what was said, not what the bot cited: the
// sources are left out (nil), not decoded for nothing.
var historySQL = strings.Replace(recentSQL, "sources,", "NULL::jsonb,", 1)

// Messages lists messages after afterID in id order.
func (s *Store) Messages(ctx context.Context, conversationID string, afterID int64, limit int) ([]chat.Message, error) {
	return s.listMessages(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE conversation_id = $1 AND id > $2 ORDER BY id LIMIT $3`, conversationID, afterID, limit)
}

func (s *Store) listMessages(ctx context.Context, query string, args ...any) ([]chat.Message, error) {
	out, err := collectMessages(s.pool.Query(ctx, query, args...))
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	return out, nil
}

// collectMessages reads messages from a query's rows (never nil).
func collectMessages(rows pgx.Rows, err error) ([]chat.Message, error) {
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.Message, error) { return scanMessage(r) })
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []chat.Message{}
	}
	return out, nil
}

// SetOwner moves a conversation's owner with compare-and-set semantics and records the move, in
// one statement; a move to a person with a capacity first locks and counts their conversations,
// in a transaction.
func (s *Store) SetOwner(ctx context.Context, t chat.Transition) error {
	if !chat.CanTransition(t.From, t.To) {
		return chat.Errorf(chat.ECONFLICT, "cannot move owner from %s to %s", t.From, t.To)
	}
	var err error
	if t.To == chat.OwnerHuman && t.Capacity > 0 {
		err = s.tx(ctx, func(tx pgx.Tx) error {
			if err := checkCapacity(ctx, tx, t); err != nil {
				return err
			}
			return moveOwner(ctx, tx, t)
		})
	} else {
		err = moveOwner(ctx, s.pool, t)
	}
	if err != nil {
		return fmt.Errorf("set owner: %w", err)
	}
	return nil
}

// querier runs statements: the pool, a connection or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// moveOwner changes the owner if it is still t.From and stores the transition, in one statement.
func moveOwner(ctx context.Context, q querier, t chat.Transition) error {
	// Queuing sets the routing, the reason and the SLA; taking it sets the assignee.
	tag, err := q.Exec(ctx, `WITH moved AS (
			UPDATE conversations SET owner = $1, updated_at = $2, assignee = $7,
			team = CASE WHEN $1 = 'waiting' THEN $5 ELSE team END, priority = CASE WHEN $1 = 'waiting' THEN $6 ELSE priority END,
			reason = CASE WHEN $1 = 'waiting' THEN $8 ELSE reason END, queued_at = CASE WHEN $1 = 'waiting' THEN $2 ELSE queued_at END,
			first_response_due = CASE WHEN $1 = 'waiting' THEN $9 ELSE first_response_due END,
			sla_breached_at = CASE WHEN $1 = 'waiting' THEN NULL ELSE sla_breached_at END
			WHERE id = $3 AND owner = $4 AND ($10 = '' OR assignee = $10)
			RETURNING id
		)
		INSERT INTO transitions (conversation_id, from_owner, to_owner, actor, reason, team, priority, assignee, at)
		SELECT id, $4, $1, $11, $8, $5, $6, $7, $2 FROM moved`,
		string(t.To), t.At, t.ConversationID, string(t.From), t.Team, t.Priority, t.Assignee, t.Reason, nullTime(t.Due), t.FromAssignee, t.Actor)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ownerConflict(ctx, q, t)
	}
	return nil
}

// checkCapacity refuses a move to a person who already holds t.Capacity conversations. It locks
// the agent's row first, so two moves to one agent are counted one after the other.
func checkCapacity(ctx context.Context, tx pgx.Tx, t chat.Transition) error {
	if t.To != chat.OwnerHuman || t.Capacity <= 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM agents WHERE username = $1 FOR UPDATE`, t.Assignee); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM conversations WHERE owner = 'human' AND assignee = $1`, t.Assignee).Scan(&n); err != nil {
		return err
	}
	if n >= t.Capacity {
		return chat.Errorf(chat.ECONFLICT, "%s already has %d conversations (capacity %d)", t.Assignee, n, t.Capacity)
	}
	return nil
}

func ownerConflict(ctx context.Context, q querier, t chat.Transition) error {
	var owner, assignee string
	if err := q.QueryRow(ctx, `SELECT owner, assignee FROM conversations WHERE id = $1`, t.ConversationID).Scan(&owner, &assignee); err != nil {
		return notFound(err, "conversation")
	}
	return chat.OwnerConflict(t, chat.Owner(owner), assignee)
}

// Transitions lists the ownership changes of a conversation.
func (s *Store) Transitions(ctx context.Context, conversationID string) ([]chat.Transition, error) {
	rows, err := s.pool.Query(ctx, `SELECT conversation_id, from_owner, to_owner, actor, reason, team, priority, assignee, at
		FROM transitions WHERE conversation_id = $1 ORDER BY id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("transitions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.Transition, error) {
		var t chat.Transition
		err := r.Scan(&t.ConversationID, &t.From, &t.To, &t.Actor, &t.Reason, &t.Team, &t.Priority, &t.Assignee, &t.At)
		t.At = t.At.UTC()
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("transitions: %w", err)
	}
	return out, nil
}
