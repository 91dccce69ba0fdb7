package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"tandem/chat"
	"tandem/conversation"
)

var _ conversation.DeskStore = (*Store)(nil)

// Customer returns a customer by id.
func (s *Store) Customer(ctx context.Context, id string) (chat.Customer, error) {
	var c chat.Customer
	err := s.db.QueryRowContext(ctx, `SELECT id, channel, external_id, name, attrs, created_at FROM customers WHERE id = ?`, id).
		Scan(&c.ID, &c.Channel, &c.ExternalID, &c.Name, jsonCol{&c.Attrs}, (*microTime)(&c.CreatedAt))
	if err != nil {
		return c, fmt.Errorf("customer: %w", notFound(err, "customer"))
	}
	return c, nil
}

// Queue lists waiting conversations, oldest queued first.
func (s *Store) Queue(ctx context.Context, limit int) ([]chat.Conversation, error) {
	return s.conversations(ctx, `WHERE owner = 'waiting' ORDER BY queued_at, id LIMIT ?`, limit)
}

// Assigned lists the conversations an agent holds.
func (s *Store) Assigned(ctx context.Context, agent string) ([]chat.Conversation, error) {
	return s.conversations(ctx, `WHERE owner = 'human' AND assignee = ? ORDER BY updated_at DESC`, agent)
}

// Overdue lists waiting conversations past their first-response time, not yet marked.
func (s *Store) Overdue(ctx context.Context, now time.Time) ([]chat.Conversation, error) {
	return s.conversations(ctx, `WHERE owner = 'waiting' AND first_response_due > 0 AND first_response_due < ?
		AND sla_breached_at = 0 ORDER BY first_response_due LIMIT 500`, micros(now))
}

func (s *Store) conversations(ctx context.Context, where string, args ...any) ([]chat.Conversation, error) {
	return collect(ctx, s.db, "conversations", scanConversation, `SELECT `+conversationColumns+` FROM conversations `+where, args...)
}

// MarkBreached marks a waiting conversation's SLA breached once.
func (s *Store) MarkBreached(ctx context.Context, id string, at time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE conversations SET sla_breached_at = ?
		WHERE id = ? AND owner = 'waiting' AND sla_breached_at = 0`, micros(at), id)
	if err != nil {
		return false, fmt.Errorf("mark breached: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// PutAgent creates an agent or updates their name, capacity and teams.
func (s *Store) PutAgent(ctx context.Context, a chat.Agent) error {
	teams, _ := json.Marshal(nonNilStrings(a.Teams))
	_, err := s.db.ExecContext(ctx, `INSERT INTO agents (username, name, status, capacity, teams, seen_at) VALUES (?, ?, 'offline', ?, ?, ?)
		ON CONFLICT (username) DO UPDATE SET name = excluded.name, capacity = excluded.capacity, teams = excluded.teams`,
		a.Username, a.Name, a.Capacity, string(teams), micros(a.SeenAt))
	if err != nil {
		return fmt.Errorf("put agent: %w", err)
	}
	return nil
}

// SetPresence sets an agent's status and last-seen time.
func (s *Store) SetPresence(ctx context.Context, username, status string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE agents SET status = ?, seen_at = ? WHERE username = ?`, status, micros(at), username)
	if err != nil {
		return fmt.Errorf("set presence: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chat.Errorf(chat.ENOTFOUND, "agent %s not found", username)
	}
	return nil
}

const agentQuery = `SELECT username, name, status, capacity, teams, seen_at,
	(SELECT count(*) FROM conversations c WHERE c.owner = 'human' AND c.assignee = agents.username) FROM agents`

func scanAgent(sc rowScanner) (chat.Agent, error) {
	var a chat.Agent
	err := sc.Scan(&a.Username, &a.Name, &a.Status, &a.Capacity, jsonCol{&a.Teams}, (*microTime)(&a.SeenAt), &a.Load)
	return a, err
}

// Agent returns one agent with their load.
func (s *Store) Agent(ctx context.Context, username string) (chat.Agent, error) {
	a, err := scanAgent(s.db.QueryRowContext(ctx, agentQuery+` WHERE username = ?`, username))
	if err != nil {
		return a, fmt.Errorf("agent: %w", notFound(err, "agent"))
	}
	return a, nil
}

// Agents lists every agent with their load.
func (s *Store) Agents(ctx context.Context) ([]chat.Agent, error) {
	return collect(ctx, s.db, "agents", scanAgent, agentQuery+` ORDER BY username`)
}

// AddDraft stores a bot draft.
func (s *Store) AddDraft(ctx context.Context, d chat.Draft) (chat.Draft, error) {
	sources, _ := json.Marshal(nonNilSources(d.Sources))
	res, err := s.db.ExecContext(ctx, `INSERT INTO drafts (conversation_id, message_id, text, sources, confidence, decision, reason, unsure, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.ConversationID, d.MessageID, d.Text, string(sources), d.Confidence, string(d.Decision),
		d.Reason, d.Unsure, micros(d.CreatedAt))
	if isForeignKey(err) {
		return d, chat.Errorf(chat.ENOTFOUND, "conversation not found")
	}
	if err != nil {
		return d, fmt.Errorf("add draft: %w", err)
	}
	d.ID, err = res.LastInsertId()
	return d, err
}

const draftColumns = `id, conversation_id, message_id, text, sources, confidence, decision, reason, unsure, agent, final, sent_id, edit_distance, created_at, sent_at`

func scanDraft(sc rowScanner) (chat.Draft, error) {
	var d chat.Draft
	var dist, sent sql.NullInt64
	err := sc.Scan(&d.ID, &d.ConversationID, &d.MessageID, &d.Text, jsonCol{&d.Sources}, &d.Confidence, &d.Decision,
		&d.Reason, &d.Unsure, &d.Agent, &d.Final, &d.SentID, &dist, (*microTime)(&d.CreatedAt), &sent)
	if dist.Valid {
		n := int(dist.Int64)
		d.EditDistance = &n
	}
	if sent.Valid {
		t := fromMicros(sent.Int64)
		d.SentAt = &t
	}
	return d, err
}

// Draft returns one draft of a conversation.
func (s *Store) Draft(ctx context.Context, conversationID string, id int64) (chat.Draft, error) {
	d, err := scanDraft(s.db.QueryRowContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = ? AND conversation_id = ?`, id, conversationID))
	if err != nil {
		return d, fmt.Errorf("draft: %w", notFound(err, "draft"))
	}
	return d, nil
}

// LatestDraft returns a conversation's newest draft.
func (s *Store) LatestDraft(ctx context.Context, conversationID string) (chat.Draft, error) {
	d, err := scanDraft(s.db.QueryRowContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE conversation_id = ? ORDER BY id DESC LIMIT 1`, conversationID))
	if err != nil {
		return d, fmt.Errorf("latest draft: %w", notFound(err, "draft"))
	}
	return d, nil
}

// CompleteDraft records what the agent sent for an unsent draft.
func (s *Store) CompleteDraft(ctx context.Context, d chat.Draft) error {
	res, err := s.db.ExecContext(ctx, `UPDATE drafts SET agent = ?, final = ?, sent_id = ?, edit_distance = ?, sent_at = ?
		WHERE id = ? AND conversation_id = ? AND sent_at IS NULL`, d.Agent, d.Final, d.SentID, d.EditDistance, micros(*d.SentAt), d.ID, d.ConversationID)
	if err != nil {
		return fmt.Errorf("complete draft: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chat.Errorf(chat.ENOTFOUND, "draft %d is not an unsent draft of this conversation", d.ID)
	}
	return nil
}

// Drafts lists drafts created in [from, to).
func (s *Store) Drafts(ctx context.Context, from, to time.Time, limit int) ([]chat.Draft, error) {
	return collect(ctx, s.db, "drafts", scanDraft, `SELECT `+draftColumns+` FROM drafts WHERE created_at >= ? AND created_at < ? ORDER BY id LIMIT ?`,
		micros(from), micros(to), limit)
}

// AddNote stores an internal note.
func (s *Store) AddNote(ctx context.Context, n chat.Note) (chat.Note, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO notes (conversation_id, author, text, created_at) VALUES (?, ?, ?, ?)`,
		n.ConversationID, n.Author, n.Text, micros(n.CreatedAt))
	if isForeignKey(err) {
		return n, chat.Errorf(chat.ENOTFOUND, "conversation not found")
	}
	if err != nil {
		return n, fmt.Errorf("add note: %w", err)
	}
	n.ID, err = res.LastInsertId()
	return n, err
}

// Notes lists a conversation's notes.
func (s *Store) Notes(ctx context.Context, conversationID string) ([]chat.Note, error) {
	return collect(ctx, s.db, "notes", func(sc rowScanner) (chat.Note, error) {
		var n chat.Note
		err := sc.Scan(&n.ID, &n.ConversationID, &n.Author, &n.Text, (*microTime)(&n.CreatedAt))
		return n, err
	}, `SELECT id, conversation_id, author, text, created_at FROM notes WHERE conversation_id = ? ORDER BY id`, conversationID)
}

// AddRating stores a post-chat rating.
func (s *Store) AddRating(ctx context.Context, r chat.Rating) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO ratings (conversation_id, score, comment, created_at) VALUES (?, ?, ?, ?)`,
		r.ConversationID, r.Score, r.Comment, micros(r.CreatedAt))
	if isForeignKey(err) {
		return chat.Errorf(chat.ENOTFOUND, "conversation not found")
	}
	if err != nil {
		return fmt.Errorf("add rating: %w", err)
	}
	return nil
}

// Ratings lists a conversation's ratings.
func (s *Store) Ratings(ctx context.Context, conversationID string) ([]chat.Rating, error) {
	return collect(ctx, s.db, "ratings", func(sc rowScanner) (chat.Rating, error) {
		var r chat.Rating
		err := sc.Scan(&r.ConversationID, &r.Score, &r.Comment, (*microTime)(&r.CreatedAt))
		return r, err
	}, `SELECT conversation_id, score, comment, created_at FROM ratings WHERE conversation_id = ? ORDER BY id`, conversationID)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// PutFeedback stores (or changes) the thumbs up or down on a bot message.
func (s *Store) PutFeedback(ctx context.Context, conversationID string, messageID int64, helpful bool, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO feedback (message_id, conversation_id, helpful, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (message_id) DO UPDATE SET helpful = excluded.helpful, created_at = excluded.created_at`, messageID, conversationID, helpful, micros(at))
	if err != nil {
		return fmt.Errorf("put feedback: %w", err)
	}
	return nil
}

// Previews returns, for each of the conversations, its customer and its last message (when it
// has one): what a console list shows, in two queries however long the list.
func (s *Store) Previews(ctx context.Context, convs []chat.Conversation) (map[string]chat.Preview, error) {
	ids, customerIDs := chat.ConversationIDs(convs)
	idsJSON, _ := json.Marshal(ids)
	customersJSON, _ := json.Marshal(customerIDs)
	customers, err := collect(ctx, s.db, "previews", func(sc rowScanner) (chat.Customer, error) {
		var c chat.Customer
		err := sc.Scan(&c.ID, &c.Channel, &c.ExternalID, &c.Name, jsonCol{&c.Attrs}, (*microTime)(&c.CreatedAt))
		return c, err
	}, `SELECT id, channel, external_id, name, attrs, created_at FROM customers WHERE id IN (SELECT value FROM json_each(?))`, string(customersJSON))
	if err != nil {
		return nil, err
	}
	last, err := collect(ctx, s.db, "previews", scanMessage, `SELECT `+messageColumns+` FROM messages WHERE id IN
		(SELECT max(id) FROM messages WHERE conversation_id IN (SELECT value FROM json_each(?)) GROUP BY conversation_id)`, string(idsJSON))
	if err != nil {
		return nil, err
	}
	return chat.BuildPreviews(convs, customers, last), nil
}

// RecentWaits returns how long the conversations accepted at or after since had waited in the
// queue, newest first, at most limit.
func (s *Store) RecentWaits(ctx context.Context, since time.Time, limit int) ([]time.Duration, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT h.at - (SELECT max(w.at) FROM transitions w
			WHERE w.conversation_id = h.conversation_id AND w.to_owner = 'waiting' AND w.id < h.id)
		FROM transitions h WHERE h.from_owner = 'waiting' AND h.to_owner = 'human' AND h.at >= ?
		ORDER BY h.at DESC LIMIT ?`, micros(since), limit)
	if err != nil {
		return nil, fmt.Errorf("recent waits: %w", err)
	}
	defer rows.Close()
	var out []time.Duration
	for rows.Next() {
		var us sql.NullInt64
		if err := rows.Scan(&us); err != nil {
			return nil, fmt.Errorf("recent waits: %w", err)
		}
		if us.Valid && us.Int64 >= 0 {
			out = append(out, time.Duration(us.Int64)*time.Microsecond)
		}
	}
	return out, rows.Err()
}
