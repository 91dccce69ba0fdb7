package conversation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"tandem/chat"
)

// Outbox delivery settings.
const (
	outboxBatch     = 32
	outboxPoll      = 250 * time.Millisecond
	outboxLease     = 30 * time.Second // a claimed item is retried after this if its worker died
	outboxBaseDelay = time.Second
	outboxMaxDelay  = 10 * time.Minute
)

// Sender delivers a message to the customer on one channel. Its errors say what the outbox does:
// chat.ErrUndeliverable (a permanent error in the platform's table) sets the message aside at
// once with a note for an agent, *chat.RetryAfter retries after the wait the platform asked for,
// and any other error retries with backoff.
type Sender interface {
	Send(ctx context.Context, conv chat.Conversation, m chat.Message) error
}

// RefSender is a Sender that also returns the platform's ids of what it sent (WhatsApp's
// wamids), so a failure the platform reports later (Service.Undelivered) finds the message.
type RefSender interface {
	SendRef(ctx context.Context, conv chat.Conversation, m chat.Message) (refs []string, err error)
}

// SenderSet finds the sender of a channel; channels can be enabled and disabled at run time.
type SenderSet interface {
	Sender(channel string) (Sender, bool)
}

// Senders is a fixed SenderSet.
type Senders map[string]Sender

// Sender implements SenderSet.
func (m Senders) Sender(channel string) (Sender, bool) {
	s, ok := m[channel]
	return s, ok
}

// Outbox delivers queued messages with retries and exponential backoff.
type Outbox struct {
	Store   Store
	Senders SenderSet
	Metrics *Metrics
	Log     *slog.Logger
	Now     func() time.Time
	// Hold delays the first delivery of replies a webhook may answer with (passiveCandidate) per
	// channel, so a channel that can answer inside its webhook's response (WeChat's passive
	// reply) claims the reply first.
	Hold map[string]time.Duration
	// Quota is how many messages a channel's send API takes per customer message (WeChat's
	// customer-service messages: 5 within the 48-hour window); a reply over it is set aside with a
	// note for an agent instead of being refused by the platform.
	Quota map[string]int
}

// errHeld is a delivery waiting out its channel's Hold.
var errHeld = errors.New("held for a passive reply")

// Run delivers until ctx is cancelled.
func (o *Outbox) Run(ctx context.Context) error {
	t := time.NewTicker(outboxPoll)
	defer t.Stop()
	for {
		for o.Drain(ctx) > 0 {
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Drain makes one pass over due items and returns how many it claimed.
func (o *Outbox) Drain(ctx context.Context) int {
	items, err := o.Store.ClaimOutbox(ctx, o.Now(), outboxBatch, outboxLease)
	if err != nil {
		if ctx.Err() == nil {
			o.Log.Error("outbox claim failed", "err", err)
		}
		return 0
	}
	for _, it := range items {
		o.deliver(ctx, it)
	}
	return len(items)
}

func (o *Outbox) deliver(ctx context.Context, it chat.OutboxItem) {
	refs, err := o.send(ctx, it)
	if err == nil {
		o.Metrics.OutboxSent.Inc()
		if err := o.Store.MarkDelivered(ctx, it.ID, o.Now(), refs...); err != nil {
			o.Log.Error("outbox mark delivered failed", "outbox_id", it.ID, "err", err)
		}
		return
	}
	var later *chat.RetryAfter
	if errors.Is(err, errHeld) && errors.As(err, &later) {
		if err := o.Store.MarkFailed(ctx, it.ID, o.Now().Add(later.Wait), ""); err != nil {
			o.Log.Error("outbox hold failed", "outbox_id", it.ID, "err", err)
		}
		return
	}
	o.Metrics.OutboxFailed.Inc()
	if errors.Is(err, chat.ErrUndeliverable) {
		o.setAside(ctx, it, err)
		return
	}
	next := o.Now().Add(Backoff(it.Attempts))
	if errors.As(err, &later) {
		next = o.Now().Add(later.Wait) // paced: the platform said when
	}
	o.Log.Warn("outbox delivery failed", "outbox_id", it.ID, "channel", it.Channel, "attempts", it.Attempts, "err", err)
	if err := o.Store.MarkFailed(ctx, it.ID, next, err.Error()); err != nil {
		o.Log.Error("outbox mark failed failed", "outbox_id", it.ID, "err", err)
	}
}

// setAside stops retrying an item the platform can never take, and leaves a system note in the
// conversation so an agent sees the customer did not get it: never a silent drop.
func (o *Outbox) setAside(ctx context.Context, it chat.OutboxItem, cause error) {
	o.Log.Warn("outbox item undeliverable; set aside", "outbox_id", it.ID, "channel", it.Channel, "err", cause)
	if err := o.Store.MarkDead(ctx, it.ID, o.Now(), cause.Error()); err != nil {
		o.Log.Error("outbox mark dead failed", "outbox_id", it.ID, "err", err)
		return
	}
	undeliveredNote(ctx, o.Store, o.Log, it, o.Now(), cause.Error())
}

// undeliveredNote leaves the system note of a message the customer did not get.
func undeliveredNote(ctx context.Context, st Store, log *slog.Logger, it chat.OutboxItem, now time.Time, cause string) {
	m, err := st.Message(ctx, it.MessageID)
	if err != nil {
		return
	}
	note := chat.Message{ConversationID: m.ConversationID, Author: chat.AuthorSystem, Channel: it.Channel, CreatedAt: now,
		Text: fmt.Sprintf("Not delivered on %s: %s. Reach the customer another way.", it.Channel, cause)}
	if _, err := st.AddMessage(ctx, note, false); err != nil {
		log.Error("outbox note failed", "outbox_id", it.ID, "err", err)
	}
}

// Undelivered records a failure the platform reported after it accepted a send (WhatsApp's
// "failed" status): the message is set aside with a note, as if the send had failed for good.
// A ref Tandem never sent, or one already set aside, is ignored.
func (s *Service) Undelivered(ctx context.Context, channel, ref, reason string) error {
	it, ok, err := s.Store.FailDelivered(ctx, channel, ref, s.Now().UTC(), reason)
	if err != nil || !ok {
		return err
	}
	s.Log.Warn("platform reported a delivered message failed; set aside", "outbox_id", it.ID, "channel", channel, "err", reason)
	s.Metrics.OutboxFailed.Inc()
	undeliveredNote(ctx, s.Store, s.Log, it, s.Now().UTC(), reason)
	return nil
}

func (o *Outbox) send(ctx context.Context, it chat.OutboxItem) ([]string, error) {
	s, ok := o.Senders.Sender(it.Channel)
	if !ok {
		return nil, chat.Errorf(chat.EUNAVAILABLE, "no sender for channel %q", it.Channel)
	}
	m, err := o.Store.Message(ctx, it.MessageID)
	if err != nil {
		return nil, err
	}
	if due := m.CreatedAt.Add(o.Hold[it.Channel]); passiveCandidate(m) && o.Now().Before(due) {
		return nil, &chat.RetryAfter{Wait: due.Sub(o.Now()), Err: errHeld}
	}
	conv, err := o.Store.Conversation(ctx, m.ConversationID)
	if err != nil {
		return nil, err
	}
	if q := o.Quota[it.Channel]; q > 0 && !conv.LastCustomerAt.IsZero() {
		n, err := o.Store.DeliveredSince(ctx, conv.ID, it.Channel, conv.LastCustomerAt)
		if err != nil {
			return nil, err
		}
		if n >= q {
			return nil, fmt.Errorf("%s allows %d messages per customer message and %d went out since the customer last wrote: %w",
				it.Channel, q, n, chat.ErrUndeliverable)
		}
	}
	m.Text = chat.PlainText(m.Text) // messaging platforms get lists as "• " and "1. " lines
	if rs, ok := s.(RefSender); ok {
		return rs.SendRef(ctx, conv, m)
	}
	return nil, s.Send(ctx, conv, m)
}

// passiveCandidate reports whether a webhook may answer m in its own response: a bot reply, or
// the handoff notice of a message the bot cannot read.
func passiveCandidate(m chat.Message) bool {
	return m.Author == chat.AuthorBot || (m.Author == chat.AuthorSystem && m.Decision == chat.DecisionHandoff)
}

// Backoff is the wait before attempt n+1: exponential from one second, capped at ten minutes.
func Backoff(attempts int) time.Duration {
	d := outboxBaseDelay
	for i := 1; i < attempts && d < outboxMaxDelay; i++ {
		d *= 2
	}
	return min(d, outboxMaxDelay)
}
