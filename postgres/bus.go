package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"tandem/chat"
	"tandem/conversation"
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
	store   *Store
	deliver func(chat.Event)
	log     *slog.Logger
}

var _ conversation.ReplyPublisher = (*Bus)(nil)

// NewBus returns a bus on s's database that hands every notification to deliver.
func NewBus(s *Store, deliver func(chat.Event), log *slog.Logger) *Bus {
	return &Bus{pool: s.pool, store: s, deliver: deliver, log: log}
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

// PublishReply stores the bot reply m as Store.AddReply does and, when it is stored, notifies
// every replica of evs in the same statement, so the reply and its events take one commit; the
// last of evs is m's own event, which gets the stored id. Should the server refuse the
// notification (its queue is full), the reply is stored alone and published after, as Publish
// would.
func (b *Bus) PublishReply(ctx context.Context, m chat.Message, deliver bool, evs []chat.Event) (chat.Message, bool, error) {
	n, err := newReplyNotice(evs)
	if err != nil {
		return m, false, err
	}
	out, stored, err := b.store.addReplyNotify(ctx, m, deliver, n)
	if pgCode(err) != programLimitExceeded {
		return out, stored, err
	}
	b.log.Warn("publish with the reply failed; publishing after it", "conversation_id", m.ConversationID, "err", err)
	if out, stored, err = b.store.AddReply(ctx, m, deliver); err != nil || !stored {
		return out, stored, err
	}
	if err := b.Publish(context.WithoutCancel(ctx), withReplyID(evs, out.ID)...); err != nil {
		b.log.Warn("publish failed", "conversation_id", m.ConversationID, "err", err)
	}
	return out, true, nil
}

// programLimitExceeded is the SQLSTATE of a NOTIFY the server's queue has no room for.
const programLimitExceeded = "54000"

// replyNotice is a NOTIFY payload around a reply's id, which only the insert knows: prefix, the
// id, suffix; whole (a sync per conversation) when that is longer than maxNotifyPayload.
type replyNotice struct{ prefix, suffix, whole string }

// replyIDField opens the reply's message in its encoded event, up to its id (encoded as 0).
var replyIDField = []byte(`"message":{"id":0`)

// newReplyNotice encodes evs as Publish does, split where the last event's message id goes: the
// events before it and it are encoded apart and joined as json.Marshal joins a slice's elements.
func newReplyNotice(evs []chat.Event) (replyNotice, error) {
	if len(evs) == 0 || evs[len(evs)-1].Message == nil {
		return replyNotice{}, fmt.Errorf("publish reply: the last event is not the reply's")
	}
	evs = withReplyID(evs, 0)
	before, err := json.Marshal(evs[:len(evs)-1])
	if err != nil {
		return replyNotice{}, err
	}
	last, err := json.Marshal(evs[len(evs)-1])
	if err != nil {
		return replyNotice{}, err
	}
	// The first "message":{"id": is the field (a quote inside the conversation id would be escaped).
	at := bytes.Index(last, replyIDField)
	if at < 0 {
		return replyNotice{}, fmt.Errorf("publish reply: no message id in %s", last)
	}
	at += len(replyIDField) - 1
	prefix := bytes.TrimSuffix(before, []byte("]"))
	if len(evs) > 1 {
		prefix = append(prefix, ',')
	}
	sync, err := json.Marshal(syncEvents(evs))
	if err != nil {
		return replyNotice{}, err
	}
	return replyNotice{prefix: string(prefix) + string(last[:at]), suffix: string(last[at+1:]) + "]", whole: string(sync)}, nil
}

// withReplyID is evs with a copy of the last event's message that has id.
func withReplyID(evs []chat.Event, id int64) []chat.Event {
	out := slices.Clone(evs)
	m := *out[len(out)-1].Message
	m.ID = id
	out[len(out)-1].Message = &m
	return out
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
