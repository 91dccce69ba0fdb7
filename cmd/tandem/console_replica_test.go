package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"tandem/chat"
	"tandem/postgres"
)

// agentClient is an agent's console session on one replica: a cookie jar with tandem_session.
type agentClient struct {
	base string
	http *http.Client
}

// consoleLogin signs in on the replica at base and keeps the session cookie.
func consoleLogin(t *testing.T, base, username string) *agentClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	a := &agentClient{base: base, http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	var me struct{ Username, Role string }
	if code := a.do(t, "POST", "/api/console/login", `{"username":"`+username+`","password":"`+demoAgentPassword+`"}`, &me); code != 200 ||
		me.Username != username || me.Role != "agent" {
		t.Fatalf("login %s = %d %+v", username, code, me)
	}
	if a.cookie(t) == "" {
		t.Fatal("login set no tandem_session cookie")
	}
	return a
}

// cookie returns the Cookie header value of the session.
func (a *agentClient) cookie(t *testing.T) string {
	u, _ := url.Parse(a.base)
	for _, c := range a.http.Jar.Cookies(u) {
		if c.Name == "tandem_session" {
			return c.Name + "=" + c.Value
		}
	}
	return ""
}

// do calls the console API with the session and decodes the JSON answer into out.
func (a *agentClient) do(t *testing.T, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, a.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode
}

// rawCookie calls base with a Cookie header as given (none when empty).
func rawCookie(t *testing.T, base, method, path, cookie string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode
}

// consoleEvent is one frame of the console socket, stamped when it was read.
type consoleEvent struct {
	Type           string      `json:"type"`
	ConversationID string      `json:"conversation_id"`
	Owner          string      `json:"owner"`
	Assignee       string      `json:"assignee"`
	Reason         string      `json:"reason"`
	Text           string      `json:"text"`
	Message        *apiMessage `json:"message"`
	Draft          *struct {
		ID         int64   `json:"id"`
		MessageID  int64   `json:"message_id"`
		Text       string  `json:"text"`
		Confidence float64 `json:"confidence"`
		Sources    []struct {
			URL string `json:"url"`
		} `json:"sources"`
	} `json:"draft"`
	at time.Time
}

// consoleEvents dials the console socket with the agent's session and reads its frames into a
// channel (closed when the socket ends); send writes a frame to the server.
func consoleEvents(t *testing.T, a *agentClient) (events <-chan consoleEvent, send func(frame string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dctx, dcancel := context.WithTimeout(ctx, 10*time.Second)
	defer dcancel()
	c, _, err := websocket.Dial(dctx, strings.Replace(a.base, "http://", "ws://", 1)+"/api/console/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {a.cookie(t)}}})
	if err != nil {
		cancel()
		t.Fatalf("dial the console socket: %v", err)
	}
	ch := make(chan consoleEvent, 256)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(ch)
		for {
			_, data, err := c.Read(ctx)
			if err != nil {
				if ctx.Err() == nil {
					t.Logf("console socket on %s ended: %v", a.base, err)
				}
				return
			}
			ev := consoleEvent{at: time.Now()}
			if err := json.Unmarshal(data, &ev); err != nil {
				t.Errorf("console frame %s: %v", data, err)
				continue
			}
			ch <- ev
		}
	}()
	t.Cleanup(func() { cancel(); c.CloseNow(); <-done })
	return ch, func(frame string) {
		t.Helper()
		wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
		defer wcancel()
		if err := c.Write(wctx, websocket.MessageText, []byte(frame)); err != nil {
			t.Fatalf("console frame %s: %v", frame, err)
		}
	}
}

// awaitEvent waits for a console event that matches.
func awaitEvent(t *testing.T, ch <-chan consoleEvent, d time.Duration, what string, match func(consoleEvent) bool) consoleEvent {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("the console socket closed while waiting for %s", what)
			}
			if match(ev) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s on the console socket within %v", what, d)
		}
	}
}

// sawConsoleEvent reports whether a matching console event arrives within d.
func sawConsoleEvent(ch <-chan consoleEvent, d time.Duration, match func(consoleEvent) bool) bool {
	timeout := time.After(d)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return false
			}
			if match(ev) {
				return true
			}
		case <-timeout:
			return false
		}
	}
}

// TestConsoleAcrossReplicas: the customer talks to replica A through the app API while the agent
// works on replica B (console API and socket): the handoff reaches B's queue within 1 s, the
// bot's draft reaches B, the agent's edited reply reaches the customer's socket on A, and after
// the return to the bot the customer gets bot answers again. Accept races and bad sessions fail
// cleanly.
func TestConsoleAcrossReplicas(t *testing.T) {
	began := time.Now()
	db := pgSchemaURL(t)
	secret := strings.Repeat("s", 40)
	envA := demoEnv(t, t.TempDir())
	envA["DATABASE_URL"], envA["TANDEM_VISITOR_SECRET"] = db, secret
	a := start(t, envA, "demo")
	envB := map[string]string{"DATABASE_URL": db, "TANDEM_ADDR": "127.0.0.1:0", "TANDEM_DATA_DIR": t.TempDir(),
		"TANDEM_LOG_LEVEL": "warn", "TANDEM_VISITOR_SECRET": secret}
	b := start(t, envB, "serve")

	var conv apiConversation
	if code := a.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"replica-ann","name":"Ann"}}`, &conv); code != 201 {
		t.Fatalf("create conversation on A = %d", code)
	}
	convPath := "/api/console/conversations/" + conv.ID
	customerSays := func(text string) turn {
		t.Helper()
		var tr turn
		body, _ := json.Marshal(map[string]string{"text": text})
		if code := a.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", string(body), &tr); code != 201 {
			t.Fatalf("customer's %q on A = %d", text, code)
		}
		return tr
	}

	// The agent signs in on B, goes online and opens the console socket.
	agent := consoleLogin(t, b.base, "agent")
	var presence struct{ Username, Status string }
	if code := agent.do(t, "PUT", "/api/console/presence", `{"status":"online"}`, &presence); code != 200 || presence.Status != "online" {
		t.Fatalf("presence on B = %d %+v", code, presence)
	}
	events, send := consoleEvents(t, agent)

	// The console socket sends nothing on connect. The agent watches a probe conversation waiting
	// in the queue (as the console does for the one on screen); notes on it, by another agent on
	// A, show when B's socket gets A's events live. Then the probe is closed.
	agent2 := consoleLogin(t, a.base, "agent2")
	var probe apiConversation
	a.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"replica-probe"}}`, &probe)
	if code := a.call(t, "POST", "/api/v1/conversations/"+probe.ID+"/handoff", "", nil); code != 200 {
		t.Fatalf("probe handoff = %d", code)
	}
	send(`{"type":"watch","conversation_id":"` + probe.ID + `"}`)
	live := time.Now()
	for attempt := 1; ; attempt++ {
		if code := agent2.do(t, "POST", "/api/console/conversations/"+probe.ID+"/notes", `{"text":"probe"}`, nil); code != 201 {
			t.Fatalf("probe note on A = %d", code)
		}
		if sawConsoleEvent(events, 300*time.Millisecond, func(ev consoleEvent) bool { return ev.Type == "note" && ev.ConversationID == probe.ID }) {
			t.Logf("B's console socket live with A's events after %d probe(s), %v", attempt, time.Since(live).Round(time.Millisecond))
			break
		}
		if time.Since(live) > 10*time.Second {
			t.Fatal("B's console socket got none of A's events within 10s")
		}
	}
	if code := agent2.do(t, "POST", "/api/console/conversations/"+probe.ID+"/close", "", nil); code != 200 {
		t.Fatalf("close the probe = %d", code)
	}

	// The handoff on A reaches B's queue within 1 s.
	asked := time.Now()
	tr := customerSays("I want a human")
	returned := time.Now()
	if len(tr.Replies) != 1 || tr.Replies[0].Decision != "handoff" || tr.Replies[0].Reason != "customer_request" {
		t.Fatalf("asking for a person: %+v", tr.Replies)
	}
	q := awaitEvent(t, events, 5*time.Second, "queue event", func(ev consoleEvent) bool {
		return ev.Type == "queue" && ev.ConversationID == conv.ID && ev.Owner == "waiting"
	})
	t.Logf("queue event on B %v after the customer's POST on A returned (negative: before it returned; %v after it was sent; the POST took %v)",
		q.at.Sub(returned).Round(time.Microsecond), q.at.Sub(asked).Round(time.Microsecond), returned.Sub(asked).Round(time.Microsecond))
	if late := q.at.Sub(returned); late > time.Second {
		t.Errorf("the queue event reached B %v after the handoff, want within 1s", late)
	}
	if q.Reason != "customer_request" {
		t.Errorf("queue event reason %q, want customer_request", q.Reason)
	}
	var queue struct {
		Conversations []struct {
			ID       string `json:"id"`
			Position int    `json:"position"`
			Reason   string `json:"reason"`
			Customer struct{ ID, Name string }
		} `json:"conversations"`
	}
	agent.do(t, "GET", "/api/console/conversations?view=queue", "", &queue)
	if len(queue.Conversations) != 1 || queue.Conversations[0].ID != conv.ID || queue.Conversations[0].Position != 1 ||
		queue.Conversations[0].Customer.Name != "Ann" {
		t.Fatalf("B's queue = %+v, want the conversation at position 1", queue.Conversations)
	}

	// The agent accepts on B; a second accept, on B or by another agent on A, is a conflict.
	var accepted struct{ Owner, Assignee string }
	if code := agent.do(t, "POST", convPath+"/accept", "", &accepted); code != 200 || accepted.Owner != "human" || accepted.Assignee != "agent" {
		t.Fatalf("accept on B = %d %+v", code, accepted)
	}
	var e apiError
	if code := agent.do(t, "POST", convPath+"/accept", "", &e); code != 409 || e.Error.Code != "conflict" {
		t.Fatalf("accepting again on B = %d %+v, want 409 conflict", code, e)
	}
	agent2.do(t, "PUT", "/api/console/presence", `{"status":"online"}`, nil)
	e = apiError{}
	if code := agent2.do(t, "POST", convPath+"/accept", "", &e); code != 409 || e.Error.Code != "conflict" ||
		!strings.Contains(e.Error.Message, "agent") {
		t.Fatalf("agent2 accepting on A = %d %+v, want 409 conflict naming agent", code, e)
	}
	e = apiError{}
	if code := agent2.do(t, "POST", convPath+"/messages", `{"text":"hello"}`, &e); code != 403 {
		t.Fatalf("agent2 replying to agent's conversation = %d %+v, want 403", code, e)
	}

	// The customer's app socket on A (it catches up from the start, then is live).
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	app, _, err := websocket.Dial(ctx, strings.Replace(a.base, "http://", "ws://", 1)+"/api/v1/conversations/"+conv.ID+"/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + a.key}}})
	if err != nil {
		t.Fatal(err)
	}
	defer app.CloseNow()
	next(t, app, func(ev event) bool { return ev.Type == "owner" }) // caught up, now live

	// The customer asks on A: the bot stays silent to the customer and drafts for the agent on B.
	tr = customerSays("How do I file a claim?")
	if len(tr.Replies) != 0 {
		t.Fatalf("the bot replied while the agent holds the conversation: %+v", tr.Replies)
	}
	// B's console gets the question (the agent's own conversation now) and the draft, in either order.
	var d consoleEvent
	question := false
	awaitEvent(t, events, 15*time.Second, "the question's message event and the draft event", func(ev consoleEvent) bool {
		switch {
		case ev.ConversationID != conv.ID:
		case ev.Type == "message" && ev.Message != nil && ev.Message.ID == tr.Message.ID:
			question = true
		case ev.Type == "draft" && ev.Draft != nil && ev.Draft.MessageID == tr.Message.ID:
			d = ev // (the accept drafted for the handed-off message before)
		}
		return question && d.Type == "draft"
	})
	if d.Draft == nil || strings.TrimSpace(d.Draft.Text) == "" || d.Draft.MessageID != tr.Message.ID || len(d.Draft.Sources) == 0 ||
		!strings.Contains(d.Draft.Sources[0].URL, "/kb/en-claims") {
		t.Fatalf("draft event %+v, want a draft answering message %d from /kb/en-claims", d.Draft, tr.Message.ID)
	}

	// The agent sends the edited draft on B; the customer's socket on A gets it, and only it.
	edited := "Hi Ann! " + strings.TrimSpace(d.Draft.Text)
	body, _ := json.Marshal(map[string]any{"text": edited, "draft_id": d.Draft.ID})
	var sent apiMessage
	if code := agent.do(t, "POST", convPath+"/messages", string(body), &sent); code != 201 || sent.Author != "agent" || sent.Text != edited {
		t.Fatalf("agent reply on B = %d %+v", code, sent)
	}
	rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer rcancel()
	for {
		_, data, err := app.Read(rctx)
		if err != nil {
			t.Fatalf("waiting for the agent's message on A's app socket: %v", err)
		}
		var ev struct {
			Type    string      `json:"type"`
			Message *apiMessage `json:"message"`
		}
		json.Unmarshal(data, &ev)
		switch ev.Type {
		case chat.EventDraft, chat.EventDraftDelta, chat.EventNote, chat.EventQueue, chat.EventSLABreach:
			t.Fatalf("the customer's socket got an agents-only event: %s", data)
		case "delta":
			t.Fatalf("the customer's socket got a bot reply being written while the agent holds it: %s", data)
		case "message":
			if ev.Message.Author == "bot" {
				t.Fatalf("the customer got a bot message while the agent holds it: %+v", ev.Message)
			}
			if strings.Contains(ev.Message.Text, d.Draft.Text) && ev.Message.Author != "agent" {
				t.Fatalf("the customer saw the draft: %+v", ev.Message)
			}
		}
		if ev.Type == "message" && ev.Message.Author == "agent" {
			if ev.Message.ID != sent.ID || ev.Message.Text != edited {
				t.Fatalf("agent message on A %+v, want %d %q", ev.Message, sent.ID, edited)
			}
			break
		}
	}

	// Back to the bot on B: the customer's next question on A gets a bot answer.
	var back struct{ Owner, Assignee string }
	if code := agent.do(t, "POST", convPath+"/return", "", &back); code != 200 || back.Owner != "bot" || back.Assignee != "" {
		t.Fatalf("return on B = %d %+v", code, back)
	}
	tr = customerSays("How do I reset my password?")
	if len(tr.Replies) != 1 || tr.Replies[0].Decision != "answer" || tr.Replies[0].Author != "bot" {
		t.Fatalf("after the return: replies %+v, want one bot answer", tr.Replies)
	}
	next(t, app, func(ev event) bool { return ev.Type == "message" && ev.Message.ID == tr.Replies[0].ID })

	// The draft is stored with the final text and the edit distance.
	st, err := postgres.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	draft, err := st.LatestDraft(context.Background(), conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if draft.ID != d.Draft.ID || draft.Final != edited || draft.SentID != sent.ID || draft.EditDistance == nil || *draft.EditDistance <= 0 {
		t.Fatalf("stored draft %+v (edit distance %v), want %d with final %q, sent as %d, edited", draft, draft.EditDistance, d.Draft.ID, edited, sent.ID)
	}

	// Sessions: a session started on A works on B (they share the store); garbage, forged ones
	// signed the old way with the shared secret (valid or expired) and missing cookies are refused.
	valid := consoleLogin(t, a.base, "agent2").cookie(t)
	if code := rawCookie(t, b.base, "GET", "/api/console/me", valid, nil); code != 200 {
		t.Fatalf("a session started on A = %d on B, want 200", code)
	}
	forged := oldSession(t, secret, "agent", "agent", time.Now().Add(time.Hour))
	expired := oldSession(t, secret, "agent", "agent", time.Now().Add(-time.Hour))
	for _, tc := range []struct{ name, cookie, message string }{
		{"garbage", "tandem_session=garbage", ""},
		{"expired", "tandem_session=" + expired, "expired"},
		{"forged", "tandem_session=" + forged, ""},
		{"tampered", valid[:len(valid)-4] + "AAAA", ""},
		{"none", "", ""},
	} {
		for _, in := range []*instance{a, b} {
			var e apiError
			if code := rawCookie(t, in.base, "GET", "/api/console/me", tc.cookie, &e); code != 401 || e.Error.Code != "unauthorized" ||
				!strings.Contains(e.Error.Message, tc.message) {
				t.Errorf("%s cookie: GET /api/console/me = %d %+v, want 401 unauthorized", tc.name, code, e)
			}
		}
		_, resp, err := websocket.Dial(ctx, strings.Replace(b.base, "http://", "ws://", 1)+"/api/console/ws",
			&websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {tc.cookie}}})
		if err == nil || resp == nil || resp.StatusCode != 401 {
			t.Errorf("%s cookie: console socket dial %v %v, want 401", tc.name, err, resp)
		}
	}
	t.Logf("took %v", time.Since(began).Round(time.Millisecond))
}
