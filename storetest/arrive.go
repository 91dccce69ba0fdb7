package storetest

import (
	"context"
	"testing"
	"time"

	"tandem/chat"
)

// testArrive: Arrive stores a customer message with its conversation as it was before and the
// recent history in one call, returns a repeat's stored message, and writes nothing in a closed
// conversation or, with sameChannel, in another channel's.
func testArrive(t *testing.T, s Store) {
	ctx := context.Background()
	newConversation(t, s, "a")
	bot, err := s.AddMessage(ctx, chat.Message{ConversationID: "a", Author: chat.AuthorBot, Text: "Hello", Channel: "api", CreatedAt: t0.Add(time.Second)}, false)
	must(t, err)
	in := chat.Message{ConversationID: "a", Author: chat.AuthorCustomer, Text: "hi", Channel: "api", ExternalID: "x1", CreatedAt: t0.Add(time.Minute)}
	a, err := s.Arrive(ctx, in, 2, true)
	must(t, err)
	if !a.Stored || !a.Created || a.Message.ID == 0 || a.Message.Text != "hi" || a.Conversation.ID != "a" || a.Conversation.Owner != chat.OwnerBot {
		t.Fatalf("arrival = %+v", a)
	}
	if !a.Conversation.UpdatedAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("conversation updated_at = %s, want it as it was before the message (%s)", a.Conversation.UpdatedAt, t0.Add(time.Second))
	}
	if len(a.History) != 2 || a.History[0].ID != bot.ID || a.History[1].ID != a.Message.ID || a.History[1].ExternalID != "x1" {
		t.Fatalf("history = %+v", a.History)
	}
	if conv, _ := s.Conversation(ctx, "a"); !conv.UpdatedAt.Equal(in.CreatedAt) || !conv.LastCustomerAt.Equal(in.CreatedAt) {
		t.Fatalf("conversation after = %+v, want updated at %s", conv, in.CreatedAt)
	}

	again, err := s.Arrive(ctx, in, 2, true)
	must(t, err)
	if !again.Stored || again.Created || again.Message.ID != a.Message.ID || again.History != nil {
		t.Fatalf("repeat = %+v, want the stored message %d", again, a.Message.ID)
	}

	must(t, s.SetOwner(ctx, chat.Transition{ConversationID: "a", From: chat.OwnerBot, To: chat.OwnerClosed, Actor: "bot", At: t0.Add(2 * time.Minute)}))
	in.ExternalID, in.Text = "x2", "back again"
	closed, err := s.Arrive(ctx, in, 2, false)
	must(t, err)
	if closed.Stored || closed.Created || closed.Message.ID != 0 || closed.Conversation.Owner != chat.OwnerClosed {
		t.Fatalf("closed = %+v", closed)
	}
	if msgs, _ := s.Recent(ctx, "a", 10); len(msgs) != 2 {
		t.Fatalf("a closed conversation got a message: %+v", msgs)
	}
	_, err = s.Arrive(ctx, chat.Message{ConversationID: "nope", Author: chat.AuthorCustomer, Text: "hi", Channel: "api", CreatedAt: t0}, 2, false)
	mustCode(t, err, chat.ENOTFOUND)
	newConversation(t, s, "b")
	_, err = s.Arrive(ctx, chat.Message{ConversationID: "b", Author: chat.AuthorCustomer, Text: "hi", Channel: "web", CreatedAt: t0}, 2, true)
	mustCode(t, err, chat.ENOTFOUND)
	if msgs, _ := s.Recent(ctx, "b", 10); len(msgs) != 0 {
		t.Fatalf("a message went into another channel's conversation: %+v", msgs)
	}
}

// testAddReply: a bot reply and its outbox item are stored while the bot owns the conversation,
// and nothing once a person has it.
func testAddReply(t *testing.T, s Store) {
	ctx := context.Background()
	newConversation(t, s, "r")
	m, stored, err := s.AddReply(ctx, chat.Message{ConversationID: "r", Author: chat.AuthorBot, Text: "answer", Channel: "api", CreatedAt: t0}, true)
	must(t, err)
	if !stored || m.ID == 0 {
		t.Fatalf("reply = %+v stored=%v", m, stored)
	}
	if n, err := s.PendingOutbox(ctx); err != nil || n != 1 {
		t.Fatalf("outbox = %d %v, want 1", n, err)
	}
	must(t, s.SetOwner(ctx, chat.Transition{ConversationID: "r", From: chat.OwnerBot, To: chat.OwnerWaiting, Actor: "customer", At: t0.Add(time.Minute)}))
	m, stored, err = s.AddReply(ctx, chat.Message{ConversationID: "r", Author: chat.AuthorBot, Text: "late", Channel: "api", CreatedAt: t0.Add(2 * time.Minute)}, true)
	must(t, err)
	if stored || m.ID != 0 {
		t.Fatalf("a reply was stored in a waiting conversation: %+v", m)
	}
	if msgs, _ := s.Recent(ctx, "r", 10); len(msgs) != 1 {
		t.Fatalf("messages = %+v", msgs)
	}
	if n, _ := s.PendingOutbox(ctx); n != 1 {
		t.Fatalf("outbox = %d, want 1", n)
	}
}
