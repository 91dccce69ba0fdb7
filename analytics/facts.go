// Package analytics turns stored conversations into service figures: how many the bot resolved,
// how often and why it handed off, how long customers waited for a reply and for a person, how
// they rated the service, and alert rules over those figures.
//
// Stores return one Facts per conversation; Compute is pure and does all the arithmetic, so
// every store reports the same figures for the same history.
package analytics

import (
	"time"

	"tandem/chat"
)

// Windows of the reopen rule (see Facts.Reopened).
const (
	// ResolvedAfter is how long a customer must stay silent after a bot answer for the bot to
	// count as having resolved the conversation at that point; a message sooner is a follow-up
	// in the same exchange, not a reopen.
	ResolvedAfter = 30 * time.Minute
	// ReopenWindow is how soon after that answer a new customer message reopens the
	// conversation; a message later than this is a new matter.
	ReopenWindow = 24 * time.Hour
)

// Facts is what one conversation contributes to a Report. Stores fill it for conversations
// created in a time range, from all of their messages, transitions and ratings (also those
// after the range). A zero time means "never".
type Facts struct {
	ID        string
	Channel   string
	CreatedAt time.Time

	// CustomerMessages counts the customer's messages; FirstCustomerAt is the first one.
	CustomerMessages int
	FirstCustomerAt  time.Time
	// FirstReplyAt is the first bot or agent message at or after FirstCustomerAt (system notices
	// do not count).
	FirstReplyAt time.Time
	// FirstAgentAt is the first message an agent wrote.
	FirstAgentAt time.Time
	// BotAnswers counts the bot's messages with decision "answer".
	BotAnswers int
	// Reopened: some customer message came at least ResolvedAfter and at most ReopenWindow after
	// a bot answer, with no bot or agent message (or other customer message) in between, i.e.
	// the message just before it, system notices aside, was that bot answer.
	Reopened bool

	// HandoffAt is the first transition to waiting (the bot, or the customer through it, handed
	// the conversation to people); HandoffReason is that transition's reason, which is also the
	// reason on the bot's handoff message.
	HandoffAt     time.Time
	HandoffReason string
	// AcceptedAt is the first transition to human: a person took the conversation.
	AcceptedAt time.Time
	// ReleasedAt is the first transition from human to bot or closed at or after AcceptedAt:
	// the person was done. Transfers between people and teams in between are handling time.
	ReleasedAt time.Time
	// Intents counts the bot's messages by the intent they answered.
	Intents map[string]int
	// ClosedAt is the first transition to closed.
	ClosedAt time.Time
	// DroppedOff: the first wait (from HandoffAt) ended without a person accepting — the
	// conversation went back to the bot or was closed first.
	DroppedOff bool
	// Waiting: the first wait has not ended yet (still in the queue): neither served nor dropped.
	Waiting bool

	// Rating is the latest score the customer gave (1–5), 0 if none.
	Rating int
}

// HandedOff reports whether the conversation was ever handed to people.
func (f Facts) HandedOff() bool { return !f.HandoffAt.IsZero() }

// Contained reports whether the bot resolved the conversation on its own: the customer wrote,
// the bot answered at least once, the conversation was never handed off or taken by a person,
// and it was not reopened.
func (f Facts) Contained() bool {
	return f.CustomerMessages > 0 && f.BotAnswers > 0 && f.HandoffAt.IsZero() && f.AcceptedAt.IsZero() && !f.Reopened
}

// ApplyTransitions sets the facts that come from ownership changes (handoff, accept, release,
// close, drop-off) from a conversation's transitions in the order they happened.
func (f *Facts) ApplyTransitions(ts []chat.Transition) {
	waitOpen := false // inside the first wait
	for _, t := range ts {
		if waitOpen && t.From == chat.OwnerWaiting {
			waitOpen = false
			f.DroppedOff = t.To != chat.OwnerHuman
		}
		switch t.To {
		case chat.OwnerWaiting:
			if f.HandoffAt.IsZero() {
				f.HandoffAt, f.HandoffReason = t.At, t.Reason
				waitOpen = true // until a person accepts, or the wait ends otherwise
			}
		case chat.OwnerHuman:
			if f.AcceptedAt.IsZero() {
				f.AcceptedAt = t.At
			}
		case chat.OwnerBot, chat.OwnerClosed:
			if t.From == chat.OwnerHuman && !f.AcceptedAt.IsZero() && f.ReleasedAt.IsZero() {
				f.ReleasedAt = t.At
			}
			if t.To == chat.OwnerClosed && f.ClosedAt.IsZero() {
				f.ClosedAt = t.At
			}
		}
	}
	f.Waiting = waitOpen
}

// CountIntent records n bot messages that answered intent.
func (f *Facts) CountIntent(intent string, n int) {
	if f.Intents == nil {
		f.Intents = map[string]int{}
	}
	f.Intents[intent] += n
}
