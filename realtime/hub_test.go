package realtime

import (
	"testing"

	"tandem/chat"
)

func TestHubDeliversToConversation(t *testing.T) {
	h := NewHub()
	a, b := h.Subscribe("a"), h.Subscribe("b")
	h.Deliver(chat.Event{Type: "message", ConversationID: "a"})
	if ev := <-a.C; ev.ConversationID != "a" {
		t.Fatalf("a got %+v", ev)
	}
	select {
	case ev := <-b.C:
		t.Fatalf("b got another conversation's event %+v", ev)
	default:
	}
	h.Deliver(chat.Event{Type: "sync"})
	if ev := <-b.C; ev.Type != "sync" {
		t.Fatalf("b got %+v, want sync to all", ev)
	}
}

func TestHubDropsSlowSubscriber(t *testing.T) {
	h := NewHub()
	s := h.Subscribe("a")
	for range subscriberBuffer + 1 {
		h.Deliver(chat.Event{Type: "message", ConversationID: "a"})
	}
	n := 0
	for range s.C {
		n++
	}
	if n != subscriberBuffer || h.Count() != 0 {
		t.Fatalf("slow subscriber got %d events and count %d; want %d and dropped", n, h.Count(), subscriberBuffer)
	}
	h.Unsubscribe(s) // second close must not panic
}
