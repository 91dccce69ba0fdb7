package chat

import (
	"encoding/json"
	"time"
)

// CustomerExport is everything Tandem keeps about one customer, for a data-access request: the
// customer and each of their conversations with what hangs off it. EraseCustomer removes exactly
// these rows.
type CustomerExport struct {
	Customer      Customer             `json:"customer"`
	Conversations []ConversationExport `json:"conversations"`
	// EvalCases are eval cases a trainer cut from the customer's conversations (tagged with
	// ConversationTag).
	EvalCases []CustomerEvalCase `json:"eval_cases"`
	// Complaints are the customer's complaint cases with their timelines, Consents their consent
	// ledger and FollowUps their follow-ups, each in the JSON of the package that defines it
	// (complaint.Case and complaint.Step, followup.Consent, followup.FollowUp): chat imports
	// none of ours.
	Complaints []CustomerComplaint `json:"complaints"`
	Consents   []json.RawMessage   `json:"consents"`
	FollowUps  []json.RawMessage   `json:"followups"`
}

// CustomerComplaint is one of a customer's complaint cases and its steps.
type CustomerComplaint struct {
	Case  json.RawMessage   `json:"case"`
	Steps []json.RawMessage `json:"steps"`
}

// ConversationExport is one conversation of a customer and every record of it.
type ConversationExport struct {
	Conversation Conversation `json:"conversation"`
	Messages     []Message    `json:"messages"`
	Transitions  []Transition `json:"transitions"`
	Deliveries   []Delivery   `json:"deliveries"`
	Drafts       []Draft      `json:"drafts"`
	Notes        []Note       `json:"notes"`
	Ratings      []Rating     `json:"ratings"`
	Feedback     []Feedback   `json:"feedback"`
	ReviewItems  []ReviewItem `json:"review_items"`
}

// Delivery is the outbox record of a message sent to the customer's channel.
type Delivery struct {
	MessageID   int64      `json:"message_id"`
	Channel     string     `json:"channel"`
	Attempts    int        `json:"attempts"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	DeadAt      *time.Time `json:"dead_at,omitempty"` // set aside: the platform could never take it
	LastError   string     `json:"last_error,omitempty"`
}

// Feedback is a customer's thumbs up or down on a bot message.
type Feedback struct {
	MessageID      int64     `json:"message_id"`
	ConversationID string    `json:"conversation_id"`
	Helpful        bool      `json:"helpful"`
	CreatedAt      time.Time `json:"created_at"`
}

// CustomerEvalCase is an eval case cut from a customer's conversation, in its set.
type CustomerEvalCase struct {
	Set  string          `json:"set"`
	ID   string          `json:"id"`
	Body json.RawMessage `json:"body"`
}

// ConversationTag is the tag an eval case cut from a conversation carries, so the case can be
// found (and erased) with the conversation's customer.
func ConversationTag(conversationID string) string { return "conversation:" + conversationID }

// EraseReport says what erasing a customer removed: rows deleted per table.
type EraseReport struct {
	CustomerID string           `json:"customer_id"`
	ErasedAt   time.Time        `json:"erased_at"`
	Rows       map[string]int64 `json:"rows"`
}

// Total is the number of rows deleted in all tables.
func (r EraseReport) Total() int64 {
	var n int64
	for _, v := range r.Rows {
		n += v
	}
	return n
}

// Rows counts the export's rows per table, named as in EraseReport: what erasing the customer
// deletes, eval results aside.
func (x CustomerExport) Rows() map[string]int64 {
	n := map[string]int64{"customers": 1, "conversations": int64(len(x.Conversations)), "eval_cases": int64(len(x.EvalCases)),
		"complaint_cases": int64(len(x.Complaints)), "consents": int64(len(x.Consents)), "followups": int64(len(x.FollowUps))}
	for _, c := range x.Complaints {
		var linked struct {
			Conversations []string `json:"conversations"`
		}
		json.Unmarshal(c.Case, &linked)
		n["complaint_steps"] += int64(len(c.Steps))
		n["complaint_conversations"] += int64(len(linked.Conversations))
	}
	for _, c := range x.Conversations {
		for table, rows := range map[string]int{"messages": len(c.Messages), "transitions": len(c.Transitions), "outbox": len(c.Deliveries),
			"drafts": len(c.Drafts), "notes": len(c.Notes), "ratings": len(c.Ratings), "feedback": len(c.Feedback), "review_items": len(c.ReviewItems)} {
			n[table] += int64(rows)
		}
	}
	return n
}
