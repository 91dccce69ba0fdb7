// Package chat holds Tandem's domain types: customers, conversations, messages, ownership,
// replies and error codes. It imports nothing of ours.
package chat

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Owner says who may speak to the customer in a conversation.
type Owner string

// The owners of a conversation; see Transition for the allowed moves.
const (
	OwnerBot     Owner = "bot"
	OwnerWaiting Owner = "waiting"
	OwnerHuman   Owner = "human"
	OwnerClosed  Owner = "closed"
)

// Valid reports whether o is a known owner.
func (o Owner) Valid() bool {
	switch o {
	case OwnerBot, OwnerWaiting, OwnerHuman, OwnerClosed:
		return true
	}
	return false
}

// Author says who wrote a message.
type Author string

// The authors of messages.
const (
	AuthorCustomer Author = "customer"
	AuthorBot      Author = "bot"
	AuthorAgent    Author = "agent"
	AuthorSystem   Author = "system"
)

// Decision is what the bot decided to do with a turn.
type Decision string

// The bot's decisions.
const (
	DecisionAnswer  Decision = "answer"
	DecisionClarify Decision = "clarify"
	DecisionHandoff Decision = "handoff"
)

// Customer is a person who talks to Tandem on some channel.
type Customer struct {
	ID         string            `json:"id"`
	Channel    string            `json:"channel"`
	ExternalID string            `json:"external_id"`
	Name       string            `json:"name,omitempty"`
	Attrs      map[string]string `json:"attributes,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
}

// Conversation is one thread between a customer and the service.
type Conversation struct {
	ID         string `json:"id"`
	CustomerID string `json:"customer_id"`
	Channel    string `json:"channel"`
	Owner      Owner  `json:"owner"`
	Lang       string `json:"lang,omitempty"`
	// Team and Priority route a waiting conversation (set by the handoff that queued it).
	Team     string `json:"team,omitempty"`
	Priority string `json:"priority,omitempty"`
	// Assignee is the agent who owns it (owner human), or "".
	Assignee string `json:"assignee,omitempty"`
	// QueuedAt is when it last entered the queue; FirstResponseDue when a person should have
	// answered (the SLA), zero when none applies.
	QueuedAt         time.Time `json:"queued_at,omitzero"`
	FirstResponseDue time.Time `json:"first_response_due,omitzero"`
	SLABreached      bool      `json:"sla_breached,omitempty"`
	// Reason is why it was last handed to people (e.g. "low_confidence").
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Thread is the platform's own conversation this one mirrors, on platforms where a customer
	// has several (Chatwoot: "<account>/<conversation display id>"); "" elsewhere.
	Thread string `json:"thread,omitempty"`
	// LastCustomerAt is when the customer last wrote (zero: never); platforms with a messaging
	// window (WhatsApp 24 h, WeChat 48 h) count from it.
	LastCustomerAt time.Time `json:"last_customer_at,omitzero"`
}

// Source is a knowledge article an answer cites.
type Source struct {
	ID    string  `json:"id,omitempty"`
	Title string  `json:"title"`
	URL   string  `json:"url"`
	Score float64 `json:"score,omitempty"`
}

// Message is one message in a conversation. Bot messages carry sources, confidence and decision.
type Message struct {
	ID             int64     `json:"id"`
	ConversationID string    `json:"conversation_id"`
	Author         Author    `json:"author"`
	Text           string    `json:"text"`
	Sources        []Source  `json:"sources,omitempty"`
	Confidence     *float64  `json:"confidence,omitempty"`
	Decision       Decision  `json:"decision,omitempty"`
	Reason         string    `json:"reason,omitempty"`
	Channel        string    `json:"channel,omitempty"`
	ExternalID     string    `json:"external_id,omitempty"`
	Agent          string    `json:"agent,omitempty"`  // an agent message's author
	Intent         string    `json:"intent,omitempty"` // the intent a bot message answered
	CreatedAt      time.Time `json:"created_at"`
}

// Reply is the bot's result for one turn.
type Reply struct {
	Text       string
	Sources    []Source
	Confidence float64
	Decision   Decision
	Reason     string // why it handed off or asked, e.g. "low_confidence", "customer_request"
	// Timings of the turn's parts in milliseconds, e.g. "search", "generate".
	Timings map[string]float64
	// Signals behind the confidence, e.g. "coverage", "margin", "vector", "agreement", "token_prob".
	Signals map[string]float64
	// Intent is the intent the message was classified as, when confident; Team and Priority
	// route a handoff it asked for.
	Intent   string
	Team     string
	Priority string
	// Action is the bot action an intent's policy asked to run (ActionRun); the action layer
	// runs it and replaces the reply.
	Action string
}

// Transition is one stored change of a conversation's owner.
type Transition struct {
	ConversationID string `json:"conversation_id"`
	From           Owner  `json:"from"`
	To             Owner  `json:"to"`
	Actor          string `json:"actor"`
	Reason         string `json:"reason"`
	Team           string `json:"team,omitempty"`     // a handoff's team (skill)
	Priority       string `json:"priority,omitempty"` // a handoff's priority
	Assignee       string `json:"assignee,omitempty"` // to human: the agent who takes it
	// Conditions of the move, not stored: the assignee it must still have (a transfer), the most
	// conversations the new assignee may hold (0: no limit), and a queued conversation's SLA.
	FromAssignee string    `json:"-"`
	Capacity     int       `json:"-"`
	Due          time.Time `json:"-"`
	At           time.Time `json:"at"`
}

// Event is published to real-time subscribers of a conversation.
type Event struct {
	Type           string   `json:"type"` // "message", "owner", or "delta" (a bot reply being written)
	ConversationID string   `json:"conversation_id"`
	Message        *Message `json:"message,omitempty"`
	Owner          Owner    `json:"owner,omitempty"`
	Text           string   `json:"text,omitempty"` // delta: the reply so far; the final "message" replaces it
	// Queue and handoff events: who has the conversation now, its team and priority.
	Assignee string `json:"assignee,omitempty"`
	Team     string `json:"team,omitempty"`
	Priority string `json:"priority,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Author   string `json:"author,omitempty"` // typing: who is typing
	Draft    *Draft `json:"draft,omitempty"`
	Note     *Note  `json:"note,omitempty"`
	// Position (1 = next) and Wait (estimated seconds) of a waiting customer.
	Position int `json:"position,omitempty"`
	Wait     int `json:"wait,omitempty"`
	// JSON is the event encoded once for all its subscribers (set by the hub; not sent).
	JSON []byte `json:"-"`
}

// OutboxItem is a message waiting to be delivered to a channel.
type OutboxItem struct {
	ID        int64
	MessageID int64
	Channel   string
	Attempts  int
	NextAt    time.Time
	LastError string
}

// APIKey is an app-API key; only the SHA-256 hash of the secret is stored. Scopes name the APIs
// it opens (ScopeConversations, ScopeKnowledge).
type APIKey struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Hash      string     `json:"-"`
	Scopes    []string   `json:"scopes"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// API key scopes: the app API (conversations, messages, sockets) and the trainer's APIs
// (knowledge base, intents, settings).
const (
	ScopeConversations = "conversations"
	ScopeKnowledge     = "knowledge"
)

// Scopes lists every API key scope.
var Scopes = []string{ScopeConversations, ScopeKnowledge}

// ParseScopes checks a comma-separated scope list and returns its scopes, each once.
func ParseScopes(list string) ([]string, error) {
	var out []string
	for _, sc := range strings.Split(list, ",") {
		sc = strings.TrimSpace(sc)
		if !slices.Contains(Scopes, sc) {
			return nil, fmt.Errorf("unknown scope %q; want %s", sc, strings.Join(Scopes, ", "))
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// ScopeList is scopes as stored: one comma-separated column.
type ScopeList []string

// Scan implements sql.Scanner.
func (l *ScopeList) Scan(v any) error {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("scopes: unexpected %T", v)
	}
	*l = strings.FieldsFunc(s, func(r rune) bool { return r == ',' })
	return nil
}

// HasScope reports whether the key carries scope.
func (k APIKey) HasScope(scope string) bool { return slices.Contains(k.Scopes, scope) }

// Account is a console user: an agent, trainer or admin.
type Account struct {
	Username     string     `json:"username"`
	Role         string     `json:"role"`
	PasswordHash string     `json:"-"`
	CreatedAt    time.Time  `json:"created_at"`
	DisabledAt   *time.Time `json:"disabled_at,omitempty"`
}

// ConsoleSession is a signed-in console user's session as stored: only a hash of its token, so a
// copy of the database signs no one in. Deleting it signs the user out on every replica.
type ConsoleSession struct {
	Hash      string
	Username  string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Document is a knowledge article or FAQ entry.
type Document struct {
	ID         string   `json:"id"`
	Collection string   `json:"collection"`
	Title      string   `json:"title"`
	URL        string   `json:"url"`
	Lang       string   `json:"lang"`
	Category   string   `json:"category,omitempty"`
	Kind       string   `json:"kind,omitempty"` // "" or "article"; "faq" for a question-and-answer entry
	Tags       []string `json:"tags,omitempty"`
	// Questions are an FAQ entry's question variants (the title is the first); Body is its answer.
	Questions []string  `json:"questions,omitempty"`
	Body      string    `json:"body"`
	Hash      string    `json:"hash"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SynonymGroup is a set of words customers use for the same thing in one language (excess,
// deductible); a query with one of them also searches for the others.
type SynonymGroup struct {
	Lang  string   `json:"lang"`
	Words []string `json:"words"`
}

// Chunk is a searchable piece of a document: a section, or part of a long one.
type Chunk struct {
	ID      string `json:"id"` // document id + "#" + ord
	DocID   string `json:"doc_id"`
	Ord     int    `json:"ord"`
	Heading string `json:"heading,omitempty"` // the section heading it falls under
	Text    string `json:"text"`
	Lang    string `json:"lang"`
	Hash    string `json:"hash"` // of heading, text and lang: an unchanged chunk keeps its embeddings
	Title   string `json:"-"`    // the document's title, filled where a query joins documents
}

// Embedding is a chunk's vector under one embedding model.
type Embedding struct {
	ChunkID string
	Hash    string // the chunk's hash when it was embedded
	Vector  []float32
}

// Intent actions: what the bot does when a message is confidently classified as the intent.
const (
	ActionAnswer    = "answer"    // reply with the intent's canned answer
	ActionKnowledge = "knowledge" // answer from the knowledge base as usual
	ActionHandoff   = "handoff"   // hand to a person in Team with Priority
	ActionRun       = "run"       // run the bot action named in Run (package action)
)

// Intent is a trainer-defined kind of customer message with example utterances and a policy.
type Intent struct {
	Name   string `json:"name"`
	Action string `json:"action"`
	Answer string `json:"answer,omitempty"` // ActionAnswer: the canned reply
	// Answers are the canned reply per language ("en", "zh"); Answer is used for the others.
	Answers   map[string]string `json:"answers,omitempty"`
	Team      string            `json:"team,omitempty"`     // ActionHandoff: the skill or team that takes it
	Priority  string            `json:"priority,omitempty"` // ActionHandoff: "high", "normal" (default) or "low"
	Run       string            `json:"run,omitempty"`      // ActionRun: the bot action to run
	Examples  []string          `json:"examples"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// AuditEntry is one change made through the consoles or the admin API.
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Role   string    `json:"role"`
	Action string    `json:"action"` // e.g. "POST /api/console/conversations/:id/accept"
	Target string    `json:"target,omitempty"`
	Status int       `json:"status"`
}
