package action

import (
	"context"
	"time"
)

// Proposal statuses.
const (
	ProposalPending  = "pending"
	ProposalApproved = "approved" // approved and sent successfully
	ProposalRejected = "rejected"
	ProposalFailed   = "failed" // approved, but the call failed
)

// Proposal is a write that waits for an agent: what the customer said, the arguments and the
// request that will be sent.
type Proposal struct {
	ID             int64             `json:"id"`
	ConversationID string            `json:"conversation_id"`
	Action         string            `json:"action"`
	Args           map[string]string `json:"args"`
	CustomerText   string            `json:"customer_text"`
	Request        Request           `json:"request"`
	Status         string            `json:"status"`
	DecidedBy      string            `json:"decided_by,omitempty"`
	Result         string            `json:"result,omitempty"`
	CreatedAt      time.Time         `json:"created_at"`
	DecidedAt      *time.Time        `json:"decided_at,omitempty"`
}

// Store keeps definitions, calls and proposals. Both sqlite.Store and postgres.Store implement it
// and pass storetest.RunActions.
type Store interface {
	Recorder
	// PutAction creates or replaces a definition.
	PutAction(ctx context.Context, d Definition) error
	// Action returns one definition, or not_found.
	Action(ctx context.Context, name string) (Definition, error)
	// Actions lists every definition by name.
	Actions(ctx context.Context) ([]Definition, error)
	// DeleteAction removes a definition, or not_found.
	DeleteAction(ctx context.Context, name string) error
	// ActionCalls lists calls made in [from, to), oldest first.
	ActionCalls(ctx context.Context, from, to time.Time) ([]Call, error)
	// AddProposal stores a pending proposal and returns it with its id.
	AddProposal(ctx context.Context, p Proposal) (Proposal, error)
	// Proposal returns one proposal of a conversation, or not_found.
	Proposal(ctx context.Context, conversationID string, id int64) (Proposal, error)
	// Proposals lists a conversation's proposals, oldest first.
	Proposals(ctx context.Context, conversationID string) ([]Proposal, error)
	// DecideProposal moves a pending proposal to p.Status with DecidedBy, Args, Request, Result
	// and DecidedAt; conflict when it is no longer pending (another agent decided), so a
	// proposal is sent at most once.
	DecideProposal(ctx context.Context, p Proposal) error
	// SetProposalResult records how a decided proposal's call went (status and result text).
	SetProposalResult(ctx context.Context, conversationID string, id int64, status, result string) error
}
