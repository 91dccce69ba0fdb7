package trainer

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"tandem/chat"
	"tandem/evals"
	"tandem/sqlite"
	"tandem/sqlite/sqlitetest"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// rig is a trainer console over a migrated SQLite store.
func rig(t *testing.T) (*Console, *sqlite.Store) {
	t.Helper()
	st := sqlitetest.Open(t)
	return &Console{Store: st, Now: func() time.Time { return t0.Add(48 * time.Hour) }}, st
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// conversation stores a conversation whose messages have the given authors and texts, and
// returns the stored messages.
func conversation(t *testing.T, st *sqlite.Store, id string, lines ...string) []chat.Message {
	t.Helper()
	ctx := context.Background()
	cu, err := st.UpsertCustomer(ctx, chat.Customer{ID: "cu-" + id, Channel: "api", ExternalID: "ext-" + id, Name: "Ann", CreatedAt: t0})
	must(t, err)
	must(t, st.CreateConversation(ctx, chat.Conversation{ID: id, CustomerID: cu.ID, Channel: "api", Owner: chat.OwnerBot, CreatedAt: t0, UpdatedAt: t0}))
	var out []chat.Message
	for i := 0; i < len(lines); i += 2 {
		m, err := st.AddMessage(ctx, chat.Message{ConversationID: id, Author: chat.Author(lines[i]), Text: lines[i+1], CreatedAt: t0.Add(time.Duration(i) * time.Second)}, false)
		must(t, err)
		out = append(out, m)
	}
	return out
}

// review stores a review candidate about a message and returns its id.
func review(t *testing.T, st *sqlite.Store, it chat.ReviewItem) int64 {
	t.Helper()
	ctx := context.Background()
	_, err := st.AddReview(ctx, it, fmt.Sprint(it.Reason, ":", it.ConversationID, ":", it.MessageID))
	must(t, err)
	items, err := st.Reviews(ctx, chat.ReviewFilter{})
	must(t, err)
	for _, r := range items {
		if r.ConversationID == it.ConversationID && r.MessageID == it.MessageID && r.Reason == it.Reason {
			return r.ID
		}
	}
	t.Fatalf("review %+v not stored", it)
	return 0
}

// TestAccept: candidates become cases with the conversation before them as context and the
// expected decision their labels or their kind imply; they are marked accepted.
func TestAccept(t *testing.T) {
	ctx := context.Background()
	tc, st := rig(t)
	var lines []string
	for i := range 4 {
		lines = append(lines, "customer", fmt.Sprint("question ", i), "bot", fmt.Sprint("answer ", i))
	}
	lines = append(lines, "system", "handed to a person", "customer", "I want a refund", "agent", "Refunds take 5 days.")
	msgs := conversation(t, st, "c1", lines...)
	asked := msgs[len(msgs)-2]
	base := chat.ReviewItem{ConversationID: "c1", MessageID: asked.ID, Channel: "web", Text: asked.Text, CreatedAt: t0}
	requested, lowConf, edited := base, base, base
	requested.Reason, requested.HandoffReason = chat.ReviewHandoff, "customer_request"
	lowConf.Reason, lowConf.HandoffReason, lowConf.MessageID = chat.ReviewHandoff, "low_confidence", msgs[0].ID
	edited.Reason = chat.ReviewEdited
	ids := []int64{review(t, st, requested), review(t, st, lowConf), review(t, st, edited)}
	must(t, st.SetReviewAnswer(ctx, "c1", "Refunds take 5 days."))

	n, err := tc.Accept(ctx, "reviews", []Label{{ReviewID: ids[0]}, {ReviewID: ids[1]}, {ReviewID: ids[2], ExpectedSources: []string{"refunds"}}})
	if err != nil || n != 3 {
		t.Fatalf("Accept = %d, %v", n, err)
	}
	cases, err := evals.LoadCases(ctx, st, "reviews")
	must(t, err)
	byID := map[string]evals.Case{}
	for _, c := range cases {
		byID[c.ID] = c
	}
	req := byID[fmt.Sprint("review-", ids[0])]
	if req.ExpectedDecision != string(chat.DecisionHandoff) || req.ExpectedAnswer != "" || req.Source != "review:handoff" {
		t.Errorf("requested handoff = %+v, want a handoff expected", req)
	}
	if len(req.Context) != contextTurns || req.Context[0].Text != "question 1" || req.Context[contextTurns-1].Text != "answer 3" {
		t.Errorf("context = %+v, want the last %d customer and bot turns, no system message", req.Context, contextTurns)
	}
	if c := byID[fmt.Sprint("review-", ids[1])]; c.ExpectedDecision != string(chat.DecisionAnswer) || c.ExpectedAnswer != "Refunds take 5 days." || len(c.Context) != 0 {
		t.Errorf("low-confidence handoff = %+v, want the agent's answer expected and no context before the first message", c)
	}
	if c := byID[fmt.Sprint("review-", ids[2])]; c.ExpectedDecision != string(chat.DecisionAnswer) || c.Tags[1] != chat.ConversationTag("c1") {
		t.Errorf("labelled edit = %+v", c)
	}
	open, err := st.Reviews(ctx, chat.ReviewFilter{Status: chat.ReviewOpen})
	must(t, err)
	if len(open) != 0 {
		t.Errorf("%d candidates still open after accepting all", len(open))
	}

	var e *chat.Error
	if _, err := tc.Accept(ctx, "bad name", []Label{{ReviewID: ids[0]}}); !errors.As(err, &e) || e.Code != chat.EINVALID {
		t.Errorf("a bad set name: %v", err)
	}
	if _, err := tc.Accept(ctx, "reviews", []Label{{ReviewID: ids[0], ExpectedDecision: "clarify"}}); !errors.As(err, &e) || e.Code != chat.EINVALID {
		t.Errorf("a bad expected decision: %v", err)
	}
}

func TestLabelledWithNothingToAnswer(t *testing.T) {
	c, err := labelled(chat.ReviewItem{ID: 7, Reason: chat.ReviewEdited, Text: "hm"}, Label{}, nil)
	if err != nil || c.ExpectedDecision != string(chat.DecisionHandoff) || c.ID != "review-7" {
		t.Fatalf("labelled = %+v, %v; want a handoff expected when nothing answers it", c, err)
	}
}

// TestGaps: handoffs the knowledge base could not answer cluster into gaps; requested ones do
// not count, and an article written for a gap is found by its id.
func TestGaps(t *testing.T) {
	ctx := context.Background()
	tc, st := rig(t)
	msgs := conversation(t, st, "c1", "customer", "how do I change my beneficiary", "customer", "change the beneficiary on my policy", "customer", "talk to a person")
	for i, m := range msgs {
		reason := "low_confidence"
		if i == 2 {
			reason = "customer_request"
		}
		review(t, st, chat.ReviewItem{Reason: chat.ReviewHandoff, HandoffReason: reason, ConversationID: "c1", MessageID: m.ID, Channel: "web", Text: m.Text,
			CreatedAt: t0.Add(time.Duration(i) * time.Hour)})
	}
	r, err := tc.Gaps(ctx, t0, t0.Add(24*time.Hour))
	must(t, err)
	if len(r.Gaps) != 1 || r.Gaps[0].Size != 2 {
		t.Fatalf("gaps = %+v, want one of two handoffs", r.Gaps)
	}
	g := r.Gaps[0]
	_, err = st.PutDocument(ctx, chat.Document{ID: g.ArticleID, Title: "Beneficiaries", Body: "…", Hash: "1", UpdatedAt: t0.Add(time.Hour)}, nil)
	must(t, err)
	r, err = tc.Gaps(ctx, t0, t0.Add(24*time.Hour))
	must(t, err)
	if r.Gaps[0].ArticleAt == nil || r.Gaps[0].Before != 1 || r.Gaps[0].After != 1 {
		t.Errorf("with its article: %+v", r.Gaps[0])
	}
}
