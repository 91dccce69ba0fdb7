package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/chat"
	"tandem/conversation"
)

var _ conversation.DeskStore = (*Store)(nil)

// Customer returns a customer by id.
func (s *Store) Customer(ctx context.Context, id string) (chat.Customer, error) {
	var c chat.Customer
	err := s.pool.QueryRow(ctx, `SELECT id, channel, external_id, name, attrs, created_at FROM customers WHERE id = $1`, id).
		Scan(&c.ID, &c.Channel, &c.ExternalID, &c.Name, &c.Attrs, &c.CreatedAt)
	if err != nil {
		return c, fmt.Errorf("customer: %w", notFound(err, "customer"))
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return c, nil
}

// Queue lists waiting conversations, oldest queued first.
func (s *Store) Queue(ctx context.Context, limit int) ([]chat.Conversation, error) {
	return s.conversations(ctx, `WHERE owner = 'waiting' ORDER BY queued_at, id LIMIT $1`, limit)
}

// Assigned lists the conversations an agent holds.
func (s *Store) Assigned(ctx context.Context, agent string) ([]chat.Conversation, error) {
	return s.conversations(ctx, `WHERE owner = 'human' AND assignee = $1 ORDER BY updated_at DESC`, agent)
}

// Overdue lists waiting conversations past their first-response time, not yet marked.
func (s *Store) Overdue(ctx context.Context, now time.Time) ([]chat.Conversation, error) {
	return s.conversations(ctx, `WHERE owner = 'waiting' AND first_response_due < $1 AND sla_breached_at IS NULL
		ORDER BY first_response_due LIMIT 500`, now)
}

func (s *Store) conversations(ctx context.Context, where string, args ...any) ([]chat.Conversation, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+conversationColumns+` FROM conversations `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("conversations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.Conversation, error) { return scanConversation(r) })
	if err != nil {
		return nil, fmt.Errorf("conversations: %w", err)
	}
	return out, nil
}

// MarkBreached marks a waiting conversation's SLA breached once.
func (s *Store) MarkBreached(ctx context.Context, id string, at time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE conversations SET sla_breached_at = $2
		WHERE id = $1 AND owner = 'waiting' AND sla_breached_at IS NULL`, id, at)
	if err != nil {
		return false, fmt.Errorf("mark breached: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// PutAgent creates an agent or updates their name, capacity and teams.
func (s *Store) PutAgent(ctx context.Context, a chat.Agent) error {
	teams := a.Teams
	if teams == nil {
		teams = []string{}
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO agents (username, name, status, capacity, teams, seen_at) VALUES ($1, $2, 'offline', $3, $4, $5)
		ON CONFLICT (username) DO UPDATE SET name = excluded.name, capacity = excluded.capacity, teams = excluded.teams`,
		a.Username, a.Name, a.Capacity, teams, a.SeenAt)
	if err != nil {
		return fmt.Errorf("put agent: %w", err)
	}
	return nil
}

// SetPresence sets an agent's status and last-seen time.
func (s *Store) SetPresence(ctx context.Context, username, status string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE agents SET status = $2, seen_at = $3 WHERE username = $1`, username, status, at)
	if err != nil {
		return fmt.Errorf("set presence: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return chat.Errorf(chat.ENOTFOUND, "agent %s not found", username)
	}
	return nil
}

const agentQuery = `SELECT username, name, status, capacity, teams, seen_at,
	(SELECT count(*) FROM conversations c WHERE c.owner = 'human' AND c.assignee = agents.username) FROM agents`

func scanAgent(row pgx.Row) (chat.Agent, error) {
	var a chat.Agent
	err := row.Scan(&a.Username, &a.Name, &a.Status, &a.Capacity, &a.Teams, &a.SeenAt, &a.Load)
	a.SeenAt = a.SeenAt.UTC()
	return a, err
}

// Agent returns one agent with their load.
func (s *Store) Agent(ctx context.Context, username string) (chat.Agent, error) {
	a, err := scanAgent(s.pool.QueryRow(ctx, agentQuery+` WHERE username = $1`, username))
	if err != nil {
		return a, fmt.Errorf("agent: %w", notFound(err, "agent"))
	}
	return a, nil
}

// Agents lists every agent with their load.
func (s *Store) Agents(ctx context.Context) ([]chat.Agent, error) {
	rows, err := s.pool.Query(ctx, agentQuery+` ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("agents: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.Agent, error) { return scanAgent(r) })
	if err != nil {
		return nil, fmt.Errorf("agents: %w", err)
	}
	return out, nil
}

// AddDraft stores a bot draft.
func (s *Store) AddDraft(ctx context.Context, d chat.Draft) (chat.Draft, error) {
	sources := d.Sources
	if sources == nil {
		sources = []chat.Source{}
	}
	err := s.pool.QueryRow(ctx, `INSERT INTO drafts (conversation_id, message_id, text, sources, confidence, decision, reason, unsure, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, d.ConversationID, d.MessageID, d.Text, sources, d.Confidence,
		string(d.Decision), d.Reason, d.Unsure, d.CreatedAt).Scan(&d.ID)
	if pgCode(err) == foreignKeyViolation {
		return d, chat.Errorf(chat.ENOTFOUND, "conversation not found")
	}
	if err != nil {
		return d, fmt.Errorf("add draft: %w", err)
	}
	return d, nil
}

const draftColumns = `id, conversation_id, message_id, text, sources, confidence, decision, reason, unsure, agent, final, sent_id, edit_distance, created_at, sent_at`

func scanDraft(row pgx.Row) (chat.Draft, error) {
	var d chat.Draft
	err := row.Scan(&d.ID, &d.ConversationID, &d.MessageID, &d.Text, &d.Sources, &d.Confidence, &d.Decision,
		&d.Reason, &d.Unsure, &d.Agent, &d.Final, &d.SentID, &d.EditDistance, &d.CreatedAt, &d.SentAt)
	d.CreatedAt = d.CreatedAt.UTC()
	if d.SentAt != nil {
		t := d.SentAt.UTC()
		d.SentAt = &t
	}
	return d, err
}

// Draft returns one draft of a conversation.
func (s *Store) Draft(ctx context.Context, conversationID string, id int64) (chat.Draft, error) {
	d, err := scanDraft(s.pool.QueryRow(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = $1 AND conversation_id = $2`, id, conversationID))
	if err != nil {
		return d, fmt.Errorf("draft: %w", notFound(err, "draft"))
	}
	return d, nil
}

// LatestDraft returns a conversation's newest draft.
func (s *Store) LatestDraft(ctx context.Context, conversationID string) (chat.Draft, error) {
	d, err := scanDraft(s.pool.QueryRow(ctx, `SELECT `+draftColumns+` FROM drafts WHERE conversation_id = $1 ORDER BY id DESC LIMIT 1`, conversationID))
	if err != nil {
		return d, fmt.Errorf("latest draft: %w", notFound(err, "draft"))
	}
	return d, nil
}

// CompleteDraft records what the agent sent for an unsent draft.
func (s *Store) CompleteDraft(ctx context.Context, d chat.Draft) error {
	tag, err := s.pool.Exec(ctx, `UPDATE drafts SET agent = $3, final = $4, sent_id = $5, edit_distance = $6, sent_at = $7
		WHERE id = $1 AND conversation_id = $2 AND sent_at IS NULL`, d.ID, d.ConversationID, d.Agent, d.Final, d.SentID, d.EditDistance, d.SentAt)
	if err != nil {
		return fmt.Errorf("complete draft: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return chat.Errorf(chat.ENOTFOUND, "draft %d is not an unsent draft of this conversation", d.ID)
	}
	return nil
}

// Drafts lists drafts created in [from, to).
func (s *Store) Drafts(ctx context.Context, from, to time.Time, limit int) ([]chat.Draft, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+draftColumns+` FROM drafts WHERE created_at >= $1 AND created_at < $2 ORDER BY id LIMIT $3`, from, to, limit)
	if err != nil {
		return nil, fmt.Errorf("drafts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.Draft, error) { return scanDraft(r) })
	if err != nil {
		return nil, fmt.Errorf("drafts: %w", err)
	}
	return out, nil
}

// AddNote stores an internal note.
func (s *Store) AddNote(ctx context.Context, n chat.Note) (chat.Note, error) {
	err := s.pool.QueryRow(ctx, `INSERT INTO notes (conversation_id, author, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		n.ConversationID, n.Author, n.Text, n.CreatedAt).Scan(&n.ID)
	if pgCode(err) == foreignKeyViolation {
		return n, chat.Errorf(chat.ENOTFOUND, "conversation not found")
	}
	if err != nil {
		return n, fmt.Errorf("add note: %w", err)
	}
	return n, nil
}

// Notes lists a conversation's notes.
func (s *Store) Notes(ctx context.Context, conversationID string) ([]chat.Note, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, conversation_id, author, text, created_at FROM notes WHERE conversation_id = $1 ORDER BY id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("notes: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.Note, error) {
		var n chat.Note
		err := r.Scan(&n.ID, &n.ConversationID, &n.Author, &n.Text, &n.CreatedAt)
		n.CreatedAt = n.CreatedAt.UTC()
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("notes: %w", err)
	}
	return out, nil
}

// AddRating stores a post-chat rating.
func (s *Store) AddRating(ctx context.Context, r chat.Rating) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO ratings (conversation_id, score, comment, created_at) VALUES ($1, $2, $3, $4)`,
		r.ConversationID, r.Score, r.Comment, r.CreatedAt)
	if pgCode(err) == foreignKeyViolation {
		return chat.Errorf(chat.ENOTFOUND, "conversation not found")
	}
	if err != nil {
		return fmt.Errorf("add rating: %w", err)
	}
	return nil
}

// Ratings lists a conversation's ratings.
func (s *Store) Ratings(ctx context.Context, conversationID string) ([]chat.Rating, error) {
	rows, err := s.pool.Query(ctx, `SELECT conversation_id, score, comment, created_at FROM ratings WHERE conversation_id = $1 ORDER BY id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("ratings: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.Rating, error) {
		var x chat.Rating
		err := r.Scan(&x.ConversationID, &x.Score, &x.Comment, &x.CreatedAt)
		x.CreatedAt = x.CreatedAt.UTC()
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("ratings: %w", err)
	}
	return out, nil
}

// PutFeedback stores (or changes) the thumbs up or down on a bot message.
func (s *Store) PutFeedback(ctx context.Context, conversationID string, messageID int64, helpful bool, at time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO feedback (message_id, conversation_id, helpful, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (message_id) DO UPDATE SET helpful = excluded.helpful, created_at = excluded.created_at`, messageID, conversationID, helpful, at)
	if err != nil {
		return fmt.Errorf("put feedback: %w", err)
	}
	return nil
}

// Previews returns, for each of the conversations, its customer and its last message (when it
// has one): what a console list shows, in two queries however long the list.
func (s *Store) Previews(ctx context.Context, convs []chat.Conversation) (map[string]chat.Preview, error) {
	ids, customerIDs := chat.ConversationIDs(convs)
	rows, err := s.pool.Query(ctx, `SELECT id, channel, external_id, name, attrs, created_at FROM customers WHERE id = ANY($1)`, customerIDs)
	if err != nil {
		return nil, fmt.Errorf("previews: %w", err)
	}
	customers, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.Customer, error) {
		var c chat.Customer
		err := r.Scan(&c.ID, &c.Channel, &c.ExternalID, &c.Name, &c.Attrs, &c.CreatedAt)
		c.CreatedAt = c.CreatedAt.UTC()
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("previews: %w", err)
	}
	last, err := s.listMessages(ctx, `SELECT DISTINCT ON (conversation_id) `+messageColumns+` FROM messages
		WHERE conversation_id = ANY($1) ORDER BY conversation_id, id DESC`, ids)
	if err != nil {
		return nil, fmt.Errorf("previews: %w", err)
	}
	return chat.BuildPreviews(convs, customers, last), nil
}

// RecentWaits returns how long the conversations accepted at or after since had waited in the
// queue, newest first, at most limit.
func (s *Store) RecentWaits(ctx context.Context, since time.Time, limit int) ([]time.Duration, error) {
	rows, err := s.pool.Query(ctx, `SELECT (extract(epoch FROM h.at - (SELECT max(w.at) FROM transitions w
			WHERE w.conversation_id = h.conversation_id AND w.to_owner = 'waiting' AND w.id < h.id)) * 1e6)::bigint
		FROM transitions h WHERE h.from_owner = 'waiting' AND h.to_owner = 'human' AND h.at >= $1
		ORDER BY h.at DESC LIMIT $2`, since, limit)
	if err != nil {
		return nil, fmt.Errorf("recent waits: %w", err)
	}
	defer rows.Close()
	var out []time.Duration
	for rows.Next() {
		var us *int64
		if err := rows.Scan(&us); err != nil {
			return nil, fmt.Errorf("recent waits: %w", err)
		}
		if us != nil && *us >= 0 {
			out = append(out, time.Duration(*us)*time.Microsecond)
		}
	}
	return out, rows.Err()
}
