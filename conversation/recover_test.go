package conversation_test

import (
	"context"
	"testing"
	"time"

	"tandem/chat"
	"tandem/conversation"
)

// TestRecoverAnswersStrandedMessages: a customer message stored just before a crash (no bot reply
// after it) is answered once by the recovery loop, after a grace period, and its redelivery
// stays a duplicate; answered and person-owned conversations are left alone.
func TestRecoverAnswersStrandedMessages(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := newService(t, chat.Reply{Text: "here is how", Decision: chat.DecisionAnswer, Confidence: 0.9}, true)
	now := time.Now()
	svc.Now = func() time.Time { return now }
	stranded, _ := svc.Start(ctx, chat.Customer{Channel: "telegram", ExternalID: "1"}, "en")
	answered, _ := svc.Start(ctx, chat.Customer{Channel: "telegram", ExternalID: "2"}, "en")
	waiting, _ := svc.Start(ctx, chat.Customer{Channel: "telegram", ExternalID: "3"}, "en")
	// The crash: stored, never answered.
	in, _, err := st.AddInbound(ctx, chat.Message{ConversationID: stranded.ID, Author: chat.AuthorCustomer, Text: "how do I claim?",
		Channel: "telegram", ExternalID: "u-1", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Receive(ctx, conversation.Inbound{ConversationID: answered.ID, Channel: "telegram", ExternalID: "u-2", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Handoff(ctx, waiting.ID, "customer", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.AddInbound(ctx, chat.Message{ConversationID: waiting.ID, Author: chat.AuthorCustomer, Text: "hello?", Channel: "telegram", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("recover at once = %d, %v; want nothing within the grace period", n, err)
	}
	now = now.Add(30 * time.Second)
	if n, err := svc.Recover(ctx); err != nil || n != 1 {
		t.Fatalf("recover = %d, %v; want the stranded message answered", n, err)
	}
	msgs, _ := st.Messages(ctx, stranded.ID, in.ID, 10)
	if len(msgs) != 1 || msgs[0].Author != chat.AuthorBot || msgs[0].Text != "here is how" {
		t.Fatalf("after recovery: %+v", msgs)
	}
	if n, _ := svc.Recover(ctx); n != 0 {
		t.Fatalf("a second recovery answered %d more", n)
	}
	res, err := svc.Receive(ctx, conversation.Inbound{ConversationID: stranded.ID, Channel: "telegram", ExternalID: "u-1", Text: "how do I claim?"})
	if err != nil || !res.Duplicate {
		t.Fatalf("redelivery = %+v, %v; want a duplicate", res, err)
	}
}
