package chat

import "time"

// Agent presence states.
const (
	PresenceOnline  = "online"
	PresenceAway    = "away"
	PresenceOffline = "offline"
)

// Agent is a console user's routing state: presence, capacity and the teams (skills) they serve.
type Agent struct {
	Username string   `json:"username"`
	Name     string   `json:"name,omitempty"`
	Status   string   `json:"status"`   // online, away or offline
	Capacity int      `json:"capacity"` // most conversations at once
	Teams    []string `json:"teams,omitempty"`
	// Load is how many conversations the agent owns now (filled by queries that count it).
	Load   int       `json:"load"`
	SeenAt time.Time `json:"seen_at"`
}

// Serves reports whether the agent takes conversations of team ("" is everyone's).
func (a Agent) Serves(team string) bool {
	if team == "" || len(a.Teams) == 0 {
		return true
	}
	for _, t := range a.Teams {
		if t == team {
			return true
		}
	}
	return false
}

// Sees reports whether the agent may read, annotate and watch the conversation as it stands: one
// they hold, or one waiting for or held within a team they serve. Bot-only and closed
// conversations are nobody's (admins see everything; who held one before is in its transitions).
func (a Agent) Sees(c Conversation) bool {
	if c.Assignee != "" && c.Assignee == a.Username {
		return true
	}
	return (c.Owner == OwnerWaiting || c.Owner == OwnerHuman) && a.Serves(c.Team)
}

// Draft is the bot's proposed reply to a customer message while a person owns the conversation,
// and what became of it: the final text the agent sent and how far they edited it.
type Draft struct {
	ID             int64    `json:"id"`
	ConversationID string   `json:"conversation_id"`
	MessageID      int64    `json:"message_id"` // the customer message it answers
	Text           string   `json:"text"`
	Sources        []Source `json:"sources,omitempty"`
	Confidence     float64  `json:"confidence"`
	// Decision is what the bot would have done had it owned the conversation, and Reason why
	// (low_confidence, ambiguous, out_of_scope, …). Unsure: the bot would not have sent this text
	// itself; the agent should check it. An empty Text means nothing relevant was found.
	Decision Decision `json:"decision,omitempty"`
	Reason   string   `json:"reason,omitempty"`
	Unsure   bool     `json:"unsure"`
	// Agent, Final, SentID and EditDistance are set when an agent sends a reply to it.
	Agent        string     `json:"agent,omitempty"`
	Final        string     `json:"final,omitempty"`
	SentID       int64      `json:"sent_id,omitempty"`
	EditDistance *int       `json:"edit_distance,omitempty"` // in characters; 0: sent untouched
	CreatedAt    time.Time  `json:"created_at"`
	SentAt       *time.Time `json:"sent_at,omitempty"`
}

// Note is an internal note on a conversation; customers never see it.
type Note struct {
	ID             int64     `json:"id"`
	ConversationID string    `json:"conversation_id"`
	Author         string    `json:"author"`
	Text           string    `json:"text"`
	CreatedAt      time.Time `json:"created_at"`
}

// Rating is a customer's post-chat rating.
type Rating struct {
	ConversationID string    `json:"conversation_id"`
	Score          int       `json:"score"` // 1–5
	Comment        string    `json:"comment,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// Event types beyond "message", "owner" and "delta".
const (
	EventQueue      = "queue"       // a conversation entered, moved in or left the queue, or changed hands
	EventDraft      = "draft"       // the bot's draft for the agent (Draft set)
	EventDraftDelta = "draft_delta" // the draft being written (Text)
	EventNote       = "note"        // an internal note (Note set)
	EventTyping     = "typing"      // Author is typing
	EventPosition   = "position"    // a waiting customer's place in the queue (Position, Wait)
	EventSLABreach  = "sla_breach"  // a conversation waited past its first-response target
)

// ForCustomer reports whether customers (widget, app sockets) may see the event: drafts, notes,
// queue and SLA events and the customer's own typing are for agents only.
func (e Event) ForCustomer() bool {
	switch e.Type {
	case EventDraft, EventDraftDelta, EventNote, EventQueue, EventSLABreach:
		return false
	case EventTyping:
		return e.Author != string(AuthorCustomer)
	}
	return true
}
