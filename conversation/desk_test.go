package conversation_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"tandem/chat"
	"tandem/conversation"
	"tandem/handoff"
	"tandem/sqlite"
)

// deskBot hands off when asked for a person, and answers everything else.
type deskBot struct{}

func (deskBot) Turn(_ context.Context, _ chat.Conversation, _ []chat.Message, text string, stream func(string)) (chat.Reply, error) {
	switch {
	case strings.Contains(text, "human"):
		return chat.Reply{Text: "A person will take over.", Decision: chat.DecisionHandoff, Reason: "customer_request"}, nil
	case strings.Contains(text, "complaint"):
		return chat.Reply{Text: "Sorry, passing you on.", Decision: chat.DecisionHandoff, Reason: "intent_policy", Priority: "high", Team: "complaints"}, nil
	}
	stream("Claims are")
	return chat.Reply{Text: "Claims are paid in 5 days.", Decision: chat.DecisionAnswer, Confidence: 0.9,
		Sources: []chat.Source{{ID: "claims", Title: "Claims", URL: "/kb/claims"}}}, nil
}

// clock is a controlled clock for the desk.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newDesk(t *testing.T, start time.Time) (*conversation.Service, *sqlite.Store, *recorder, *clock) {
	t.Helper()
	svc, st, rec := newService(t, chat.Reply{}, false)
	clk := &clock{t: start}
	svc.Bot, svc.Now = deskBot{}, clk.Now
	return svc, st, rec, clk
}

func addAgent(t *testing.T, svc *conversation.Service, st *sqlite.Store, name string, capacity int) {
	t.Helper()
	ctx := context.Background()
	if err := st.PutAgent(ctx, chat.Agent{Username: name, Capacity: capacity, SeenAt: svc.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetPresence(ctx, name, chat.PresenceOnline); err != nil {
		t.Fatal(err)
	}
}

// waiting starts a conversation and has the customer say text (a handoff request).
func waiting(t *testing.T, svc *conversation.Service, id string, tier, text string) chat.Conversation {
	t.Helper()
	ctx := context.Background()
	conv, err := svc.Start(ctx, chat.Customer{Channel: "api", ExternalID: id, Name: id, Attrs: map[string]string{"tier": tier}}, "en")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "api", Text: text}); err != nil {
		t.Fatal(err)
	}
	got, _ := svc.Store.Conversation(ctx, conv.ID)
	if got.Owner != chat.OwnerWaiting {
		t.Fatalf("%s: owner %s, want waiting", id, got.Owner)
	}
	return got
}

var monday10 = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

// TestRoutingServesVIPAndComplaintsFirst: automatic routing gives a VIP's and a complaint's
// conversations to the agent before earlier normal ones.
func TestRoutingServesVIPAndComplaintsFirst(t *testing.T) {
	ctx := context.Background()
	svc, st, _, clk := newDesk(t, monday10)
	svc.Routing.Auto = true
	normal1 := waiting(t, svc, "normal1", "", "I want a human")
	clk.Add(time.Second)
	normal2 := waiting(t, svc, "normal2", "", "human please")
	clk.Add(time.Second)
	vip := waiting(t, svc, "vip", "vip", "I want a human")
	clk.Add(time.Second)
	complaint := waiting(t, svc, "complaint", "", "I have a complaint")
	if vip.Priority != "high" || complaint.Priority != "high" || normal1.Priority != "" {
		t.Fatalf("priorities: vip %q complaint %q normal %q", vip.Priority, complaint.Priority, normal1.Priority)
	}
	addAgent(t, svc, st, "amy", 1)
	var order []string
	for range 4 {
		if err := svc.DeskStep(ctx); err != nil {
			t.Fatal(err)
		}
		mine, err := st.Assigned(ctx, "amy")
		if err != nil || len(mine) != 1 {
			t.Fatalf("amy holds %d conversations (%v), want 1 (capacity)", len(mine), err)
		}
		order = append(order, mine[0].ID)
		if _, err := svc.Close(ctx, "amy", mine[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{vip.ID, complaint.ID, normal1.ID, normal2.ID}
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Fatalf("served %v, want vip, complaint, normal1, normal2 %v", order, want)
	}
}

// TestRoutingRespectsCapacity: automatic routing never gives an agent more than their capacity
// and spreads the load.
func TestRoutingRespectsCapacity(t *testing.T) {
	ctx := context.Background()
	svc, st, _, clk := newDesk(t, monday10)
	svc.Routing.Auto = true
	for i := range 10 {
		waiting(t, svc, fmt.Sprintf("c%d", i), "", "human")
		clk.Add(time.Second)
	}
	addAgent(t, svc, st, "amy", 2)
	addAgent(t, svc, st, "bob", 3)
	for range 3 {
		if err := svc.DeskStep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	agents, _ := st.Agents(ctx)
	for _, a := range agents {
		if a.Load != a.Capacity {
			t.Fatalf("%s holds %d, want %d (full, not over)", a.Username, a.Load, a.Capacity)
		}
	}
	q, _ := st.Queue(ctx, 100)
	if len(q) != 5 {
		t.Fatalf("queue has %d, want 5 left", len(q))
	}
	// Picking from the queue by hand is held to capacity too.
	_, err := svc.Accept(ctx, "amy", q[0].ID)
	if chat.ErrorCode(err) != chat.ECONFLICT || !strings.Contains(err.Error(), "capacity") {
		t.Fatalf("accept over capacity = %v, want a capacity conflict", err)
	}
}

// TestOfflineAgentReturnsConversations: going offline, or going quiet past the presence
// timeout, returns the agent's conversations to the queue.
func TestOfflineAgentReturnsConversations(t *testing.T) {
	ctx := context.Background()
	svc, st, _, clk := newDesk(t, monday10)
	a := waiting(t, svc, "a", "", "human")
	b := waiting(t, svc, "b", "vip", "human")
	addAgent(t, svc, st, "amy", 5)
	for _, c := range []chat.Conversation{a, b} {
		if _, err := svc.Accept(ctx, "amy", c.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.SetPresence(ctx, "amy", chat.PresenceOffline); err != nil {
		t.Fatal(err)
	}
	q, _ := st.Queue(ctx, 10)
	if len(q) != 2 || q[0].Assignee != "" || q[0].Reason != "agent_offline" {
		t.Fatalf("queue after offline = %+v", q)
	}
	got, _ := st.Conversation(ctx, b.ID)
	if got.Priority != "high" {
		t.Fatalf("requeued VIP lost its priority: %q", got.Priority)
	}
	// A console that goes quiet counts as offline.
	addAgent(t, svc, st, "bob", 5)
	if _, err := svc.Accept(ctx, "bob", a.ID); err != nil {
		t.Fatal(err)
	}
	clk.Add(handoff.PresenceTimeout + time.Second)
	if err := svc.DeskStep(ctx); err != nil {
		t.Fatal(err)
	}
	bob, _ := st.Agent(ctx, "bob")
	got, _ = st.Conversation(ctx, a.ID)
	if bob.Status != chat.PresenceOffline || got.Owner != chat.OwnerWaiting {
		t.Fatalf("quiet agent: status %s, conversation %s; want offline and waiting", bob.Status, got.Owner)
	}
}

// TestAfterHours: out of hours a handoff tells the customer when people are back, takes their
// message and queues the conversation for the next shift, with the SLA counted from the opening.
func TestAfterHours(t *testing.T) {
	ctx := context.Background()
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	saturdayNight := time.Date(2026, 12, 5, 22, 0, 0, 0, shanghai)
	svc, st, _, _ := newDesk(t, saturdayNight)
	hours, err := handoff.ParseSchedule([]byte(`{"": {"tz": "Asia/Shanghai", "week": {
		"mon": [{"open": "09:00", "close": "18:00"}], "tue": [{"open": "09:00", "close": "18:00"}],
		"wed": [{"open": "09:00", "close": "18:00"}], "thu": [{"open": "09:00", "close": "18:00"}],
		"fri": [{"open": "09:00", "close": "18:00"}]}, "holidays": ["2026-12-07"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	svc.Routing.Hours = func() handoff.Schedule { return hours }
	conv := waiting(t, svc, "night", "", "I want a human")
	msgs, _ := st.Messages(ctx, conv.ID, 0, 10)
	told := msgs[len(msgs)-1]
	// Monday 7 December is a holiday: people are back on Tuesday.
	if told.Author != chat.AuthorBot || !strings.Contains(told.Text, "Tuesday 09:00 (Asia/Shanghai)") || !strings.Contains(told.Text, "email or phone") {
		t.Fatalf("customer was told %q, want the opening time and a request for contact details", told.Text)
	}
	res, err := svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "api", Text: "ann@example.com: my claim 123 is stuck"})
	if err != nil || len(res.Replies) != 0 {
		t.Fatalf("message after hours: %+v %v", res, err)
	}
	svc.WaitDrafts()
	msgs, _ = st.Messages(ctx, conv.ID, 0, 10)
	last := msgs[len(msgs)-1]
	if last.Author != chat.AuthorSystem || last.Text != chat.Notice(chat.NoticeTaken, "en") {
		t.Fatalf("last message = %+v, want the message-taken notice", last)
	}
	if msgs[len(msgs)-2].Text != "ann@example.com: my claim 123 is stuck" {
		t.Fatalf("the customer's message was not stored: %+v", msgs)
	}
	q, _ := st.Queue(ctx, 10)
	tuesday := time.Date(2026, 12, 8, 9, 0, 0, 0, shanghai)
	if len(q) != 1 || q[0].ID != conv.ID || !q[0].FirstResponseDue.Equal(tuesday.Add(5*time.Minute)) {
		t.Fatalf("queue = %+v; want the conversation due Tuesday 09:05 Shanghai", q)
	}
	// A second message is stored without another notice.
	svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "api", Text: "also my phone is 138 0000 0000"})
	svc.WaitDrafts()
	again, _ := st.Messages(ctx, conv.ID, 0, 20)
	if len(again) != len(msgs)+1 {
		t.Fatalf("second message added %d messages, want 1", len(again)-len(msgs))
	}
}

// TestCoauthoring: while a person owns the conversation the bot only drafts; the agent's reply
// is stored with the draft, the final text and the edit distance.
func TestCoauthoring(t *testing.T) {
	ctx := context.Background()
	svc, st, rec, _ := newDesk(t, monday10)
	conv := waiting(t, svc, "ann", "", "human")
	addAgent(t, svc, st, "amy", 5)
	if _, err := svc.Accept(ctx, "amy", conv.ID); err != nil {
		t.Fatal(err)
	}
	svc.WaitDrafts()
	if _, err := svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "api", Text: "how long do claims take?"}); err != nil {
		t.Fatal(err)
	}
	svc.WaitDrafts()
	d, err := st.LatestDraft(ctx, conv.ID)
	if err != nil || d.Text != "Claims are paid in 5 days." || len(d.Sources) != 1 {
		t.Fatalf("draft = %+v %v", d, err)
	}
	for _, ev := range rec.events {
		if ev.Type == "message" && ev.Message.Author == chat.AuthorBot && strings.Contains(ev.Message.Text, "Claims") {
			t.Fatalf("the bot spoke to the customer while a person owned the conversation: %+v", ev.Message)
		}
		if (ev.Type == chat.EventDraft || ev.Type == chat.EventDraftDelta) && ev.ForCustomer() {
			t.Fatal("draft events must not be for customers")
		}
	}
	m, err := svc.AgentReply(ctx, "amy", conv.ID, "Claims are paid in 3 days.", d.ID)
	if err != nil || m.Author != chat.AuthorAgent {
		t.Fatalf("reply = %+v %v", m, err)
	}
	drafts, _ := st.Drafts(ctx, monday10.Add(-time.Hour), monday10.Add(time.Hour), 10)
	// The accept drafted for the handed-off message ("human", which this bot does not answer: empty,
	// unsure); the reply completed the draft of the question.
	if len(drafts) != 2 || drafts[0].Text != "" || !drafts[0].Unsure || drafts[0].Reason != "customer_request" || drafts[0].SentAt != nil ||
		drafts[1].Final != m.Text || *drafts[1].EditDistance != 1 || drafts[1].Agent != "amy" || drafts[1].SentID != m.ID || drafts[1].Unsure {
		t.Fatalf("stored drafts = %+v", drafts)
	}
	// Back to the bot: it answers again.
	if _, err := svc.ReturnToBot(ctx, "amy", conv.ID); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "api", Text: "and claims?"})
	if err != nil || len(res.Replies) != 1 || res.Replies[0].Author != chat.AuthorBot {
		t.Fatalf("after return: %+v %v", res, err)
	}
}

// TestDeskBadInput: each wrong action is a clear error and changes nothing.
func TestDeskBadInput(t *testing.T) {
	ctx := context.Background()
	svc, st, _, _ := newDesk(t, monday10)
	conv := waiting(t, svc, "ann", "", "human")
	addAgent(t, svc, st, "amy", 5)
	addAgent(t, svc, st, "bob", 5)
	if _, err := svc.Accept(ctx, "amy", conv.ID); err != nil {
		t.Fatal(err)
	}
	before, _ := st.Messages(ctx, conv.ID, 0, 100)
	trBefore, _ := st.Transitions(ctx, conv.ID)
	check := func(name string, err error, code, text string) {
		t.Helper()
		if chat.ErrorCode(err) != code || !strings.Contains(err.Error(), text) {
			t.Errorf("%s: err = %v, want %s mentioning %q", name, err, code, text)
		}
	}
	_, err := svc.Accept(ctx, "bob", conv.ID)
	check("accept a taken conversation", err, chat.ECONFLICT, "already taken by amy")
	_, err = svc.AgentReply(ctx, "bob", conv.ID, "hi", 0)
	check("reply as a non-owner", err, chat.EFORBIDDEN, "belongs to amy")
	_, err = svc.Accept(ctx, "mallory", conv.ID)
	check("accept as a non-agent", err, chat.EFORBIDDEN, "not an agent")
	_, err = svc.Transfer(ctx, "amy", conv.ID, "bob", "billing", "")
	check("transfer to both", err, chat.EINVALID, "one of them")
	_, err = svc.Transfer(ctx, "amy", conv.ID, "nobody", "", "")
	check("transfer to an unknown agent", err, chat.EINVALID, "not an online agent")
	_, err = svc.AddNote(ctx, "amy", conv.ID, "   ")
	check("empty note", err, chat.EINVALID, "note")
	_, err = svc.AgentReply(ctx, "amy", conv.ID, strings.Repeat("x", conversation.MaxMessageRunes+1), 0)
	check("too long", err, chat.EINVALID, "limit")
	_, err = svc.SetPresence(ctx, "amy", "busy")
	check("bad presence", err, chat.EINVALID, "online, away or offline")
	check("rating 0", svc.Rate(ctx, conv.ID, 0, ""), chat.EINVALID, "1 to 5")
	_, err = svc.Back(ctx, conv.ID)
	check("back while with a person", err, chat.ECONFLICT, "not waiting")
	after, _ := st.Messages(ctx, conv.ID, 0, 100)
	trAfter, _ := st.Transitions(ctx, conv.ID)
	if len(after) != len(before) || len(trAfter) != len(trBefore) {
		t.Fatalf("bad input changed the conversation: %d→%d messages, %d→%d transitions", len(before), len(after), len(trBefore), len(trAfter))
	}
	// Acting on a closed conversation.
	if _, err := svc.Close(ctx, "amy", conv.ID); err != nil {
		t.Fatal(err)
	}
	_, err = svc.AgentReply(ctx, "amy", conv.ID, "hello?", 0)
	check("reply on closed", err, chat.ECONFLICT, "closed")
	_, err = svc.ReturnToBot(ctx, "amy", conv.ID)
	check("return closed", err, chat.ECONFLICT, "closed")
	_, err = svc.Accept(ctx, "bob", conv.ID)
	check("accept closed", err, chat.ECONFLICT, "closed")
	if err := svc.Rate(ctx, conv.ID, 5, "quick and kind"); err != nil {
		t.Fatal(err)
	}
	// Teams: an agent who serves billing only may not take a complaint.
	complaint := waiting(t, svc, "angry", "", "I have a complaint")
	if err := st.PutAgent(ctx, chat.Agent{Username: "carl", Capacity: 5, Teams: []string{"billing"}, SeenAt: svc.Now()}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Accept(ctx, "carl", complaint.ID)
	check("accept another team's conversation", err, chat.EFORBIDDEN, "team complaints")
}

// TestCaptureForReview: a handoff (with the agent's eventual answer), an edited draft and a poor
// rating become review candidates, once each.
func TestCaptureForReview(t *testing.T) {
	ctx := context.Background()
	svc, st, _, _ := newDesk(t, monday10)
	conv := waiting(t, svc, "ann", "", "I want a human")
	addAgent(t, svc, st, "amy", 5)
	svc.Accept(ctx, "amy", conv.ID)
	svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "api", Text: "how long do claims take?"})
	svc.WaitDrafts()
	if _, err := svc.AgentReply(ctx, "amy", conv.ID, "Claims are paid in 3 days.", 0); err != nil {
		t.Fatal(err)
	}
	svc.Close(ctx, "amy", conv.ID)
	if err := svc.Rate(ctx, conv.ID, 1, "slow"); err != nil {
		t.Fatal(err)
	}
	svc.Rate(ctx, conv.ID, 1, "slow") // a second identical rating is not a second candidate
	items, err := st.Reviews(ctx, chat.ReviewFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]chat.ReviewItem{}
	for _, it := range items {
		got[it.Reason] = it
	}
	if len(items) != 3 {
		t.Fatalf("captured %d candidates %+v, want handoff, edited and low_rating", len(items), items)
	}
	// The agent answered a later question, not "I want a human": that is no answer to expect for
	// it. The candidate says why the bot handed off.
	if h := got[chat.ReviewHandoff]; h.Text != "I want a human" || h.Answer != "" || h.HandoffReason != "customer_request" {
		t.Errorf("handoff candidate %+v, want the question, no answer and reason customer_request", h)
	}
	if e := got[chat.ReviewEdited]; e.Text != "how long do claims take?" || e.BotAnswer != "Claims are paid in 5 days." || e.Answer != "Claims are paid in 3 days." {
		t.Errorf("edited candidate %+v", e)
	}
	if r := got[chat.ReviewLowRating]; r.Text != "how long do claims take?" || r.Answer != "Claims are paid in 3 days." {
		t.Errorf("low-rating candidate %+v", r)
	}
}

// TestRatingByReply: on any channel, a bare "4" right after the closing request is the rating;
// the conversation stays closed. Anything else reopens it for the bot.
func TestRatingByReply(t *testing.T) {
	ctx := context.Background()
	svc, st, _, _ := newDesk(t, monday10)
	conv := waiting(t, svc, "ann", "", "human")
	addAgent(t, svc, st, "amy", 5)
	svc.Accept(ctx, "amy", conv.ID)
	svc.Close(ctx, "amy", conv.ID)
	res, err := svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "api", Text: "4星"})
	if err != nil || len(res.Replies) != 1 || res.Replies[0].Text != chat.Notice(chat.NoticeThanks, "en") {
		t.Fatalf("rating reply: %+v %v", res, err)
	}
	got, _ := st.Conversation(ctx, conv.ID)
	rs, _ := st.Ratings(ctx, conv.ID)
	if got.Owner != chat.OwnerClosed || len(rs) != 1 || rs[0].Score != 4 {
		t.Fatalf("owner %s, ratings %+v; want closed with a 4", got.Owner, rs)
	}
	// A second "5" is not asked for: it reopens the conversation for the bot.
	svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "api", Text: "5"})
	got, _ = st.Conversation(ctx, conv.ID)
	if got.Owner != chat.OwnerBot {
		t.Fatalf("owner %s after an unasked 5, want bot", got.Owner)
	}
	for text, want := range map[string]int{"5": 5, "3/5": 3, "2 stars": 2, "四分": 4, "五": 5, "6": 0, "45": 0, "I give 5": 0, "": 0} {
		if got := conversation.RatingReply(text); got != want {
			t.Errorf("RatingReply(%q) = %d, want %d", text, got, want)
		}
	}
}

// TestStaleDraftDropped: a draft that finishes after the customer wrote again is not stored: the
// newer message's draft is the one the agent needs.
func TestStaleDraftDropped(t *testing.T) {
	ctx := context.Background()
	svc, st, _, _ := newDesk(t, monday10)
	conv := waiting(t, svc, "ann", "", "human")
	addAgent(t, svc, st, "amy", 5)
	if _, err := svc.Accept(ctx, "amy", conv.ID); err != nil {
		t.Fatal(err)
	}
	svc.WaitDrafts()
	first, err := svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "api", Text: "how long do claims take?"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "api", Text: "and for travel claims?"})
	if err != nil {
		t.Fatal(err)
	}
	svc.WaitDrafts()
	if d, err := svc.Draft(ctx, conv.ID, first.Message); err != nil || d.ID != 0 {
		t.Fatalf("draft for an answered-over message = %+v %v, want none stored", d, err)
	}
	if d, err := st.LatestDraft(ctx, conv.ID); err != nil || d.MessageID != second.Message.ID {
		t.Fatalf("latest draft = %+v %v, want the one for message %d", d, err, second.Message.ID)
	}
}

// TestDraftOnAccept: what a customer writes while waiting is not drafted message by message (no
// agent would read those drafts); the agent who accepts gets one draft, for the latest message.
func TestDraftOnAccept(t *testing.T) {
	ctx := context.Background()
	svc, st, _, _ := newDesk(t, monday10)
	conv := waiting(t, svc, "ann", "", "human")
	addAgent(t, svc, st, "amy", 5)
	var last int64
	for _, text := range []string{"hello?", "how long do claims take?"} {
		res, err := svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "api", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		last = res.Message.ID
	}
	svc.WaitDrafts()
	if d, err := st.LatestDraft(ctx, conv.ID); err == nil {
		t.Fatalf("drafted while waiting: %+v", d)
	}
	if _, err := svc.Accept(ctx, "amy", conv.ID); err != nil {
		t.Fatal(err)
	}
	svc.WaitDrafts()
	drafts, _ := st.Drafts(ctx, monday10.Add(-time.Hour), monday10.Add(time.Hour), 10)
	if len(drafts) != 1 || drafts[0].MessageID != last || drafts[0].Text != "Claims are paid in 5 days." {
		t.Fatalf("drafts after accept = %+v, want one for the latest message", drafts)
	}
}

// TestWaitEstimateFromMeasuredWaits: a waiting customer is promised no made-up wait; once agents
// have taken customers within seconds, the estimate is the floor of a minute, not 5 or 10.
func TestWaitEstimateFromMeasuredWaits(t *testing.T) {
	svc, st, _, clk := newDesk(t, monday10)
	svc.Local = func(chat.Event) {}
	ctx := context.Background()
	addAgent(t, svc, st, "ann", 5)
	first := waiting(t, svc, "c1", "", "human please")
	if err := svc.DeskStep(ctx); err != nil {
		t.Fatal(err)
	}
	if p, w := svc.Position(first.ID); p != 1 || w != 0 {
		t.Fatalf("before any measured wait: position %d, wait %d s; want 1 and no estimate", p, w)
	}
	clk.Add(20 * time.Second)
	if _, err := svc.Accept(ctx, "ann", first.ID); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)                                                        // past the refresh interval
	if _, err := svc.SetPresence(ctx, "ann", chat.PresenceOnline); err != nil { // her heartbeat: she stays online
		t.Fatal(err)
	}
	second := waiting(t, svc, "c2", "", "human please")
	clk.Add(time.Second)
	third := waiting(t, svc, "c3", "", "human please")
	if err := svc.DeskStep(ctx); err != nil {
		t.Fatal(err)
	}
	if p, w := svc.Position(second.ID); p != 1 || w != 60 {
		t.Fatalf("after a 20 s wait: position %d, wait %d s; want 1 and the one-minute floor", p, w)
	}
	if p, w := svc.Position(third.ID); p != 2 || w != 60 {
		t.Fatalf("second in line after a 20 s wait: position %d, wait %d s; want 2 and 60", p, w)
	}
}
