package conversation_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tandem/chat"
	"tandem/conversation"
	"tandem/sqlite"
	"tandem/sqlite/sqlitetest"
)

// scriptedBot answers with a fixed reply.
type scriptedBot struct{ reply chat.Reply }

func (b scriptedBot) Turn(context.Context, chat.Conversation, []chat.Message, string, func(string)) (chat.Reply, error) {
	return b.reply, nil
}

// recorder collects published events.
type recorder struct {
	mu     sync.Mutex
	events []chat.Event
	calls  int
}

func (r *recorder) Publish(_ context.Context, evs ...chat.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, evs...)
	r.calls++
	return nil
}

func newService(t *testing.T, reply chat.Reply, outbound bool) (*conversation.Service, *sqlite.Store, *recorder) {
	t.Helper()
	st := sqlitetest.Open(t)
	rec := &recorder{}
	svc := &conversation.Service{Store: st, Bot: scriptedBot{reply}, Bus: rec, Metrics: conversation.NewMetrics(prometheus.NewRegistry()),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now, Outbound: map[string]bool{"telegram": outbound}}
	return svc, st, rec
}

func TestReceiveAnswersAndPublishes(t *testing.T) {
	ctx := context.Background()
	svc, _, rec := newService(t, chat.Reply{Text: "hello", Decision: chat.DecisionAnswer, Confidence: 0.9}, false)
	conv, err := svc.Start(ctx, chat.Customer{Channel: "api", ExternalID: "c1"}, "en")
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "api", Text: " hi "})
	if err != nil {
		t.Fatal(err)
	}
	if res.Message.Text != "hi" || len(res.Replies) != 1 || res.Replies[0].Text != "hello" || *res.Replies[0].Confidence != 0.9 {
		t.Fatalf("result = %+v", res)
	}
	if len(rec.events) != 2 || rec.events[0].Message.Author != chat.AuthorCustomer || rec.events[1].Message.Author != chat.AuthorBot || rec.calls != 1 {
		t.Fatalf("published %+v in %d calls, want customer then bot message in one", rec.events, rec.calls)
	}
}

// replyRecorder is a recorder that stores bot replies with their events, as postgres.Bus does.
type replyRecorder struct {
	recorder
	st      conversation.Store
	replies [][]chat.Event
}

func (r *replyRecorder) PublishReply(ctx context.Context, m chat.Message, deliver bool, evs []chat.Event) (chat.Message, bool, error) {
	m, stored, err := r.st.AddReply(ctx, m, deliver)
	if stored {
		r.mu.Lock()
		defer r.mu.Unlock()
		evs[len(evs)-1].Message.ID = m.ID
		r.replies = append(r.replies, evs)
	}
	return m, stored, err
}

func TestReplyPublishedWithItsEvents(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := newService(t, chat.Reply{Text: "no answer", Decision: chat.DecisionHandoff, Reason: "low_confidence"}, false)
	rec := &replyRecorder{st: st}
	svc.Bus = rec
	conv, _ := svc.Start(ctx, chat.Customer{Channel: "api", ExternalID: "c1"}, "en")
	res, err := svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "api", Text: "hi"})
	if err != nil || len(res.Replies) != 1 {
		t.Fatalf("receive = %+v %v, want one reply", res, err)
	}
	if len(rec.replies) != 1 || len(rec.replies[0]) != 2 || rec.replies[0][0].Message.ID != res.Message.ID ||
		rec.replies[0][1].Message.ID != res.Replies[0].ID {
		t.Fatalf("published with the reply %+v, want the customer's message and the reply", rec.replies)
	}
	// The handoff that follows the reply goes out in the call's one publish after it.
	if len(rec.events) != 2 || rec.events[0].Type != "owner" || rec.events[1].Type != chat.EventQueue || rec.calls != 1 {
		t.Fatalf("published after the reply %+v in %d calls, want owner and queue in one", rec.events, rec.calls)
	}
}

func TestHandoffSilencesBot(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := newService(t, chat.Reply{Text: "a person will help", Decision: chat.DecisionHandoff, Reason: "customer_request"}, false)
	conv, _ := svc.Start(ctx, chat.Customer{Channel: "api", ExternalID: "c1"}, "en")
	if _, err := svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "api", Text: "human"}); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Conversation(ctx, conv.ID)
	if got.Owner != chat.OwnerWaiting {
		t.Fatalf("owner = %s, want waiting", got.Owner)
	}
	res, err := svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "api", Text: "hello?"})
	if err != nil || len(res.Replies) != 0 {
		t.Fatalf("bot replied while waiting: %+v %v", res.Replies, err)
	}
	tr, _ := st.Transitions(ctx, conv.ID)
	if len(tr) != 1 || tr[0].Actor != "bot" || tr[0].Reason != "customer_request" {
		t.Fatalf("transitions = %+v", tr)
	}
	if _, err := svc.Handoff(ctx, conv.ID, "api", ""); chat.ErrorCode(err) != chat.ECONFLICT {
		t.Fatalf("second handoff err = %v, want conflict", err)
	}
}

func TestReceiveIsIdempotent(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := newService(t, chat.Reply{Text: "ok", Decision: chat.DecisionAnswer}, false)
	conv, _ := svc.Start(ctx, chat.Customer{Channel: "telegram", ExternalID: "42"}, "")
	in := conversation.Inbound{ConversationID: conv.ID, Channel: "telegram", ExternalID: "update-1", Text: "hi"}
	first, _ := svc.Receive(ctx, in)
	again, err := svc.Receive(ctx, in)
	if err != nil || !again.Duplicate || again.Message.ID != first.Message.ID || len(again.Replies) != 0 {
		t.Fatalf("redelivery = %+v %v, want duplicate with no replies", again, err)
	}
	msgs, _ := st.Messages(ctx, conv.ID, 0, 10)
	if len(msgs) != 2 {
		t.Fatalf("stored %d messages, want 2 (one question, one answer)", len(msgs))
	}
}

// flakySender fails its first n sends.
type flakySender struct {
	mu    sync.Mutex
	fails int
	sent  []string
}

func (f *flakySender) Send(_ context.Context, _ chat.Conversation, m chat.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		return errors.New("platform down")
	}
	f.sent = append(f.sent, m.Text)
	return nil
}

func TestOutboxRetriesUntilDelivered(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := newService(t, chat.Reply{Text: "answer", Decision: chat.DecisionAnswer}, true)
	conv, _ := svc.Start(ctx, chat.Customer{Channel: "telegram", ExternalID: "42"}, "")
	if _, err := svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "telegram", Text: "q"}); err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	sender := &flakySender{fails: 2}
	ob := &conversation.Outbox{Store: st, Senders: conversation.Senders{"telegram": sender}, Metrics: svc.Metrics,
		Log: svc.Log, Now: func() time.Time { return clock }}
	for i := range 3 {
		if n := ob.Drain(ctx); n != 1 {
			t.Fatalf("attempt %d claimed %d items", i+1, n)
		}
		if ob.Drain(ctx) != 0 {
			t.Fatal("item retried before its backoff")
		}
		clock = clock.Add(conversation.Backoff(i + 1))
	}
	if len(sender.sent) != 1 || sender.sent[0] != "answer" {
		t.Fatalf("sent = %v, want the answer once", sender.sent)
	}
	if n, _ := st.PendingOutbox(ctx); n != 0 {
		t.Fatalf("pending = %d after delivery", n)
	}
}

func TestBackoff(t *testing.T) {
	for _, tt := range []struct {
		attempts int
		want     time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {5, 16 * time.Second}, {30, 10 * time.Minute}} {
		if got := conversation.Backoff(tt.attempts); got != tt.want {
			t.Errorf("Backoff(%d) = %s, want %s", tt.attempts, got, tt.want)
		}
	}
}

type closedSender struct{}

func (closedSender) Send(context.Context, chat.Conversation, chat.Message) error {
	return fmt.Errorf("outside the 24-hour window: %w", chat.ErrUndeliverable)
}

// TestOutboxSetsAsideUndeliverable: a send that can never succeed is not retried, and the
// conversation gets a note for agents instead of a silent drop.
func TestOutboxSetsAsideUndeliverable(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := newService(t, chat.Reply{Text: "answer", Decision: chat.DecisionAnswer}, true)
	conv, _ := svc.Start(ctx, chat.Customer{Channel: "telegram", ExternalID: "43"}, "")
	if _, err := svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "telegram", Text: "q"}); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Conversation(ctx, conv.ID)
	if got.LastCustomerAt.IsZero() {
		t.Fatal("LastCustomerAt not set after a customer message")
	}
	clock := time.Now()
	ob := &conversation.Outbox{Store: st, Senders: conversation.Senders{"telegram": closedSender{}}, Metrics: svc.Metrics,
		Log: svc.Log, Now: func() time.Time { return clock }}
	if n := ob.Drain(ctx); n != 1 {
		t.Fatalf("claimed %d", n)
	}
	clock = clock.Add(time.Hour)
	if n := ob.Drain(ctx); n != 0 {
		t.Fatal("an undeliverable item was retried")
	}
	if n, _ := st.PendingOutbox(ctx); n != 0 {
		t.Fatalf("pending = %d", n)
	}
	msgs, _ := st.Messages(ctx, conv.ID, 0, 10)
	last := msgs[len(msgs)-1]
	if last.Author != chat.AuthorSystem || !strings.Contains(last.Text, "Not delivered on telegram") {
		t.Fatalf("last message %+v, want a system note", last)
	}
}

// pacedSender asks to be tried again in 7 s the first time.
type pacedSender struct{ calls int }

func (p *pacedSender) Send(context.Context, chat.Conversation, chat.Message) error {
	p.calls++
	if p.calls == 1 {
		return &chat.RetryAfter{Wait: 7 * time.Second, Err: errors.New("pair rate limit")}
	}
	return nil
}

// TestOutboxHonoursRetryAfter: a paced send is retried exactly when the platform said.
func TestOutboxHonoursRetryAfter(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := newService(t, chat.Reply{Text: "answer", Decision: chat.DecisionAnswer}, true)
	conv, _ := svc.Start(ctx, chat.Customer{Channel: "telegram", ExternalID: "44"}, "")
	svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "telegram", Text: "q"})
	clock := time.Now()
	sender := &pacedSender{}
	ob := &conversation.Outbox{Store: st, Senders: conversation.Senders{"telegram": sender}, Metrics: svc.Metrics,
		Log: svc.Log, Now: func() time.Time { return clock }}
	ob.Drain(ctx)
	clock = clock.Add(6 * time.Second)
	if ob.Drain(ctx) != 0 {
		t.Fatal("retried before the platform's wait")
	}
	clock = clock.Add(2 * time.Second)
	if ob.Drain(ctx) != 1 || sender.calls != 2 {
		t.Fatalf("not retried after the wait (calls %d)", sender.calls)
	}
	if n, _ := st.PendingOutbox(ctx); n != 0 {
		t.Fatalf("pending = %d", n)
	}
}

// TestOutboxHoldsBotRepliesForPassiveAnswers: a channel's Hold keeps a fresh bot reply back for
// the webhook to answer with, then the outbox sends it; other messages are not held.
func TestOutboxHoldsBotRepliesForPassiveAnswers(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := newService(t, chat.Reply{Text: "answer", Decision: chat.DecisionAnswer}, true)
	conv, _ := svc.Start(ctx, chat.Customer{Channel: "telegram", ExternalID: "45"}, "")
	svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "telegram", Text: "q"})
	clock := time.Now()
	sender := &flakySender{}
	ob := &conversation.Outbox{Store: st, Senders: conversation.Senders{"telegram": sender}, Metrics: svc.Metrics,
		Log: svc.Log, Now: func() time.Time { return clock }, Hold: map[string]time.Duration{"telegram": 10 * time.Second}}
	ob.Drain(ctx)
	if len(sender.sent) != 0 {
		t.Fatal("a bot reply went out during its hold")
	}
	clock = clock.Add(11 * time.Second)
	ob.Drain(ctx)
	if len(sender.sent) != 1 {
		t.Fatalf("sent %v after the hold, want the answer", sender.sent)
	}
}

// TestOutboxQuota: past a channel's quota per customer message, a reply is set aside with a note
// instead of being sent for the platform to refuse.
func TestOutboxQuota(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := newService(t, chat.Reply{Text: "answer", Decision: chat.DecisionAnswer}, true)
	conv, _ := svc.Start(ctx, chat.Customer{Channel: "telegram", ExternalID: "46"}, "")
	svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "telegram", Text: "q"})
	for i := range 2 {
		st.AddMessage(ctx, chat.Message{ConversationID: conv.ID, Author: chat.AuthorAgent, Text: fmt.Sprint("follow-up ", i), Channel: "telegram",
			CreatedAt: time.Now().UTC()}, true)
	}
	time.Sleep(time.Millisecond)
	clock := time.Now()
	sender := &flakySender{}
	ob := &conversation.Outbox{Store: st, Senders: conversation.Senders{"telegram": sender}, Metrics: svc.Metrics,
		Log: svc.Log, Now: func() time.Time { return clock }, Quota: map[string]int{"telegram": 2}}
	for ob.Drain(ctx) > 0 {
	}
	if len(sender.sent) != 2 {
		t.Fatalf("sent %v, want the first 2 (the quota)", sender.sent)
	}
	if n, _ := st.PendingOutbox(ctx); n != 0 {
		t.Fatalf("pending = %d, want the third set aside", n)
	}
	msgs, _ := st.Messages(ctx, conv.ID, 0, 20)
	if last := msgs[len(msgs)-1]; last.Author != chat.AuthorSystem || !strings.Contains(last.Text, "allows 2 messages") {
		t.Fatalf("last message %+v, want a note for the agent", last)
	}
	// A new customer message opens a new allowance.
	time.Sleep(time.Millisecond)
	svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "telegram", Text: "again"})
	time.Sleep(time.Millisecond)
	clock = time.Now()
	for ob.Drain(ctx) > 0 {
	}
	if len(sender.sent) != 3 {
		t.Fatalf("sent %v after the customer wrote again, want one more", sender.sent)
	}
}

// TestFollowPlatformOwnership: ownership changes made on the platform move Tandem's owner
// without a word to the customer; a Tandem agent's conversation stays theirs when the platform
// only says it is open for people; a closed conversation reopens for people.
func TestFollowPlatformOwnership(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := newService(t, chat.Reply{Text: "ok"}, true)
	conv, _ := svc.StartThread(ctx, chat.Customer{Channel: "telegram", ExternalID: "c1"}, "7/41", "en")
	step := func(to chat.Owner, assignee string, want chat.Owner, wantAssignee string) {
		t.Helper()
		got, err := svc.Follow(ctx, conv.ID, to, assignee, "platform_test")
		if err != nil || got.Owner != want || got.Assignee != wantAssignee {
			t.Fatalf("follow %s %q: %s %q %v, want %s %q", to, assignee, got.Owner, got.Assignee, err, want, wantAssignee)
		}
	}
	step(chat.OwnerHuman, "chatwoot:12", chat.OwnerHuman, "chatwoot:12")
	step(chat.OwnerWaiting, "", chat.OwnerHuman, "chatwoot:12") // open, unassigned: the holder keeps it
	step(chat.OwnerHuman, "chatwoot:13", chat.OwnerHuman, "chatwoot:13")
	step(chat.OwnerClosed, "", chat.OwnerClosed, "")
	step(chat.OwnerWaiting, "", chat.OwnerWaiting, "")
	step(chat.OwnerBot, "", chat.OwnerBot, "")
	msgs, _ := st.Messages(ctx, conv.ID, 0, 10)
	if len(msgs) != 0 {
		t.Fatalf("following the platform sent %d messages to the customer", len(msgs))
	}
	// A message the bot cannot read goes to a person, and the customer is told in their language.
	res, err := svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "telegram", ExternalID: "m1",
		Text: "[image https://example.com/a.jpg]", ForPerson: "attachment", Lang: "zh"})
	got, _ := st.Conversation(ctx, conv.ID)
	if err != nil || len(res.Replies) != 1 || !strings.Contains(res.Replies[0].Text, "已收到") || got.Owner != chat.OwnerWaiting {
		t.Fatalf("attachment: %+v %v, owner %s", res.Replies, err, got.Owner)
	}
}
