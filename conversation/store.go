package conversation

import (
	"context"
	"time"

	"tandem/chat"
)

// Store is the persistence the conversation core needs. Both sqlite.Store and postgres.Store
// implement it and pass storetest.
type Store interface {
	// UpsertCustomer creates the customer for (Channel, ExternalID) or updates its name and
	// attributes, returning the stored customer with its ID.
	UpsertCustomer(ctx context.Context, c chat.Customer) (chat.Customer, error)
	// CreateConversation stores a new conversation; ID and times are set by the caller.
	CreateConversation(ctx context.Context, c chat.Conversation) error
	// Conversation returns a conversation, or a not_found error.
	Conversation(ctx context.Context, id string) (chat.Conversation, error)
	// LatestConversation returns the customer's most recently updated conversation, or not_found.
	LatestConversation(ctx context.Context, customerID string) (chat.Conversation, error)

	// AddInbound stores a customer message. When ExternalID is set it is idempotent on
	// (Channel, ExternalID): a repeat returns the stored message and created=false.
	AddInbound(ctx context.Context, m chat.Message) (stored chat.Message, created bool, err error)
	// AddMessage stores a bot, agent or system message; when deliver is true an outbox item for
	// m.Channel is queued in the same transaction.
	AddMessage(ctx context.Context, m chat.Message, deliver bool) (chat.Message, error)
	// Recent lists a conversation's last n messages in id order.
	Recent(ctx context.Context, conversationID string, n int) ([]chat.Message, error)
	// Messages lists a conversation's messages with id > afterID in id order, at most limit.
	Messages(ctx context.Context, conversationID string, afterID int64, limit int) ([]chat.Message, error)

	// SetOwner moves the owner from `from` to `to` if it is still `from` (else conflict) and the
	// move is allowed, storing the transition.
	SetOwner(ctx context.Context, t chat.Transition) error
	// Transitions lists a conversation's ownership changes, oldest first.
	Transitions(ctx context.Context, conversationID string) ([]chat.Transition, error)

	// ClaimOutbox leases up to limit due, undelivered items until now+lease and counts an attempt.
	ClaimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]chat.OutboxItem, error)
	// OutboxMessage returns the message an outbox item delivers.
	Message(ctx context.Context, id int64) (chat.Message, error)
	// MarkDelivered records a successful delivery.
	MarkDelivered(ctx context.Context, id int64, at time.Time) error
	// MarkFailed records a failed attempt and when to try again.
	MarkFailed(ctx context.Context, id int64, next time.Time, errText string) error
	// MarkDead sets an item aside for good (the platform can never take it); it is not retried.
	MarkDead(ctx context.Context, id int64, at time.Time, errText string) error
	// PendingOutbox counts undelivered outbox items.
	PendingOutbox(ctx context.Context) (int, error)
}
