package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"tandem/chat"
)

// queued moves a new bot conversation to the queue at `at` with a priority and SLA due time.
func queued(t *testing.T, s Store, id string, at time.Time, priority string) chat.Conversation {
	t.Helper()
	c := newConversation(t, s, id)
	must(t, s.SetOwner(context.Background(), chat.Transition{ConversationID: id, From: chat.OwnerBot, To: chat.OwnerWaiting,
		Actor: "bot", Reason: "low_confidence", Priority: priority, Team: "billing", Due: at.Add(5 * time.Minute), At: at}))
	return c
}

func testQueue(t *testing.T, s Store) {
	ctx := context.Background()
	queued(t, s, "q2", t0.Add(2*time.Second), "")
	queued(t, s, "q1", t0.Add(time.Second), "high")
	newConversation(t, s, "bot-owned")
	q, err := s.Queue(ctx, 10)
	must(t, err)
	if len(q) != 2 || q[0].ID != "q1" || q[1].ID != "q2" {
		t.Fatalf("queue = %+v, want q1, q2", q)
	}
	c := q[0]
	if c.Reason != "low_confidence" || c.Team != "billing" || c.Priority != "high" || !c.QueuedAt.Equal(t0.Add(time.Second)) ||
		!c.FirstResponseDue.Equal(t0.Add(time.Second+5*time.Minute)) || c.SLABreached {
		t.Fatalf("queued conversation = %+v", c)
	}
	over, err := s.Overdue(ctx, t0.Add(5*time.Minute+1500*time.Millisecond))
	must(t, err)
	if len(over) != 1 || over[0].ID != "q1" {
		t.Fatalf("overdue = %+v, want q1", over)
	}
	ok, err := s.MarkBreached(ctx, "q1", t0.Add(6*time.Minute))
	must(t, err)
	again, _ := s.MarkBreached(ctx, "q1", t0.Add(7*time.Minute))
	if !ok || again {
		t.Fatalf("MarkBreached = %v then %v, want true then false", ok, again)
	}
	// Taking it sets the assignee; a second taker gets a conflict naming the first.
	must(t, s.SetOwner(ctx, chat.Transition{ConversationID: "q1", From: chat.OwnerWaiting, To: chat.OwnerHuman, Actor: "amy", Assignee: "amy", At: t0.Add(time.Minute)}))
	err = s.SetOwner(ctx, chat.Transition{ConversationID: "q1", From: chat.OwnerWaiting, To: chat.OwnerHuman, Actor: "bob", Assignee: "bob", At: t0.Add(time.Minute)})
	mustCode(t, err, chat.ECONFLICT)
	mine, err := s.Assigned(ctx, "amy")
	must(t, err)
	if len(mine) != 1 || mine[0].Assignee != "amy" || !mine[0].SLABreached {
		t.Fatalf("amy's conversations = %+v", mine)
	}
	// A transfer must name the current assignee.
	err = s.SetOwner(ctx, chat.Transition{ConversationID: "q1", From: chat.OwnerHuman, FromAssignee: "bob", To: chat.OwnerHuman, Assignee: "cat", At: t0.Add(2 * time.Minute)})
	mustCode(t, err, chat.ECONFLICT)
	must(t, s.SetOwner(ctx, chat.Transition{ConversationID: "q1", From: chat.OwnerHuman, FromAssignee: "amy", To: chat.OwnerHuman, Assignee: "cat", Actor: "amy", Reason: "transfer", At: t0.Add(2 * time.Minute)}))
	tr, err := s.Transitions(ctx, "q1")
	must(t, err)
	if last := tr[len(tr)-1]; last.Assignee != "cat" || last.Reason != "transfer" {
		t.Fatalf("last transition = %+v", last)
	}
	// Back to the queue clears the assignee and restarts the SLA.
	must(t, s.SetOwner(ctx, chat.Transition{ConversationID: "q1", From: chat.OwnerHuman, To: chat.OwnerWaiting, Actor: "system", Reason: "agent_offline", Priority: "high", At: t0.Add(3 * time.Minute), Due: t0.Add(5 * time.Minute)}))
	c, err = s.Conversation(ctx, "q1")
	must(t, err)
	if c.Assignee != "" || c.SLABreached || c.Reason != "agent_offline" {
		t.Fatalf("requeued = %+v", c)
	}
}

// testPreviews: a list's customers and last messages come in bulk, and a conversation without
// messages has none.
func testPreviews(t *testing.T, s Store) {
	ctx := context.Background()
	a, b := newConversation(t, s, "pv-a"), newConversation(t, s, "pv-b")
	for i, text := range []string{"first", "second"} {
		_, _, err := s.AddInbound(ctx, chat.Message{ConversationID: a.ID, Author: chat.AuthorCustomer, Text: text, Channel: "api", CreatedAt: t0.Add(time.Duration(i) * time.Second)})
		must(t, err)
	}
	p, err := s.Previews(ctx, []chat.Conversation{a, b})
	must(t, err)
	if len(p) != 2 || p["pv-a"].Last == nil || p["pv-a"].Last.Text != "second" || p["pv-a"].Customer.ExternalID != "ext-pv-a" ||
		p["pv-b"].Last != nil || p["pv-b"].Customer.ExternalID != "ext-pv-b" {
		t.Fatalf("previews = %+v", p)
	}
	if p, err := s.Previews(ctx, nil); err != nil || len(p) != 0 {
		t.Fatalf("previews of nothing = %+v, %v", p, err)
	}
}

// testStranded: a bot-owned conversation whose last message is the customer's is stranded, once
// claimed it is not, and answered, queued or out-of-window conversations never are.
func testStranded(t *testing.T, s Store) {
	ctx := context.Background()
	add := func(conv string, author chat.Author, at time.Time) chat.Message {
		t.Helper()
		m := chat.Message{ConversationID: conv, Author: author, Text: "x", Channel: "api", CreatedAt: at}
		var err error
		if author == chat.AuthorCustomer {
			m, _, err = s.AddInbound(ctx, m)
		} else {
			m, err = s.AddMessage(ctx, m, false)
		}
		must(t, err)
		return m
	}
	newConversation(t, s, "st-left")
	newConversation(t, s, "st-answered")
	newConversation(t, s, "st-old")
	queued(t, s, "st-queued", t0, "")
	left := add("st-left", chat.AuthorCustomer, t0.Add(time.Minute))
	add("st-answered", chat.AuthorCustomer, t0.Add(time.Minute))
	add("st-answered", chat.AuthorBot, t0.Add(time.Minute))
	add("st-queued", chat.AuthorCustomer, t0.Add(time.Minute))
	add("st-old", chat.AuthorCustomer, t0.Add(-time.Hour))
	got, err := s.Stranded(ctx, t0, t0.Add(2*time.Minute), 10)
	must(t, err)
	if len(got) != 1 || got[0].ID != left.ID {
		t.Fatalf("stranded = %+v, want only %d", got, left.ID)
	}
	ok, err := s.ClaimStranded(ctx, left.ID, t0.Add(2*time.Minute))
	must(t, err)
	again, _ := s.ClaimStranded(ctx, left.ID, t0.Add(2*time.Minute))
	if !ok || again {
		t.Fatalf("claims = %v then %v, want true then false", ok, again)
	}
	if got, _ := s.Stranded(ctx, t0, t0.Add(2*time.Minute), 10); len(got) != 0 {
		t.Fatalf("a claimed message is still stranded: %+v", got)
	}
}

// testAcceptRace: many agents accept one conversation at once; exactly one wins.
func testAcceptRace(t *testing.T, s Store) {
	ctx := context.Background()
	for round := range 5 {
		id := fmt.Sprintf("race-%d", round)
		queued(t, s, id, t0, "")
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				who := fmt.Sprintf("agent%d", i)
				errs[i] = s.SetOwner(ctx, chat.Transition{ConversationID: id, From: chat.OwnerWaiting, To: chat.OwnerHuman,
					Actor: who, Assignee: who, At: t0.Add(time.Minute)})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else if chat.ErrorCode(err) != chat.ECONFLICT {
				t.Fatalf("loser error = %v, want conflict", err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d agents won, want exactly 1", round, won)
		}
		tr, err := s.Transitions(ctx, id)
		must(t, err)
		if len(tr) != 2 {
			t.Fatalf("transitions = %d, want 2 (queued, taken)", len(tr))
		}
	}
}

// testCapacityRace: conversations assigned to one agent at once never exceed their capacity.
func testCapacityRace(t *testing.T, s Store) {
	ctx := context.Background()
	must(t, s.PutAgent(ctx, chat.Agent{Username: "amy", Capacity: 3, SeenAt: t0}))
	const n = 10
	for i := range n {
		queued(t, s, fmt.Sprintf("cap-%d", i), t0, "")
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.SetOwner(ctx, chat.Transition{ConversationID: fmt.Sprintf("cap-%d", i), From: chat.OwnerWaiting, To: chat.OwnerHuman,
				Actor: "amy", Assignee: "amy", Capacity: 3, At: t0.Add(time.Minute)})
			if err == nil {
				mu.Lock()
				won++
				mu.Unlock()
			} else if chat.ErrorCode(err) != chat.ECONFLICT {
				t.Errorf("over-capacity error = %v, want conflict", err)
			}
		}()
	}
	wg.Wait()
	a, err := s.Agent(ctx, "amy")
	must(t, err)
	if won != 3 || a.Load != 3 {
		t.Fatalf("accepted %d, load %d; want 3 and 3 (capacity)", won, a.Load)
	}
}

func testAgents(t *testing.T, s Store) {
	ctx := context.Background()
	must(t, s.PutAgent(ctx, chat.Agent{Username: "bob", Name: "Bob", Capacity: 4, Teams: []string{"billing"}, SeenAt: t0}))
	must(t, s.PutAgent(ctx, chat.Agent{Username: "amy", Name: "Amy", Capacity: 2, SeenAt: t0}))
	must(t, s.SetPresence(ctx, "bob", chat.PresenceOnline, t0.Add(time.Minute)))
	mustCode(t, s.SetPresence(ctx, "nobody", chat.PresenceOnline, t0), chat.ENOTFOUND)
	must(t, s.PutAgent(ctx, chat.Agent{Username: "bob", Name: "Bobby", Capacity: 5, Teams: []string{"billing", "vip"}, SeenAt: t0}))
	b, err := s.Agent(ctx, "bob")
	must(t, err)
	if b.Name != "Bobby" || b.Status != chat.PresenceOnline || b.Capacity != 5 || len(b.Teams) != 2 || !b.SeenAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("bob = %+v (PutAgent must keep presence)", b)
	}
	all, err := s.Agents(ctx)
	must(t, err)
	if len(all) != 2 || all[0].Username != "amy" || all[0].Status != chat.PresenceOffline || all[0].Teams == nil {
		t.Fatalf("agents = %+v", all)
	}
	_, err = s.Agent(ctx, "nobody")
	mustCode(t, err, chat.ENOTFOUND)
}

func testDrafts(t *testing.T, s Store) {
	ctx := context.Background()
	newConversation(t, s, "d1")
	_, err := s.LatestDraft(ctx, "d1")
	mustCode(t, err, chat.ENOTFOUND)
	src := []chat.Source{{ID: "doc", Title: "Refunds", URL: "/kb/doc"}}
	d, err := s.AddDraft(ctx, chat.Draft{ConversationID: "d1", MessageID: 7, Text: "Refunds take 5 days.", Sources: src,
		Confidence: 0.8, Decision: chat.DecisionAnswer, CreatedAt: t0})
	must(t, err)
	_, err = s.AddDraft(ctx, chat.Draft{ConversationID: "missing", Text: "x", CreatedAt: t0})
	mustCode(t, err, chat.ENOTFOUND)
	got, err := s.LatestDraft(ctx, "d1")
	must(t, err)
	if byID, err := s.Draft(ctx, "d1", d.ID); err != nil || byID.Text != d.Text {
		t.Fatalf("Draft(%d) = %+v %v", d.ID, byID, err)
	}
	_, err = s.Draft(ctx, "other", d.ID)
	mustCode(t, err, chat.ENOTFOUND)
	if got.ID != d.ID || got.Text != d.Text || len(got.Sources) != 1 || got.SentAt != nil || got.EditDistance != nil || got.Unsure || got.Reason != "" {
		t.Fatalf("latest draft = %+v", got)
	}
	// An unsure draft keeps why the bot would not have sent it.
	u, err := s.AddDraft(ctx, chat.Draft{ConversationID: "d1", MessageID: 8, Text: "Refunds may take longer.", Sources: src,
		Confidence: 0.4, Decision: chat.DecisionHandoff, Reason: "low_confidence", Unsure: true, CreatedAt: t0})
	must(t, err)
	if got, err := s.Draft(ctx, "d1", u.ID); err != nil || !got.Unsure || got.Reason != "low_confidence" || got.Decision != chat.DecisionHandoff {
		t.Fatalf("unsure draft = %+v %v", got, err)
	}
	dist, sent := 3, t0.Add(time.Minute)
	done := chat.Draft{ID: d.ID, ConversationID: "d1", Agent: "amy", Final: "Refunds take 3 days.", SentID: 9, EditDistance: &dist, SentAt: &sent}
	must(t, s.CompleteDraft(ctx, done))
	mustCode(t, s.CompleteDraft(ctx, done), chat.ENOTFOUND) // already sent
	list, err := s.Drafts(ctx, t0, t0.Add(time.Hour), 10)
	must(t, err)
	if len(list) != 2 || list[1].ID != u.ID || list[0].Final != done.Final || *list[0].EditDistance != 3 || !list[0].SentAt.Equal(sent) || list[0].Agent != "amy" {
		t.Fatalf("drafts = %+v", list)
	}
}

func testNotesRatings(t *testing.T, s Store) {
	ctx := context.Background()
	newConversation(t, s, "n1")
	n, err := s.AddNote(ctx, chat.Note{ConversationID: "n1", Author: "amy", Text: "VIP, be quick", CreatedAt: t0})
	must(t, err)
	_, err = s.AddNote(ctx, chat.Note{ConversationID: "missing", Author: "amy", Text: "x", CreatedAt: t0})
	mustCode(t, err, chat.ENOTFOUND)
	notes, err := s.Notes(ctx, "n1")
	must(t, err)
	if len(notes) != 1 || notes[0].ID != n.ID || notes[0].Text != "VIP, be quick" || !notes[0].CreatedAt.Equal(t0) {
		t.Fatalf("notes = %+v", notes)
	}
	must(t, s.AddRating(ctx, chat.Rating{ConversationID: "n1", Score: 5, Comment: "great", CreatedAt: t0}))
	mustCode(t, s.AddRating(ctx, chat.Rating{ConversationID: "missing", Score: 5, CreatedAt: t0}), chat.ENOTFOUND)
	rs, err := s.Ratings(ctx, "n1")
	must(t, err)
	if len(rs) != 1 || rs[0].Score != 5 || rs[0].Comment != "great" || !rs[0].CreatedAt.Equal(t0) {
		t.Fatalf("ratings = %+v", rs)
	}
	cu, err := s.Customer(ctx, "cu-n1")
	must(t, err)
	if cu.Name != "Ann" || cu.Channel != "api" {
		t.Fatalf("customer = %+v", cu)
	}
	_, err = s.Customer(ctx, "nobody")
	mustCode(t, err, chat.ENOTFOUND)
}

// testPassive: a message answered in the webhook response is claimed once and never sent by the
// outbox; released, the outbox sends it.
func testPassive(t *testing.T, s Store) {
	ctx := context.Background()
	newConversation(t, s, "p")
	m, err := s.AddMessage(ctx, chat.Message{ConversationID: "p", Author: chat.AuthorBot, Text: "hi", Channel: "wechat", CreatedAt: t0}, true)
	must(t, err)
	ok, err := s.ClaimPassive(ctx, m.ID, t0)
	must(t, err)
	again, _ := s.ClaimPassive(ctx, m.ID, t0)
	if !ok || again {
		t.Fatalf("ClaimPassive = %v then %v, want true then false", ok, again)
	}
	if items, _ := s.ClaimOutbox(ctx, t0.Add(time.Hour), 10, time.Minute); len(items) != 0 {
		t.Fatalf("a passively answered message was claimed by the outbox: %+v", items)
	}
	must(t, s.ReleasePassive(ctx, m.ID, t0.Add(time.Second)))
	items, err := s.ClaimOutbox(ctx, t0.Add(time.Second), 10, time.Minute)
	must(t, err)
	if len(items) != 1 || items[0].MessageID != m.ID {
		t.Fatalf("released message: claim = %+v", items)
	}
}

// testJudgements: bot answers carry their thumbs, sent drafts are right when barely edited.
func testJudgements(t *testing.T, s Store) {
	ctx := context.Background()
	newConversation(t, s, "j1")
	conf := 0.8
	m, err := s.AddMessage(ctx, chat.Message{ConversationID: "j1", Author: chat.AuthorBot, Text: "answer", Confidence: &conf, Decision: chat.DecisionAnswer, CreatedAt: t0}, false)
	must(t, err)
	must(t, s.PutFeedback(ctx, "j1", m.ID, false, t0))
	low := 0.3
	_, err = s.AddMessage(ctx, chat.Message{ConversationID: "j1", Author: chat.AuthorBot, Text: "handoff", Confidence: &low, Decision: chat.DecisionHandoff, CreatedAt: t0}, false)
	must(t, err)
	one := 1.0 // "talk to a person": a right handoff by rule, no judgement of the bot's confidence
	_, err = s.AddMessage(ctx, chat.Message{ConversationID: "j1", Author: chat.AuthorBot, Text: "A person will take over.", Confidence: &one, Decision: chat.DecisionHandoff, Reason: "customer_request", CreatedAt: t0}, false)
	must(t, err)
	d, err := s.AddDraft(ctx, chat.Draft{ConversationID: "j1", MessageID: 1, Text: "Refunds take five days.", Confidence: 0.9, Decision: chat.DecisionAnswer, CreatedAt: t0})
	must(t, err)
	dist, sent := 2, t0.Add(time.Minute)
	must(t, s.CompleteDraft(ctx, chat.Draft{ID: d.ID, ConversationID: "j1", Agent: "amy", Final: "Refunds take four days.", SentID: 9, EditDistance: &dist, SentAt: &sent}))
	js, err := s.Judgements(ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
	must(t, err)
	if len(js) != 3 {
		t.Fatalf("judgements = %+v, want 3 (a requested handoff is left out)", js)
	}
	var answers, judged, right int
	for _, j := range js {
		if j.Answered {
			answers++
		}
		if j.Right != nil {
			judged++
			if *j.Right {
				right++
			}
		}
	}
	if answers != 2 || judged != 2 || right != 1 {
		t.Fatalf("judgements %+v: want 2 answers, 2 judged (thumbs down, a barely edited draft), 1 right", js)
	}
}

// testDeliveredSince: a platform's quota counts messages sent through its API since the customer
// last wrote, not passive replies.
func testDeliveredSince(t *testing.T, s Store) {
	ctx := context.Background()
	newConversation(t, s, "w1")
	var ids []int64
	for i := range 3 {
		m, err := s.AddMessage(ctx, chat.Message{ConversationID: "w1", Author: chat.AuthorBot, Text: fmt.Sprint("m", i), Channel: "wechat", CreatedAt: t0}, true)
		must(t, err)
		ids = append(ids, m.ID)
	}
	items, err := s.ClaimOutbox(ctx, t0, 10, time.Minute)
	must(t, err)
	for _, it := range items {
		if it.MessageID != ids[2] {
			must(t, s.MarkDelivered(ctx, it.ID, t0.Add(time.Minute)))
		}
	}
	// The third was answered in the webhook's response instead.
	ok, err := s.ClaimPassive(ctx, ids[2], t0.Add(time.Minute))
	must(t, err)
	n, err := s.DeliveredSince(ctx, "w1", "wechat", t0)
	must(t, err)
	later, _ := s.DeliveredSince(ctx, "w1", "wechat", t0.Add(2*time.Minute))
	if !ok || n != 2 || later != 0 {
		t.Fatalf("delivered since = %d (later %d), want 2 sent through the API (the passive one not counted) and 0", n, later)
	}
}

// testAudit: accounts can be listed and disabled (a re-put enables them again), and the audit log
// keeps entries newest first, filterable by actor.
func testAudit(t *testing.T, s Store) {
	ctx := context.Background()
	must(t, s.PutAccount(ctx, chat.Account{Username: "amy", Role: "agent", PasswordHash: "x", CreatedAt: t0}))
	must(t, s.PutAccount(ctx, chat.Account{Username: "bob", Role: "admin", PasswordHash: "x", CreatedAt: t0}))
	must(t, s.DisableAccount(ctx, "amy", t0.Add(time.Hour)))
	mustCode(t, s.DisableAccount(ctx, "amy", t0.Add(time.Hour)), chat.ENOTFOUND)
	all, err := s.Accounts(ctx)
	must(t, err)
	a, err := s.Account(ctx, "amy")
	must(t, err)
	if len(all) != 2 || all[0].DisabledAt == nil || !all[0].DisabledAt.Equal(t0.Add(time.Hour)) || all[1].DisabledAt != nil || a.DisabledAt == nil {
		t.Fatalf("accounts = %+v, amy = %+v", all, a)
	}
	must(t, s.PutAccount(ctx, chat.Account{Username: "amy", Role: "agent", PasswordHash: "y", CreatedAt: t0}))
	if a, _ := s.Account(ctx, "amy"); a.DisabledAt != nil {
		t.Fatal("a re-put account stays disabled")
	}
	for i, actor := range []string{"amy", "bob", "amy"} {
		must(t, s.AddAudit(ctx, chat.AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), Actor: actor, Role: "agent", Action: "POST /x", Target: fmt.Sprint(i), Status: 200}))
	}
	es, err := s.Audit(ctx, "amy", 10)
	must(t, err)
	if len(es) != 2 || es[0].Target != "2" || !es[0].At.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("audit = %+v", es)
	}
	if every, _ := s.Audit(ctx, "", 10); len(every) != 3 {
		t.Fatalf("audit of everyone = %d entries", len(every))
	}
}

// testRecentWaits: the waits of conversations accepted since a time, newest first, measured from
// their latest entry into the queue.
func testRecentWaits(t *testing.T, s Store) {
	ctx := context.Background()
	accept := func(id string, at time.Time) {
		t.Helper()
		must(t, s.SetOwner(ctx, chat.Transition{ConversationID: id, From: chat.OwnerWaiting, To: chat.OwnerHuman,
			Actor: "agent", Assignee: "agent", At: at}))
	}
	queued(t, s, "old", t0.Add(-2*time.Hour), "")
	accept("old", t0.Add(-2*time.Hour+time.Minute)) // before the window
	queued(t, s, "w1", t0, "")
	accept("w1", t0.Add(30*time.Second))
	queued(t, s, "w2", t0.Add(10*time.Second), "")
	accept("w2", t0.Add(100*time.Second))
	queued(t, s, "still", t0, "") // not accepted yet
	got, err := s.RecentWaits(ctx, t0.Add(-time.Hour), 10)
	must(t, err)
	if want := []time.Duration{90 * time.Second, 30 * time.Second}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("recent waits = %v, want %v", got, want)
	}
	if got, err := s.RecentWaits(ctx, t0.Add(-time.Hour), 1); err != nil || len(got) != 1 {
		t.Fatalf("limit 1 = %v %v", got, err)
	}
}
