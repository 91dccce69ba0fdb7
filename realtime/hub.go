// Package realtime fans conversation events out to WebSocket subscribers on this replica, fed by
// a Bus that spans replicas.
package realtime

import (
	"context"
	"encoding/json"
	"sync"

	"tandem/chat"
)

// subscriberBuffer is how many events a slow subscriber may lag before it is dropped; a dropped
// subscriber reconnects and catches up from the store.
const subscriberBuffer = 64

// Subscription receives the events of one conversation. C is closed when the hub drops it.
type Subscription struct {
	C              <-chan chat.Event
	c              chan chat.Event
	conversationID string
	keep           func(chat.Event) bool // nil: every event
	once           sync.Once
}

// Hub holds this replica's subscribers. Deliver never blocks.
type Hub struct {
	mu   sync.Mutex
	subs map[string]map[*Subscription]bool
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[string]map[*Subscription]bool{}} }

// Subscribe registers a subscriber for a conversation's events.
func (h *Hub) Subscribe(conversationID string) *Subscription {
	return h.SubscribeFunc(conversationID, subscriberBuffer, nil)
}

// SubscribeFunc registers a subscriber (conversationID or All) with its own buffer that receives
// only the events keep accepts.
func (h *Hub) SubscribeFunc(conversationID string, buffer int, keep func(chat.Event) bool) *Subscription {
	c := make(chan chat.Event, buffer)
	s := &Subscription{C: c, c: c, conversationID: conversationID, keep: keep}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[conversationID] == nil {
		h.subs[conversationID] = map[*Subscription]bool{}
	}
	h.subs[conversationID][s] = true
	return s
}

// Unsubscribe removes s and closes its channel; safe to call more than once.
func (h *Hub) Unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.remove(s)
}

func (h *Hub) remove(s *Subscription) {
	if m := h.subs[s.conversationID]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(h.subs, s.conversationID)
		}
	}
	s.once.Do(func() { close(s.c) })
}

// All is the subscription key of subscribers to every conversation (agent consoles).
const All = "*"

// Deliver hands ev to the conversation's subscribers and to those of All (to everyone, when
// ConversationID is empty). A subscriber whose buffer is full is dropped rather than blocking
// the sender.
func (h *Hub) Deliver(ev chat.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ev.ConversationID == "" {
		for _, m := range h.subs {
			h.send(m, &ev)
		}
		return
	}
	h.send(h.subs[ev.ConversationID], &ev)
	if ev.ConversationID != All {
		h.send(h.subs[All], &ev)
	}
}

// send hands ev to the subscribers in m that keep it, encoding it once for all of them, and only
// when some subscriber takes it.
func (h *Hub) send(m map[*Subscription]bool, ev *chat.Event) {
	for s := range m {
		if s.keep != nil && !s.keep(*ev) {
			continue
		}
		if ev.JSON == nil {
			ev.JSON, _ = json.Marshal(*ev)
		}
		select {
		case s.c <- *ev:
		default:
			h.remove(s)
		}
	}
}

// CloseAll drops every subscriber, e.g. at shutdown, so sockets close.
func (h *Hub) CloseAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range h.subs {
		for s := range m {
			h.remove(s)
		}
	}
}

// Count returns the number of subscribers.
func (h *Hub) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, m := range h.subs {
		n += len(m)
	}
	return n
}

// Local is the in-process Bus for a single replica (the SQLite store).
type Local struct{ Hub *Hub }

// Publish delivers the events to this replica's subscribers, in order.
func (l Local) Publish(_ context.Context, evs ...chat.Event) error {
	for _, ev := range evs {
		l.Hub.Deliver(ev)
	}
	return nil
}

// Run does nothing until ctx ends; it exists so every Bus runs the same way.
func (l Local) Run(ctx context.Context) error {
	<-ctx.Done()
	return nil
}
