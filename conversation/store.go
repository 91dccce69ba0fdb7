package conversation

import (
	"context"
	"time"

	"tandem/chat"
)

// Store is the persistence the conversation core needs. Both sqlite.Store and postgres.Store
// implement it and pass storetest.
type Store interface {
	DeskStore
	ReviewStore
	// UpsertCustomer creates the customer for (Channel, ExternalID) or updates its name and
	// attributes, returning the stored customer with its ID.
	UpsertCustomer(ctx context.Context, c chat.Customer) (chat.Customer, error)
	// CreateConversation stores a new conversation; ID and times are set by the caller.
	CreateConversation(ctx context.Context, c chat.Conversation) error
	// Conversation returns a conversation, or a not_found error.
	Conversation(ctx context.Context, id string) (chat.Conversation, error)
	// ConversationByThread returns the conversation of a platform thread on channel, or not_found.
	ConversationByThread(ctx context.Context, channel, thread string) (chat.Conversation, error)
	// LatestConversation returns the customer's most recently updated conversation, or not_found.
	LatestConversation(ctx context.Context, customerID string) (chat.Conversation, error)

	// AddInbound stores a customer message. When ExternalID is set it is idempotent on
	// (Channel, ExternalID): a repeat returns the stored message and created=false.
	AddInbound(ctx context.Context, m chat.Message) (stored chat.Message, created bool, err error)
	// Arrive is AddInbound for a conversation that is not closed, reading the conversation and,
	// when the message is new, its last n messages in the same round trip (Arrival). A closed
	// conversation is returned and nothing is written: reopening it comes first. With
	// sameChannel, a conversation of another channel than m.Channel is not_found.
	Arrive(ctx context.Context, m chat.Message, n int, sameChannel bool) (Arrival, error)
	// AddMessage stores a bot, agent or system message; when deliver is true an outbox item for
	// m.Channel is queued in the same transaction.
	AddMessage(ctx context.Context, m chat.Message, deliver bool) (chat.Message, error)
	// AddReply is AddMessage for the bot's reply, stored only while the bot owns the conversation,
	// checked in the same statement; stored is false when a person took it.
	AddReply(ctx context.Context, m chat.Message, deliver bool) (_ chat.Message, stored bool, err error)
	// Stranded lists customer messages that are the last of their bot-owned conversation, in
	// conversations last updated in [from, to), not yet recovered: a crash came between storing
	// the message and the bot's reply. Oldest first, at most limit.
	Stranded(ctx context.Context, from, to time.Time, limit int) ([]chat.Message, error)
	// ClaimStranded marks a stranded message recovered; false if another replica did.
	ClaimStranded(ctx context.Context, messageID int64, at time.Time) (bool, error)
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
	// MarkDelivered records a successful delivery and the platform's ids of what was sent (refs,
	// unique per channel), which FailDelivered looks up.
	MarkDelivered(ctx context.Context, id int64, at time.Time, refs ...string) error
	// FailDelivered sets aside the delivered item the channel's ref belongs to, because the
	// platform reported later that it failed; ok is false when no item has that ref or it was
	// set aside already.
	FailDelivered(ctx context.Context, channel, ref string, at time.Time, errText string) (it chat.OutboxItem, ok bool, err error)
	// MarkFailed records a failed attempt and when to try again.
	MarkFailed(ctx context.Context, id int64, next time.Time, errText string) error
	// MarkDead sets an item aside for good (the platform can never take it); it is not retried.
	MarkDead(ctx context.Context, id int64, at time.Time, errText string) error
	// ClaimPassive marks the outbox item of a message delivered because the channel answered in
	// the webhook's response; false if it was delivered or set aside already.
	ClaimPassive(ctx context.Context, messageID int64, at time.Time) (bool, error)
	// ReleasePassive gives a claimed message back to the outbox, due at next.
	ReleasePassive(ctx context.Context, messageID int64, next time.Time) error
	// DeliveredSince counts a conversation's messages delivered on a channel through the
	// platform's send API (passive replies aside) since a time.
	DeliveredSince(ctx context.Context, conversationID, channel string, since time.Time) (int, error)
	// PendingOutbox counts undelivered outbox items.
	PendingOutbox(ctx context.Context) (int, error)
}

// DeskStore is the persistence of the agent desk: queue, agents, drafts, notes and ratings.
type DeskStore interface {
	// Customer returns a customer by id, or not_found.
	Customer(ctx context.Context, id string) (chat.Customer, error)
	// Previews returns each conversation's customer and last message, by conversation id.
	Previews(ctx context.Context, convs []chat.Conversation) (map[string]chat.Preview, error)
	// Queue lists waiting conversations (at most limit), oldest queued first.
	Queue(ctx context.Context, limit int) ([]chat.Conversation, error)
	// RecentWaits returns how long the conversations accepted at or after since had waited in
	// the queue, newest first (at most limit).
	RecentWaits(ctx context.Context, since time.Time, limit int) ([]time.Duration, error)
	// Assigned lists the conversations a person holds (owner human, this assignee).
	Assigned(ctx context.Context, agent string) ([]chat.Conversation, error)
	// Overdue lists waiting conversations whose first response was due before now and that
	// are not yet marked breached.
	Overdue(ctx context.Context, now time.Time) ([]chat.Conversation, error)
	// MarkBreached marks a waiting conversation's SLA breached; false if it already was or
	// is no longer waiting.
	MarkBreached(ctx context.Context, id string, at time.Time) (bool, error)

	// PutAgent creates an agent or updates name, capacity and teams (status and seen_at stay).
	PutAgent(ctx context.Context, a chat.Agent) error
	// SetPresence sets an agent's status and when they were last seen.
	SetPresence(ctx context.Context, username, status string, at time.Time) error
	// Agent returns one agent with their current load, or not_found.
	Agent(ctx context.Context, username string) (chat.Agent, error)
	// Agents lists every agent with their current load, by username.
	Agents(ctx context.Context) ([]chat.Agent, error)

	// AddDraft stores a bot draft and returns it with its id.
	AddDraft(ctx context.Context, d chat.Draft) (chat.Draft, error)
	// Draft returns one draft of a conversation, or not_found.
	Draft(ctx context.Context, conversationID string, id int64) (chat.Draft, error)
	// LatestDraft returns a conversation's newest draft, or not_found.
	LatestDraft(ctx context.Context, conversationID string) (chat.Draft, error)
	// CompleteDraft records what the agent sent for an unsent draft of the conversation:
	// Agent, Final, SentID, EditDistance and SentAt. not_found if there is no such unsent draft.
	CompleteDraft(ctx context.Context, d chat.Draft) error
	// Drafts lists drafts created in [from, to), oldest first, at most limit.
	Drafts(ctx context.Context, from, to time.Time, limit int) ([]chat.Draft, error)

	// AddNote stores an internal note.
	AddNote(ctx context.Context, n chat.Note) (chat.Note, error)
	// Notes lists a conversation's notes, oldest first.
	Notes(ctx context.Context, conversationID string) ([]chat.Note, error)
	// AddRating stores a post-chat rating.
	AddRating(ctx context.Context, r chat.Rating) error
	// PutFeedback stores (or changes) a thumbs up or down on a bot message.
	PutFeedback(ctx context.Context, conversationID string, messageID int64, helpful bool, at time.Time) error
	// Ratings lists a conversation's ratings, oldest first.
	Ratings(ctx context.Context, conversationID string) ([]chat.Rating, error)
}

// ReviewStore keeps the candidates the eval loop captures from real traffic.
type ReviewStore interface {
	// AddReview stores a candidate once per dedupe key; false when it was there already.
	AddReview(ctx context.Context, it chat.ReviewItem, dedupe string) (bool, error)
	// SetReviewAnswer records the agent's answer on the conversation's handoff candidates.
	SetReviewAnswer(ctx context.Context, conversationID, answer string) error
}

// Arrival is what Store.Arrive did with a customer message.
type Arrival struct {
	// Conversation is the message's conversation as it was before the message.
	Conversation chat.Conversation
	// Message is the stored message: the new one, or with Created false the one stored before
	// with its ExternalID. Zero when Stored is false.
	Message chat.Message
	// Stored is false when the conversation is closed: nothing was written.
	Stored  bool
	Created bool
	// History is, when Created, the conversation's last n messages, the new one last, for the
	// bot's turn: their Sources may be left out.
	History []chat.Message
}
