// Package followup keeps the consent ledger and sends follow-up messages (a satisfaction check,
// a claim progress update, a reminder) after a conversation closes: only to customers who
// consented on that channel, only inside the platform's messaging window; anything else is not
// sent, with the reason recorded.
package followup

import (
	"context"
	"time"
)

// PurposeFollowUp is the consent follow-ups need.
const PurposeFollowUp = "followup"

// Consent is one ledger entry: what was agreed (or withdrawn), when, where and how.
type Consent struct {
	ID         int64     `json:"id"`
	CustomerID string    `json:"customer_id"`
	Channel    string    `json:"channel"`
	Purpose    string    `json:"purpose"`
	Granted    bool      `json:"granted"`            // false: withdrawn
	Text       string    `json:"text,omitempty"`     // what the customer agreed to, as shown to them
	Source     string    `json:"source"`             // how: "api", "agent:amy", "opt_out_word"
	Evidence   string    `json:"evidence,omitempty"` // e.g. the opt-out message
	At         time.Time `json:"at"`
}

// Statuses of a follow-up.
const (
	StatusScheduled = "scheduled"
	StatusSent      = "sent"
	StatusSkipped   = "skipped" // not sent; Reason says why
)

// Reasons a follow-up was not sent.
const (
	ReasonNoConsent     = "no_consent"
	ReasonOutsideWindow = "outside_window" // the platform's window closed and it has no template set up here
	ReasonSendFailed    = "send_failed"
	// ReasonTemplate is on a follow-up sent outside the platform's window as the channel's
	// approved template (WhatsApp's template message), the follow-up's text its parameter.
	ReasonTemplate = "template"
)

// FollowUp is a message scheduled for a customer after a conversation closed.
type FollowUp struct {
	ID             string     `json:"id"`
	CustomerID     string     `json:"customer_id"`
	ConversationID string     `json:"conversation_id"`
	Channel        string     `json:"channel"`
	Kind           string     `json:"kind"` // satisfaction, claim_progress, reminder
	Text           string     `json:"text"`
	DueAt          time.Time  `json:"due_at"`
	Status         string     `json:"status"`
	Reason         string     `json:"reason,omitempty"`
	MessageID      int64      `json:"message_id,omitempty"`
	CreatedBy      string     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	DoneAt         *time.Time `json:"done_at,omitempty"`
}

// Store keeps the ledger and the follow-ups. sqlite.Store and postgres.Store implement it and
// pass storetest.
type Store interface {
	// AddConsent appends a ledger entry.
	AddConsent(ctx context.Context, c Consent) error
	// Consents lists a customer's ledger, oldest first.
	Consents(ctx context.Context, customerID string) ([]Consent, error)
	// CreateFollowUp stores a scheduled follow-up.
	CreateFollowUp(ctx context.Context, f FollowUp) error
	// DueFollowUps lists scheduled follow-ups due at now, oldest first, at most limit.
	DueFollowUps(ctx context.Context, now time.Time, limit int) ([]FollowUp, error)
	// FinishFollowUp records a scheduled follow-up's outcome; false if it was finished already.
	FinishFollowUp(ctx context.Context, f FollowUp) (bool, error)
	// ConversationFollowUps lists a conversation's follow-ups, oldest first.
	ConversationFollowUps(ctx context.Context, conversationID string) ([]FollowUp, error)
}
