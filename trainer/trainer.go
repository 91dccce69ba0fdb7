// Package trainer is the trainer console's work on the eval loop: turning review candidates into
// eval cases, the handoffs that point at missing articles, how each intent fares in a set's
// latest run, and what a change to the intents would do before it is saved.
package trainer

import (
	"context"
	"strconv"
	"time"

	"tandem/chat"
	"tandem/evals"
)

// contextTurns is how many earlier turns a case from a review candidate keeps.
const contextTurns = 6

// maxContextMessages bounds the conversation read for a case's context.
const maxContextMessages = 500

// Store is what the trainer console reads and writes.
type Store interface {
	evals.Store
	Messages(ctx context.Context, conversationID string, afterID int64, limit int) ([]chat.Message, error)
	Documents(ctx context.Context) ([]chat.Document, error)
	Intents(ctx context.Context) ([]chat.Intent, error)
}

// Console does the trainer console's work over a store.
type Console struct {
	Store Store
	Now   func() time.Time
}

func (t *Console) now() time.Time {
	if t.Now == nil {
		return time.Now().UTC()
	}
	return t.Now().UTC()
}

// Label is a trainer's label for a review candidate: empty fields keep what was captured.
type Label struct {
	ReviewID         int64    `json:"review_id"`
	ExpectedIntent   string   `json:"expected_intent"`
	ExpectedDecision string   `json:"expected_decision"`
	ExpectedAnswer   string   `json:"expected_answer"`
	ExpectedSources  []string `json:"expected_sources"`
}

// Accept turns review candidates into cases of an eval set with the trainer's labels, marks
// them accepted and returns how many cases the set holds.
func (t *Console) Accept(ctx context.Context, set string, labels []Label) (int, error) {
	if evals.ValidSetName(set) != nil {
		return 0, chat.Errorf(chat.EINVALID, "set names an eval set: 1–100 characters, no spaces or slashes")
	}
	cases := make([]evals.Case, 0, len(labels))
	ids := make([]int64, 0, len(labels))
	for _, l := range labels {
		it, err := t.Store.Review(ctx, l.ReviewID)
		if err != nil {
			return 0, err
		}
		c, err := labelled(it, l, t.caseContext(ctx, it))
		if err != nil {
			return 0, err
		}
		cases = append(cases, c)
		ids = append(ids, it.ID)
	}
	n, err := evals.PutCases(ctx, t.Store, set, cases, false, t.now())
	if err != nil {
		return 0, err
	}
	if _, err := t.Store.SetReviewStatus(ctx, ids, chat.ReviewAccepted); err != nil {
		return 0, err
	}
	return n, nil
}

// labelled is the case a review candidate becomes. By default a handoff the customer asked for
// (or an intent's policy made) expects a handoff; another handoff or an edit with the agent's
// answer expects that answer; a candidate with nothing to answer with expects a handoff.
func labelled(it chat.ReviewItem, l Label, turns []evals.Turn) (evals.Case, error) {
	c := evals.Case{ID: "review-" + strconv.FormatInt(it.ID, 10), Text: it.Text, Context: turns, Source: "review:" + it.Reason,
		ExpectedIntent: l.ExpectedIntent, ExpectedDecision: l.ExpectedDecision, ExpectedAnswer: l.ExpectedAnswer, ExpectedSources: l.ExpectedSources,
		Tags: []string{"channel:" + it.Channel, chat.ConversationTag(it.ConversationID)}}
	if c.ExpectedDecision == "" && evals.PolicyHandoff(it.HandoffReason) {
		c.ExpectedDecision = string(chat.DecisionHandoff) // the customer asked for a person, or policy says so
	}
	if c.ExpectedAnswer == "" && c.ExpectedDecision != string(chat.DecisionHandoff) {
		c.ExpectedAnswer = it.Answer
	}
	if c.ExpectedDecision == "" {
		c.ExpectedDecision = string(chat.DecisionAnswer)
		if c.ExpectedAnswer == "" && c.ExpectedIntent == "" && len(c.ExpectedSources) == 0 {
			c.ExpectedDecision = string(chat.DecisionHandoff) // nothing to answer with: a person was right
		}
	}
	if c.ExpectedDecision != string(chat.DecisionAnswer) && c.ExpectedDecision != string(chat.DecisionHandoff) {
		return c, chat.Errorf(chat.EINVALID, "expected_decision is answer or handoff")
	}
	return c, nil
}

// caseContext is the conversation before the candidate's message, its last contextTurns turns
// by the customer, the bot and agents: the turns a replay needs.
func (t *Console) caseContext(ctx context.Context, it chat.ReviewItem) []evals.Turn {
	msgs, err := t.Store.Messages(ctx, it.ConversationID, 0, maxContextMessages)
	if err != nil {
		return nil
	}
	var turns []evals.Turn
	for _, m := range msgs {
		if m.ID >= it.MessageID {
			break
		}
		if m.Author == chat.AuthorCustomer || m.Author == chat.AuthorBot || m.Author == chat.AuthorAgent {
			turns = append(turns, evals.Turn{Author: string(m.Author), Text: m.Text})
		}
	}
	return turns[max(0, len(turns)-contextTurns):]
}
