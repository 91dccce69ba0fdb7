package followup_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tandem/channels/whatsapp"
	"tandem/chat"
	"tandem/conversation"
	"tandem/followup"
	"tandem/sqlite"
	"tandem/sqlite/sqlitetest"
)

var t0 = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// echoBot answers everything.
type echoBot struct{}

func (echoBot) Turn(context.Context, chat.Conversation, []chat.Message, string, func(string)) (chat.Reply, error) {
	return chat.Reply{Text: "ok", Decision: chat.DecisionAnswer, Confidence: 0.9}, nil
}

func (b echoBot) Draft(ctx context.Context, h []chat.Message, text string, s func(string)) (chat.Reply, error) {
	return b.Turn(ctx, chat.Conversation{}, h, text, s)
}

type nopBus struct{}

func (nopBus) Publish(context.Context, ...chat.Event) error { return nil }

type rig struct {
	st    *sqlite.Store
	conv  *conversation.Service
	fu    *followup.Service
	clock *clock
}

func newRig(t *testing.T) *rig {
	t.Helper()
	st := sqlitetest.Open(t)
	ctx := context.Background()
	if err := st.PutAgent(ctx, chat.Agent{Username: "amy", Capacity: 50, Status: "online"}); err != nil {
		t.Fatal(err)
	}
	c := &clock{now: t0}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := &conversation.Service{Store: st, Bus: nopBus{}, Metrics: conversation.NewMetrics(prometheus.NewRegistry()), Log: log, Now: c.Now,
		Outbound: map[string]bool{whatsapp.Channel: true}}
	fu := &followup.Service{Store: st, Conversations: st, Notifier: svc, Windows: map[string]time.Duration{whatsapp.Channel: whatsapp.Window}, Log: log, Now: c.Now}
	svc.Bot = followup.Bot{Next: echoBot{}, FollowUps: fu}
	svc.OptOut = fu.OptOut
	return &rig{st: st, conv: svc, fu: fu, clock: c}
}

// say delivers a WhatsApp message from the customer.
func (r *rig) say(t *testing.T, convID, text string) conversation.Result {
	t.Helper()
	res, err := r.conv.Receive(context.Background(), conversation.Inbound{ConversationID: convID, Channel: whatsapp.Channel, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// closed starts a WhatsApp conversation in which the customer writes, an agent takes it and closes it.
func (r *rig) closed(t *testing.T, phone string) chat.Conversation {
	t.Helper()
	ctx := context.Background()
	conv, err := r.conv.Start(ctx, chat.Customer{Channel: whatsapp.Channel, ExternalID: phone}, "en")
	if err != nil {
		t.Fatal(err)
	}
	r.say(t, conv.ID, "my claim")
	r.close(t, conv.ID)
	return conv
}

func (r *rig) close(t *testing.T, id string) {
	t.Helper()
	ctx := context.Background()
	if _, err := r.conv.Handoff(ctx, id, "api", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := r.conv.Accept(ctx, "amy", id); err != nil {
		t.Fatal(err)
	}
	if _, err := r.conv.Close(ctx, "amy", id); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) schedule(t *testing.T, id string, delay time.Duration) followup.FollowUp {
	t.Helper()
	f, err := r.fu.Schedule(context.Background(), id, "satisfaction", "Was your claim handled well? Reply 1-5.", delay, "amy")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// followUpsSent counts the follow-up messages stored in a conversation (each queued for delivery).
func (r *rig) followUpsSent(t *testing.T, id string) int {
	t.Helper()
	msgs, err := r.st.Messages(context.Background(), id, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.Reason == "followup" {
			n++
		}
	}
	return n
}

func (r *rig) tick(t *testing.T) map[string]followup.FollowUp {
	t.Helper()
	done, err := r.fu.Tick(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]followup.FollowUp{}
	for _, f := range done {
		out[f.ConversationID] = f
	}
	return out
}

// TestFollowUpConsentWindowAndStop: a follow-up goes only to the customer who consented on the
// channel and only inside WhatsApp's 24-hour window; the others are not sent, with the reason
// recorded. "STOP" withdraws consent and is confirmed; a later follow-up is not sent.
func TestFollowUpConsentWindowAndStop(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	yes, no, late := r.closed(t, "+8613800000001"), r.closed(t, "+8613800000002"), r.closed(t, "+8613800000003")
	for _, c := range []chat.Conversation{yes, late} {
		if _, err := r.fu.Grant(ctx, c.ID, "Satisfaction checks and claim updates on WhatsApp", "api"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.fu.Schedule(ctx, yes.ID, "satisfaction", "", time.Hour, "amy"); chat.ErrorCode(err) != chat.EINVALID {
		t.Fatalf("empty follow-up: err = %v", err)
	}
	r.schedule(t, yes.ID, 2*time.Hour)
	r.schedule(t, no.ID, 2*time.Hour)
	r.schedule(t, late.ID, 30*time.Hour)

	r.clock.now = t0.Add(2 * time.Hour)
	done := r.tick(t)
	if len(done) != 2 || done[yes.ID].Status != followup.StatusSent || done[yes.ID].MessageID == 0 ||
		done[no.ID].Status != followup.StatusSkipped || done[no.ID].Reason != followup.ReasonNoConsent {
		t.Fatalf("at 2 h: %+v", done)
	}
	if r.followUpsSent(t, yes.ID) != 1 || r.followUpsSent(t, no.ID) != 0 {
		t.Fatal("the follow-up went to the wrong customers")
	}
	pending, err := r.st.PendingOutbox(ctx)
	if err != nil || pending < 1 {
		t.Fatalf("the sent follow-up is not queued for WhatsApp: pending %d %v", pending, err)
	}
	r.clock.now = t0.Add(30 * time.Hour)
	if done = r.tick(t); done[late.ID].Status != followup.StatusSkipped || done[late.ID].Reason != followup.ReasonOutsideWindow {
		t.Fatalf("at 30 h (outside WhatsApp's 24 h): %+v", done)
	}
	if r.followUpsSent(t, late.ID) != 0 {
		t.Fatal("a follow-up went out outside the window")
	}

	// The customer answers STOP: consent is withdrawn and confirmed.
	res := r.say(t, yes.ID, "STOP")
	if len(res.Replies) != 1 || !strings.Contains(res.Replies[0].Text, "unsubscribed") {
		t.Fatalf("STOP answered %+v", res.Replies)
	}
	ledger, err := r.fu.Ledger(ctx, yes.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := ledger[len(ledger)-1]; len(ledger) != 2 || last.Granted || last.Source != "opt_out_word" || last.Evidence != "STOP" || !last.At.Equal(r.clock.now) {
		t.Fatalf("ledger = %+v", ledger)
	}
	// Nothing is sent after, even inside the window.
	r.close(t, yes.ID)
	r.schedule(t, yes.ID, time.Hour)
	r.clock.now = r.clock.now.Add(time.Hour)
	if done = r.tick(t); done[yes.ID].Status != followup.StatusSkipped || done[yes.ID].Reason != followup.ReasonNoConsent {
		t.Fatalf("after STOP: %+v", done)
	}
	if r.followUpsSent(t, yes.ID) != 1 {
		t.Fatal("a follow-up was sent after STOP")
	}
	for _, w := range []string{"退订", "unsubscribe", "Stop.", " STOP "} {
		if !followup.IsOptOut(w) {
			t.Errorf("IsOptOut(%q) = false", w)
		}
	}
	if followup.IsOptOut("please don't stop my policy") {
		t.Error("a sentence containing stop is not an opt-out")
	}
}

// TestOptOutWhileAPersonOwns: an opt-out word works when an agent holds the conversation, where
// the bot is silent: consent is withdrawn and the customer told so in their language, the agent
// keeps the conversation, and the next follow-up is not sent.
func TestOptOutWhileAPersonOwns(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	conv, err := r.conv.Start(ctx, chat.Customer{Channel: whatsapp.Channel, ExternalID: "+8613800000009"}, "zh")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.fu.Grant(ctx, conv.ID, "回访", "api"); err != nil {
		t.Fatal(err)
	}
	r.say(t, conv.ID, "我的理赔")
	if _, err := r.conv.Handoff(ctx, conv.ID, "api", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := r.conv.Accept(ctx, "amy", conv.ID); err != nil {
		t.Fatal(err)
	}
	if res := r.say(t, conv.ID, "please hold my claim"); len(res.Replies) != 0 {
		t.Fatalf("a message to the agent was answered: %+v", res.Replies)
	}
	res := r.say(t, conv.ID, "退订")
	if len(res.Replies) != 1 || !strings.Contains(res.Replies[0].Text, "您已退订") || res.Replies[0].Reason != conversation.ReasonOptOut {
		t.Fatalf("退订 with an agent holding the conversation answered %+v", res.Replies)
	}
	if ok, err := r.fu.Consented(ctx, conv.CustomerID, whatsapp.Channel); err != nil || ok {
		t.Fatalf("consent after 退订 = %v, %v", ok, err)
	}
	if c, err := r.st.Conversation(ctx, conv.ID); err != nil || c.Owner != chat.OwnerHuman {
		t.Fatalf("owner after 退订 = %v, %v; the agent keeps it", c.Owner, err)
	}
	if _, err := r.conv.Close(ctx, "amy", conv.ID); err != nil {
		t.Fatal(err)
	}
	r.schedule(t, conv.ID, time.Hour)
	r.clock.now = r.clock.now.Add(time.Hour)
	if done := r.tick(t); done[conv.ID].Status != followup.StatusSkipped || done[conv.ID].Reason != followup.ReasonNoConsent {
		t.Fatalf("after 退订: %+v", done)
	}
}

// graph is a fake of the WhatsApp Cloud API's messages endpoint: it keeps each send's body.
type graph struct {
	mu   sync.Mutex
	sent []map[string]any
}

func (g *graph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if r.Method != http.MethodPost || r.URL.Path != "/1/messages" || r.Header.Get("Authorization") != "Bearer t" ||
		json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, `{"error":{"message":"bad request","code":100}}`, http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	g.sent = append(g.sent, body)
	n := len(g.sent)
	g.mu.Unlock()
	fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":"%v","wa_id":"%v"}],"messages":[{"id":"wamid.%d"}]}`, body["to"], body["to"], n)
}

func (g *graph) since(n int) []map[string]any {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]map[string]any(nil), g.sent[n:]...)
}

// TestFollowUpTemplateOutsideWindow: outside WhatsApp's 24-hour window a follow-up goes out as
// the configured approved template, its text the template's body parameter, through the outbox
// and the Cloud API; the follow-up records that it went as a template. Without a template it is
// not sent, with the reason recorded.
func TestFollowUpTemplateOutsideWindow(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	g := &graph{}
	srv := httptest.NewServer(g)
	defer srv.Close()
	wa := &whatsapp.Adapter{PhoneID: "1", Token: "t", APIBase: srv.URL, Client: srv.Client(), Now: r.clock.Now, Template: "claim_update:zh_CN"}
	ob := &conversation.Outbox{Store: r.st, Senders: conversation.Senders{whatsapp.Channel: wa}, Metrics: conversation.NewMetrics(prometheus.NewRegistry()),
		Log: slog.New(slog.DiscardHandler), Now: r.clock.Now}
	r.fu.Templates = map[string]bool{whatsapp.Channel: true}
	conv, err := r.conv.Start(ctx, chat.Customer{ID: "wa-8613800000007", Channel: whatsapp.Channel, ExternalID: "8613800000007"}, "zh")
	if err != nil {
		t.Fatal(err)
	}
	r.say(t, conv.ID, "我的理赔")
	r.close(t, conv.ID)
	if _, err := r.fu.Grant(ctx, conv.ID, "理赔进度通知", "api"); err != nil {
		t.Fatal(err)
	}
	ob.Drain(ctx) // what went out inside the window, as text
	before := len(g.since(0))
	if _, err := r.fu.Schedule(ctx, conv.ID, "claim_progress", "您的理赔已批准，\n赔款将于三个工作日内到账。", 30*time.Hour, "amy"); err != nil {
		t.Fatal(err)
	}
	r.clock.now = t0.Add(30 * time.Hour)
	if done := r.tick(t); done[conv.ID].Status != followup.StatusSent || done[conv.ID].Reason != followup.ReasonTemplate {
		t.Fatalf("at 30 h with a template: %+v", done)
	}
	if n := ob.Drain(ctx); n != 1 {
		t.Fatalf("delivered %d, want the follow-up", n)
	}
	sent := g.since(before)
	if len(sent) != 1 {
		t.Fatalf("sent %v", sent)
	}
	b, _ := json.Marshal(sent[0])
	want := `"template":{"components":[{"parameters":[{"text":"您的理赔已批准， 赔款将于三个工作日内到账。","type":"text"}],"type":"body"}],"language":{"code":"zh_CN"},"name":"claim_update"}`
	if sent[0]["type"] != "template" || sent[0]["to"] != "+8613800000007" || !strings.Contains(string(b), want) {
		t.Fatalf("sent %s, want the template %s", b, want)
	}

	r.fu.Templates = nil // no template configured: not sent, and why
	r.schedule(t, conv.ID, time.Hour)
	r.clock.now = r.clock.now.Add(time.Hour)
	if done := r.tick(t); done[conv.ID].Status != followup.StatusSkipped || done[conv.ID].Reason != followup.ReasonOutsideWindow {
		t.Fatalf("without a template: %+v", done)
	}
	if ob.Drain(ctx); len(g.since(before)) != 1 {
		t.Fatal("a follow-up went out outside the window without a template")
	}
}
