package chat

import (
	"encoding/json"
	"time"
)

// Review reasons: why a turn was captured for trainers.
const (
	ReviewHandoff       = "handoff"        // the bot handed the conversation to a person
	ReviewEdited        = "edited"         // an agent edited the bot's draft before sending it
	ReviewLowRating     = "low_rating"     // the customer rated the conversation 1 or 2
	ReviewLowConfidence = "low_confidence" // the bot answered below the review threshold
	ReviewThumbsDown    = "thumbs_down"    // the customer marked a bot answer unhelpful
)

// Review statuses.
const (
	ReviewOpen      = "open"
	ReviewAccepted  = "accepted"
	ReviewDismissed = "dismissed"
)

// ReviewItem is a candidate eval case captured from real traffic, for a trainer to accept into
// an eval set, relabel, or dismiss.
type ReviewItem struct {
	ID             int64  `json:"id"`
	Reason         string `json:"reason"`
	ConversationID string `json:"conversation_id"`
	MessageID      int64  `json:"message_id"` // the customer message it is about
	Channel        string `json:"channel"`
	Intent         string `json:"intent,omitempty"`
	Text           string `json:"text"`             // the customer's message
	BotAnswer      string `json:"bot_answer"`       // what the bot said or drafted
	Answer         string `json:"answer,omitempty"` // what the agent answered, when known
	// HandoffReason is why the bot handed off (customer_request, intent_policy, low_confidence…),
	// for handoff candidates.
	HandoffReason string    `json:"handoff_reason,omitempty"`
	Confidence    float64   `json:"confidence"`
	Sources       []Source  `json:"sources,omitempty"`
	Status        string    `json:"status"`
	CreatedAt     time.Time `json:"created_at"`
}

// ReviewFilter selects review items; empty fields match all.
type ReviewFilter struct {
	Reason, Channel, Intent, Status string
	From, To                        time.Time
	Limit                           int
}

// EvalRecord is a stored eval case or result: an id and its JSON (the evals package's types).
type EvalRecord struct {
	ID   string          `json:"id"`
	Body json.RawMessage `json:"body"`
}

// EvalRun is a stored run of an eval set.
type EvalRun struct {
	ID        string            `json:"id"`
	Set       string            `json:"set"`
	Baseline  string            `json:"baseline,omitempty"`
	Config    map[string]string `json:"config"`
	Metrics   json.RawMessage   `json:"metrics"`
	CreatedAt time.Time         `json:"created_at"`
}

// EvalSet is a named eval set and its size.
type EvalSet struct {
	Name      string    `json:"name"`
	Cases     int       `json:"cases"`
	CreatedAt time.Time `json:"created_at"`
}
