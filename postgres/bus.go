package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"tandem/chat"
)

// Bus settings.
const (
	busChannel = "tandem_events"
	// maxNotifyPayload stays under Postgres's 8000-byte NOTIFY limit; bigger events are sent as
	// "sync" and subscribers catch up from the store.
	maxNotifyPayload = 7000
	busMaxBackoff    = 10 * time.Second
)

// Bus fans events out to every replica through LISTEN/NOTIFY.
type Bus struct {
	pool    *pgxpool.Pool
	deliver func(chat.Event)
	log     *slog.Logger
}

// NewBus returns a bus that hands every notification to deliver.
func NewBus(s *Store, deliver func(chat.Event), log *slog.Logger) *Bus {
	return &Bus{pool: s.pool, deliver: deliver, log: log}
}

// Publish notifies every replica, including this one, of the events in one NOTIFY (a JSON
// array). Too big a batch goes out as one "sync" per conversation instead.
func (b *Bus) Publish(ctx context.Context, evs ...chat.Event) error {
	data, err := json.Marshal(evs)
	if err != nil {
		return err
	}
	if len(data) > maxNotifyPayload {
		data, _ = json.Marshal(syncEvents(evs))
	}
	if _, err := b.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, busChannel, string(data)); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// syncEvents replaces events by one "sync" per conversation they touch.
func syncEvents(evs []chat.Event) []chat.Event {
	var out []chat.Event
	seen := map[string]bool{}
	for _, ev := range evs {
		if !seen[ev.ConversationID] {
			seen[ev.ConversationID] = true
			out = append(out, chat.Event{Type: "sync", ConversationID: ev.ConversationID})
		}
	}
	return out
}

// Run listens until ctx is cancelled, reconnecting with backoff. Each time it starts listening
// (the first time too: sockets may have subscribed while the server started) it delivers a sync
// event to all subscribers, since notifications sent before are lost to this replica.
func (b *Bus) Run(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	for {
		err := b.listen(ctx)
		if ctx.Err() != nil {
			return nil
		}
		b.log.Warn("event bus connection lost", "err", err, "retry_in", backoff.String())
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, busMaxBackoff)
	}
}

func (b *Bus) listen(ctx context.Context) error {
	pooled, err := b.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection carries LISTEN state: take it out of the pool for good.
	conn := pooled.Hijack()
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+busChannel); err != nil {
		return err
	}
	b.deliver(chat.Event{Type: "sync"}) // catch up on whatever was sent before we listened
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var evs []chat.Event
		if err := json.Unmarshal([]byte(n.Payload), &evs); err != nil {
			b.log.Warn("bad event payload", "err", err)
			continue
		}
		for _, ev := range evs {
			b.deliver(ev)
		}
	}
}
