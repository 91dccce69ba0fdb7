package complaint_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tandem/chat"
	"tandem/complaint"
	"tandem/conversation"
	"tandem/sqlite"
	"tandem/sqlite/sqlitetest"
)

var t0 = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

// clock is a controlled clock.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) advance(d time.Duration) { c.now = c.now.Add(d) }
func days(n int) time.Duration           { return time.Duration(n) * 24 * time.Hour }

// complaintBot classifies every message as the demo's complaint intent, which hands off to the
// complaints team at high priority.
type complaintBot struct{}

func (complaintBot) Turn(context.Context, chat.Conversation, []chat.Message, string, func(string)) (chat.Reply, error) {
	return chat.Reply{Text: "A person will take over.", Decision: chat.DecisionHandoff, Reason: "intent_policy", Intent: "complaint",
		Team: "complaints", Priority: "high"}, nil
}

func (b complaintBot) Draft(ctx context.Context, history []chat.Message, text string, stream func(string)) (chat.Reply, error) {
	return b.Turn(ctx, chat.Conversation{}, history, text, stream)
}

type nopBus struct{}

func (nopBus) Publish(context.Context, ...chat.Event) error { return nil }

type rig struct {
	st    *sqlite.Store
	conv  *conversation.Service
	cases *complaint.Service
	clock *clock
}

// newRig wires a conversation core on a real SQLite file with the complaint service on its
// Handed hook, on a controlled clock; amy serves the complaints team, bob does not.
func newRig(t *testing.T, cfg string) *rig {
	t.Helper()
	st := sqlitetest.Open(t)
	ctx := context.Background()
	for _, a := range []chat.Agent{{Username: "amy", Capacity: 5, Teams: []string{"complaints"}}, {Username: "bob", Capacity: 5, Teams: []string{"sales"}}} {
		if err := st.PutAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	c := &clock{now: t0}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	conf, err := complaint.ParseConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc := &conversation.Service{Store: st, Bot: complaintBot{}, Bus: nopBus{}, Metrics: conversation.NewMetrics(prometheus.NewRegistry()),
		Log: log, Now: c.Now, Outbound: map[string]bool{}}
	cs := &complaint.Service{Store: st, Directory: st, Notifier: svc, Config: conf, Log: log, Now: c.Now}
	svc.Handed = cs.FromTurn
	svc.Bot = complaint.Bot{Next: complaintBot{}, Cases: cs}
	return &rig{st: st, conv: svc, cases: cs, clock: c}
}

// complain starts a conversation for customer ext and says text; it returns the conversation.
func (r *rig) complain(t *testing.T, ext, lang, text string) chat.Conversation {
	t.Helper()
	ctx := context.Background()
	conv, err := r.conv.Start(ctx, chat.Customer{Channel: "web", ExternalID: ext}, lang)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.conv.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: "web", Text: text}); err != nil {
		t.Fatal(err)
	}
	return conv
}

func (r *rig) caseOf(t *testing.T, convID string) complaint.Case {
	t.Helper()
	c, err := r.st.ConversationCase(context.Background(), convID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// told returns the system messages the customer got in a conversation.
func (r *rig) told(t *testing.T, convID string) []string {
	t.Helper()
	msgs, err := r.st.Messages(context.Background(), convID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		if m.Author == chat.AuthorSystem && m.Reason == "complaint" {
			out = append(out, m.Text)
		}
	}
	return out
}

// ok returns a function that fails the test on an error and returns the value otherwise.
func ok[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if chat.ErrorCode(err) != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

// TestComplaintIntentOpensCase: "我要投诉" classified as the complaint intent opens a numbered
// case and the customer is told the number and the decision date in Chinese, after the handoff.
func TestComplaintIntentOpensCase(t *testing.T) {
	r := newRig(t, "")
	conv := r.complain(t, "wang", "zh", "我要投诉")
	c := r.caseOf(t, conv.ID)
	if c.Number != "TS-20261204-0001" || c.Status != complaint.Received || c.Severity != "high" || !c.DueAt.Equal(t0.AddDate(0, 0, 15)) {
		t.Fatalf("case = %+v", c)
	}
	told := r.told(t, conv.ID)
	if len(told) != 1 || !strings.Contains(told[0], "TS-20261204-0001") || !strings.Contains(told[0], "2026-12-19") || !strings.Contains(told[0], "投诉") {
		t.Fatalf("customer told %q", told)
	}
	msgs := ok[[]chat.Message](t)(r.st.Messages(context.Background(), conv.ID, 0, 100))
	if last := msgs[len(msgs)-1]; last.Reason != "complaint" || msgs[len(msgs)-2].Decision != chat.DecisionHandoff {
		t.Fatalf("the case notice should follow the handoff: %+v", msgs)
	}
	// A second complaint conversation of the same customer joins the open case.
	conv2 := r.complain(t, "wang", "zh", "还是没人处理我的投诉")
	if got := r.caseOf(t, conv2.ID); got.ID != c.ID || len(got.Conversations) != 2 {
		t.Fatalf("second conversation: case %+v", got)
	}
}

// TestDecisionClock: 15 days from receipt, a reminder 3 days before, a breach once past; a
// complex case extends to 30 days, then with approval (and notice) by 30 more; no further.
func TestDecisionClock(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, "")
	conv := r.complain(t, "li", "en", "I want to complain")
	c := r.caseOf(t, conv.ID)

	r.clock.advance(days(11))
	rem, br := mustTick(t, r)
	if rem != 0 || br != 0 {
		t.Fatalf("day 11: reminded %d, breached %d; want none", rem, br)
	}
	r.clock.advance(days(1))
	if rem, br = mustTick(t, r); rem != 1 || br != 0 {
		t.Fatalf("day 12: reminded %d, breached %d; want one reminder", rem, br)
	}
	if rem, _ = mustTick(t, r); rem != 0 {
		t.Fatal("a reminder was sent twice for one due date")
	}
	r.clock.advance(days(3) + time.Second)
	if _, br = mustTick(t, r); br != 1 {
		t.Fatalf("day 15 + 1 s: breached %d, want 1", br)
	}
	if over := ok[[]complaint.Case](t)(r.cases.Overdue(ctx)); len(over) != 1 || over[0].ID != c.ID {
		t.Fatalf("overdue = %+v", over)
	}

	// The complex extension: 30 days from receipt; the breach clears and the customer is told.
	c = ok[complaint.Case](t)(r.cases.Extend(ctx, c.Number, "amy", complaint.ExtendComplex, "needs the adjuster's report", ""))
	if !c.DueAt.Equal(t0.AddDate(0, 0, 30)) || c.BreachedAt != nil {
		t.Fatalf("complex: due %v breached %v", c.DueAt, c.BreachedAt)
	}
	if over := ok[[]complaint.Case](t)(r.cases.Overdue(ctx)); len(over) != 0 {
		t.Fatalf("overdue after extension = %d", len(over))
	}
	_, err := r.cases.Extend(ctx, c.Number, "amy", complaint.ExtendApproved, "still waiting", "")
	wantCode(t, err, chat.EFORBIDDEN)
	c = ok[complaint.Case](t)(r.cases.Extend(ctx, c.Number, "amy", complaint.ExtendApproved, "still waiting", "admin"))
	if !c.DueAt.Equal(t0.AddDate(0, 0, 60)) {
		t.Fatalf("approved: due %v, want day 60", c.DueAt)
	}
	_, err = r.cases.Extend(ctx, c.Number, "amy", 3, "more", "admin")
	wantCode(t, err, chat.ECONFLICT)
	told := r.told(t, conv.ID)
	if len(told) != 3 || !strings.Contains(told[1], "2027-01-03") || !strings.Contains(told[2], "2027-02-02") {
		t.Fatalf("customer told %q; want the received notice and both new dates", told)
	}
	r.clock.now = t0.AddDate(0, 0, 57)
	if rem, br = mustTick(t, r); rem != 1 || br != 0 {
		t.Fatalf("day 57: reminded %d breached %d", rem, br)
	}
	r.clock.now = t0.AddDate(0, 0, 60).Add(time.Minute)
	if _, br = mustTick(t, r); br != 1 {
		t.Fatalf("day 60 + 1 min: breached %d", br)
	}
	steps := ok[[]complaint.Step](t)(r.st.CaseSteps(ctx, c.ID))
	var kinds []string
	for _, s := range steps {
		kinds = append(kinds, s.Kind)
	}
	if got := strings.Join(kinds, ","); got != "opened,reminder,breach,extended,extended,reminder,breach" {
		t.Fatalf("timeline = %s", got)
	}
	// A decision stops the clock.
	c = ok[complaint.Case](t)(r.cases.Move(ctx, c.Number, "amy", complaint.Investigating, ""))
	c = ok[complaint.Case](t)(r.cases.Move(ctx, c.Number, "amy", complaint.Resolved, "We refund the excess."))
	if over := ok[[]complaint.Case](t)(r.cases.Overdue(ctx)); len(over) != 0 {
		t.Fatalf("a decided case is overdue: %+v", over)
	}
}

func mustTick(t *testing.T, r *rig) (int, int) {
	t.Helper()
	rem, br, err := r.cases.Tick(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(rem), len(br)
}

// TestPauseOnlyWhereRulesAllow: the default rules never stop the clock; a category configured
// as pausable moves its due date by the paused time.
func TestPauseOnlyWhereRulesAllow(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, `{"rules":{"appraisal":{"decision_days":15,"pausable":true}}}`)
	conv := r.complain(t, "zhao", "zh", "我要投诉")
	c := r.caseOf(t, conv.ID)
	_, err := r.cases.Pause(ctx, c.Number, "amy", "waiting for the customer")
	wantCode(t, err, chat.EFORBIDDEN)

	conv2, err := r.conv.Start(ctx, chat.Customer{Channel: "web", ExternalID: "qian"}, "en")
	if err != nil {
		t.Fatal(err)
	}
	p := ok[complaint.Case](t)(r.cases.Open(ctx, conv2.ID, "amy", complaint.OpenRequest{Category: "appraisal", Summary: "valuation of the car"}))
	p = ok[complaint.Case](t)(r.cases.Pause(ctx, p.Number, "amy", "independent appraisal"))
	r.clock.advance(days(5))
	if rem, br := mustTick(t, r); rem+br != 0 {
		t.Fatal("a paused clock ran")
	}
	p = ok[complaint.Case](t)(r.cases.Resume(ctx, p.Number, "amy"))
	if !p.DueAt.Equal(t0.AddDate(0, 0, 20)) {
		t.Fatalf("due after a 5-day pause = %v", p.DueAt)
	}
}

// TestStepsCloseAndReopen: only the complaints team moves a case; each step is told to the
// customer; closing needs a resolution and a root cause; a complaint within the reopen period
// reopens the same case, later it opens a new one.
func TestStepsCloseAndReopen(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, `{"reopen_days":30,"escalation":{"en":"Call the regulator on 12378."}}`)
	conv := r.complain(t, "sun", "en", "I want to complain")
	c := r.caseOf(t, conv.ID)

	_, err := r.cases.Move(ctx, c.Number, "bob", complaint.Acknowledged, "")
	wantCode(t, err, chat.EFORBIDDEN)
	c = ok[complaint.Case](t)(r.cases.Move(ctx, c.Number, "amy", complaint.Acknowledged, ""))
	if c.Owner != "amy" {
		t.Fatalf("owner = %q", c.Owner)
	}
	_, err = r.cases.Move(ctx, c.Number, "amy", complaint.Resolved, "too early")
	wantCode(t, err, chat.ECONFLICT)
	c = ok[complaint.Case](t)(r.cases.Move(ctx, c.Number, "amy", complaint.Investigating, ""))
	_, err = r.cases.Move(ctx, c.Number, "amy", complaint.Resolved, "")
	wantCode(t, err, chat.EINVALID)
	r.clock.advance(days(4))
	c = ok[complaint.Case](t)(r.cases.Move(ctx, c.Number, "amy", complaint.Resolved, "We pay the claim in full."))
	_, err = r.cases.Close(ctx, c.Number, "amy", "Paid in full.", "")
	wantCode(t, err, chat.EINVALID)
	_, err = r.cases.Move(ctx, c.Number, "amy", complaint.Closed, "")
	wantCode(t, err, chat.EINVALID)
	c = ok[complaint.Case](t)(r.cases.Close(ctx, c.Number, "amy", "Paid in full.", "Claims-Delay"))
	if c.RootCause != "claims-delay" || c.ClosedAt == nil {
		t.Fatalf("closed = %+v", c)
	}
	told := r.told(t, conv.ID)
	if len(told) != 5 || !strings.Contains(told[1], "acknowledged") || !strings.Contains(told[2], "investigating") ||
		!strings.Contains(told[3], "We pay the claim in full.") || !strings.Contains(told[3], "12378") || !strings.Contains(told[4], "closed") {
		t.Fatalf("customer told %q", told)
	}

	// Ten days later the customer complains again: the same case is reopened.
	r.clock.advance(days(10))
	conv2 := r.complain(t, "sun", "en", "it happened again")
	again := r.caseOf(t, conv2.ID)
	if again.ID != c.ID || again.Status != complaint.Investigating || again.Reopens != 1 || again.ClosedAt != nil ||
		!again.DueAt.Equal(r.clock.now.Truncate(time.Microsecond).AddDate(0, 0, 15)) {
		t.Fatalf("reopened = %+v", again)
	}
	again = ok[complaint.Case](t)(r.cases.Move(ctx, again.Number, "amy", complaint.Resolved, "Second payment made."))
	ok[complaint.Case](t)(r.cases.Close(ctx, again.Number, "amy", "Paid again.", "claims-delay"))

	// 31 days after that close a complaint is a new case, and an agent can no longer reopen.
	r.clock.advance(days(31))
	_, err = r.cases.Reopen(ctx, c.Number, "amy", "")
	wantCode(t, err, chat.ECONFLICT)
	conv3 := r.complain(t, "sun", "en", "I want to complain")
	if fresh := r.caseOf(t, conv3.ID); fresh.ID == c.ID || fresh.Reopens != 0 {
		t.Fatalf("a complaint after the reopen period: case %+v", fresh)
	}

	rep := ok[complaint.Report](t)(r.cases.Report(ctx, t0, r.clock.now.Add(time.Hour)))
	if rep.Received != 2 || rep.Decided != 1 || rep.OnTime != 1 || rep.Reopened != 1 || rep.ReopenRate != 0.5 ||
		len(rep.RootCauses) != 1 || rep.RootCauses[0].RootCause != "claims-delay" || rep.RootCauses[0].Month != "2026-12" {
		t.Fatalf("report = %+v", rep)
	}
}

// TestStatusQuestion: a verified customer gets their case's status; an unverified one is asked
// to sign in.
func TestStatusQuestion(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, "")
	conv := r.complain(t, "zhou", "zh", "我要投诉")
	got := ok[string](t)(r.cases.StatusText(ctx, conv.CustomerID, true, "zh"))
	if !strings.Contains(got, "TS-20261204-0001") || !strings.Contains(got, "已受理") {
		t.Fatalf("verified: %q", got)
	}
	got = ok[string](t)(r.cases.StatusText(ctx, conv.CustomerID, false, "zh"))
	if strings.Contains(got, "TS-") || !strings.Contains(got, "登录") {
		t.Fatalf("unverified: %q", got)
	}
}

// TestBotAnswersStatus: a signed-in widget customer asking "我的投诉处理得怎么样了" gets their
// case's status from the bot, without a handoff; an anonymous visitor is asked to sign in.
func TestBotAnswersStatus(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, "")
	conv := r.complain(t, "id:wang", "zh", "我要投诉")
	c := r.caseOf(t, conv.ID)
	// Later, in a new conversation (the first is with a person, where the bot stays silent).
	conv2, err := r.conv.Start(ctx, chat.Customer{Channel: "web", ExternalID: "id:wang"}, "zh")
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.conv.Receive(ctx, conversation.Inbound{ConversationID: conv2.ID, Channel: "web", Text: "我的投诉处理得怎么样了"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Replies) != 1 || !strings.Contains(res.Replies[0].Text, c.Number) || !strings.Contains(res.Replies[0].Text, "已受理") ||
		res.Replies[0].Decision != chat.DecisionAnswer {
		t.Fatalf("verified customer's answer = %+v", res.Replies)
	}
	anon, err := r.conv.Start(ctx, chat.Customer{Channel: "web", ExternalID: "v-anon"}, "en")
	if err != nil {
		t.Fatal(err)
	}
	res, err = r.conv.Receive(ctx, conversation.Inbound{ConversationID: anon.ID, Channel: "web", Text: "what's happening with my complaint?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Replies) != 1 || !strings.Contains(res.Replies[0].Text, "sign in") || strings.Contains(res.Replies[0].Text, "TS-") {
		t.Fatalf("anonymous visitor's answer = %+v", res.Replies)
	}
	for _, q := range []string{"我要投诉", "I want to make a complaint", "what's my policy status", "投诉了多久会有结果", "how long does a complaint take to get an update"} {
		if complaint.IsStatusQuestion(q) {
			t.Errorf("IsStatusQuestion(%q) = true", q)
		}
	}
}
