// Package complaint keeps complaint cases: a numbered case the customer is told about, its
// linked conversations, owner, status timeline and the regulator's decision clock.
package complaint

import (
	"context"
	"time"
)

// Status is where a case stands.
type Status string

// The statuses of a case: received → acknowledged → investigating → resolved → closed, or
// escalated.
const (
	Received      Status = "received"
	Acknowledged  Status = "acknowledged"
	Investigating Status = "investigating"
	Resolved      Status = "resolved" // the decision was given to the customer
	Closed        Status = "closed"
	Escalated     Status = "escalated"
)

// next lists the statuses each status may move to (reopening a closed case is Reopen).
var next = map[Status][]Status{
	Received:      {Acknowledged, Investigating, Escalated},
	Acknowledged:  {Investigating, Escalated},
	Investigating: {Resolved, Escalated},
	Escalated:     {Investigating, Resolved, Closed},
	Resolved:      {Closed, Escalated, Investigating},
}

// Allowed reports whether a case may move from one status to another.
func Allowed(from, to Status) bool {
	for _, s := range next[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Open reports whether the decision clock runs for a case in this status: until the decision.
func (s Status) Open() bool { return s != Resolved && s != Closed }

// Extension levels of the decision deadline.
const (
	ExtendNone     = 0 // the category's decision period (default 15 days)
	ExtendComplex  = 1 // a complex case: the category's complex period (default 30 days)
	ExtendApproved = 2 // approved, the customer told: a further period (default +30 days)
)

// Case is one complaint.
type Case struct {
	ID     string `json:"id"`
	Number string `json:"number"` // what the customer sees, e.g. TS-20261204-0001
	// CustomerID, Channel and Lang are whom to tell, where and in which language.
	CustomerID    string     `json:"customer_id"`
	Channel       string     `json:"channel"`
	Lang          string     `json:"lang"`
	Conversations []string   `json:"conversations"` // linked, oldest first
	Category      string     `json:"category"`
	Severity      string     `json:"severity"` // low, normal, high
	Owner         string     `json:"owner,omitempty"`
	Status        Status     `json:"status"`
	Summary       string     `json:"summary,omitempty"`    // what the customer complains about
	Decision      string     `json:"decision,omitempty"`   // the decision the customer was given
	Resolution    string     `json:"resolution,omitempty"` // the closing summary
	RootCause     string     `json:"root_cause,omitempty"`
	Extension     int        `json:"extension"`
	Reopens       int        `json:"reopens"`
	ReceivedAt    time.Time  `json:"received_at"`
	DueAt         time.Time  `json:"due_at"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	PausedAt      *time.Time `json:"paused_at,omitempty"`
	RemindedAt    *time.Time `json:"reminded_at,omitempty"` // the reminder before DueAt was sent
	BreachedAt    *time.Time `json:"breached_at,omitempty"` // DueAt passed without a decision
	UpdatedAt     time.Time  `json:"updated_at"`
}

// Breached reports whether the case is past its due date without a decision at now.
func (c Case) Breached(now time.Time) bool {
	return c.Status.Open() && c.PausedAt == nil && now.After(c.DueAt)
}

// Step kinds besides status changes (whose Kind is "status").
const (
	StepStatus   = "status"
	StepOpened   = "opened"
	StepAssigned = "assigned"
	StepExtended = "extended"
	StepPaused   = "paused"
	StepResumed  = "resumed"
	StepReminder = "reminder"
	StepBreach   = "breach"
	StepReopened = "reopened"
	StepLinked   = "linked"
)

// Step is one entry of a case's timeline, with who did it and when.
type Step struct {
	CaseID string    `json:"case_id"`
	Kind   string    `json:"kind"`
	From   Status    `json:"from,omitempty"`
	To     Status    `json:"to,omitempty"`
	Actor  string    `json:"actor"`
	Note   string    `json:"note,omitempty"`
	At     time.Time `json:"at"`
}

// Store keeps cases. sqlite.Store and postgres.Store implement it and pass storetest.
type Store interface {
	// CreateCase stores a new case with its first step and gives it the day's next number
	// (prefix + YYYYMMDD + "-" + four digits), returning it.
	CreateCase(ctx context.Context, c Case, prefix string, first Step) (Case, error)
	// Case returns a case by id or number, or not_found.
	Case(ctx context.Context, idOrNumber string) (Case, error)
	// UpdateCase stores c's changes with step if the stored case was last updated at
	// prevUpdated (else conflict).
	UpdateCase(ctx context.Context, c Case, prevUpdated time.Time, step Step) error
	// LinkConversation links a conversation to a case (linking twice is no error).
	LinkConversation(ctx context.Context, caseID, conversationID string, at time.Time) error
	// CustomerCases lists a customer's cases, newest first.
	CustomerCases(ctx context.Context, customerID string) ([]Case, error)
	// ConversationCase returns the newest case a conversation is linked to, or not_found.
	ConversationCase(ctx context.Context, conversationID string) (Case, error)
	// OpenCases lists cases not closed, due soonest first, at most limit.
	OpenCases(ctx context.Context, limit int) ([]Case, error)
	// ReceivedCases lists cases received in [from, to), oldest first.
	ReceivedCases(ctx context.Context, from, to time.Time) ([]Case, error)
	// CaseSteps lists a case's timeline, oldest first.
	CaseSteps(ctx context.Context, caseID string) ([]Step, error)
}
