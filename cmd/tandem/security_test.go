package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"
)

// oldSession forges a console session cookie the way sessions used to be made: an HS256 token
// keyed with HMAC(secret, "tandem console session"), which anyone knowing the secret could sign.
func oldSession(t *testing.T, secret, user, role string, exp time.Time) string {
	t.Helper()
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("tandem console session"))
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": user, "role": role, "iss": "tandem-console",
		"iat": time.Now().Unix(), "exp": exp.Unix()}).SignedString(mac.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// oldVisitorToken forges a widget visitor token signed directly with the secret, as they used to be.
func oldVisitorToken(t *testing.T, secret, visitor, conv string) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": visitor, "cid": conv, "iss": "tandem-widget",
		"exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestServeRefusesKnownSecret: `tandem serve` does not start with the secret compose.yaml used to
// ship, another placeholder, or a short one, and says which setting is wrong.
func TestServeRefusesKnownSecret(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"TANDEM_SECRET", "change-me-to-a-long-random-secret-string", "placeholder"},
		{"TANDEM_VISITOR_SECRET", "change-me-to-a-long-random-secret-string", "placeholder"},
		{"TANDEM_SECRET", "your-secret-here-your-secret-here-123", "placeholder"},
		{"TANDEM_SECRET", "short-but-random-8f3a", "at least 32 bytes"},
	} {
		env := map[string]string{"TANDEM_DATA_DIR": t.TempDir(), "TANDEM_ADDR": "127.0.0.1:0", tc.name: tc.value}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		code, out := runCLIContext(ctx, env, "serve")
		cancel()
		if code == 0 || !strings.Contains(out, tc.name) || !strings.Contains(out, tc.want) {
			t.Errorf("serve with %s=%q: exit %d, output %q; want a refusal naming %s and saying %q", tc.name, tc.value, code, out, tc.name, tc.want)
		}
	}
}

func runCLIContext(ctx context.Context, env map[string]string, args ...string) (int, string) {
	var out, errs syncBuffer
	code := run(ctx, args, func(k string) string { return env[k] }, &out, &errs)
	return code, out.String() + errs.String()
}

// TestServeGeneratesSecret: `tandem serve` with nothing configured generates a secret once, keeps
// it in the data dir readable by the owner only, says so, and reuses it: a widget visitor keeps
// their conversation across restarts.
func TestServeGeneratesSecret(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"TANDEM_DATA_DIR": dir, "TANDEM_ADDR": "127.0.0.1:0", "TANDEM_LOG_LEVEL": "info"}
	in := start(t, env, "serve")
	path := filepath.Join(dir, "secret.key")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no generated secret: %v", err)
	}
	if fi.Mode().Perm() != 0o600 || fi.Size() < 32 {
		t.Fatalf("secret file mode %v size %d, want 0600 and ≥ 32 bytes", fi.Mode().Perm(), fi.Size())
	}
	if !strings.Contains(in.errs.String(), "generated a random secret") {
		t.Errorf("the log does not say a secret was generated:\n%s", in.errs)
	}
	var ws widgetSession
	if code := in.callKey(t, "", "POST", "/api/widget/session", `{}`, &ws); code != 200 {
		t.Fatalf("widget session = %d", code)
	}
	in.stop()
	again := start(t, env, "serve")
	var resumed widgetSession
	if code := again.callKey(t, "", "POST", "/api/widget/session", `{"visitor_token":"`+ws.VisitorToken+`"}`, &resumed); code != 200 ||
		resumed.ConversationID != ws.ConversationID {
		t.Fatalf("after a restart the visitor token = %d %+v, want conversation %s", code, resumed, ws.ConversationID)
	}
	if strings.Contains(again.errs.String(), "generated a random secret") {
		t.Error("the secret was generated again on the second start")
	}
}

// TestForgedSessionRefused is the review's takeover: on a fresh `tandem serve` with no accounts,
// whoever knows the secret signs an admin session and a visitor token the old way. Both get 401
// now, on the admin, console, knowledge and widget APIs, and the attempt is logged.
func TestForgedSessionRefused(t *testing.T) {
	secret := strings.Repeat("s", 40)
	env := map[string]string{"TANDEM_DATA_DIR": t.TempDir(), "TANDEM_ADDR": "127.0.0.1:0", "TANDEM_LOG_LEVEL": "warn", "TANDEM_SECRET": secret}
	in := start(t, env, "serve")
	var ws widgetSession
	if code := in.callKey(t, "", "POST", "/api/widget/session", `{}`, &ws); code != 200 {
		t.Fatalf("widget session = %d", code)
	}
	admin := "tandem_session=" + oldSession(t, secret, "admin", "admin", time.Now().Add(time.Hour))
	ghost := "tandem_session=" + oldSession(t, secret, "ghost", "admin", time.Now().Add(time.Hour))
	for _, cookie := range []string{admin, ghost} {
		for _, path := range []string{"/api/admin/users", "/api/admin/channels", "/api/trainer/review", "/api/v1/kb/documents", "/api/console/me"} {
			var e apiError
			if code := rawCookie(t, in.base, "GET", path, cookie, &e); code != 401 || e.Error.Code != "unauthorized" {
				t.Errorf("forged session on %s = %d %+v, want 401", path, code, e)
			}
		}
	}
	forged := oldVisitorToken(t, secret, "someone", ws.ConversationID)
	if code := in.callKey(t, "", "POST", "/api/widget/session", `{"visitor_token":"`+forged+`"}`, nil); code != 401 {
		t.Errorf("a visitor token signed with the raw secret = %d, want 401", code)
	}
	if code := in.callKey(t, forged, "POST", "/api/widget/messages", `{"text":"hi"}`, nil); code != 401 {
		t.Errorf("a message with a visitor token signed with the raw secret = %d, want 401", code)
	}
	logs := in.errs.String() + in.out.String()
	if !strings.Contains(logs, "console session refused") {
		t.Errorf("forged sessions were not logged:\n%s", logs)
	}
	if strings.Contains(logs, secret) || strings.Contains(logs, admin[len("tandem_session="):]) {
		t.Error("the log carries the secret or the forged token")
	}
}

// sessionCookie returns the tandem_session cookie a signed-in desk client holds, as a Cookie header.
func (a *deskClient) sessionCookie(t *testing.T) string {
	t.Helper()
	u, _ := url.Parse(a.base)
	for _, c := range a.c.Jar.Cookies(u) {
		if c.Name == "tandem_session" {
			return c.Name + "=" + c.Value
		}
	}
	t.Fatal("no tandem_session cookie")
	return ""
}

// TestSessionsRevoked: a session cookie stops working the moment its user logs out, an admin
// disables the account, or the account is given a new role (and password) with `tandem users
// add`; on the console API, the trainer API and the console socket.
func TestSessionsRevoked(t *testing.T) {
	env := demoEnv(t, t.TempDir())
	in := start(t, env, "demo")
	refused := func(what, cookie, path string) {
		t.Helper()
		var e apiError
		if code := rawCookie(t, in.base, "GET", path, cookie, &e); code != 401 {
			t.Errorf("%s: GET %s with the old cookie = %d %+v, want 401", what, path, code, e)
		}
		_, resp, err := websocket.Dial(context.Background(), strings.Replace(in.base, "http://", "ws://", 1)+"/api/console/ws",
			&websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {cookie}}})
		if path == "/api/console/me" && (err == nil || resp == nil || resp.StatusCode != 401) {
			t.Errorf("%s: console socket with the old cookie: %v %v, want 401", what, err, resp)
		}
	}

	agent := consoleLogin(t, in.base, "agent")
	old := agent.cookie(t)
	if code := rawCookie(t, in.base, "GET", "/api/console/me", old, nil); code != 200 {
		t.Fatalf("fresh session = %d", code)
	}
	if code := agent.do(t, "POST", "/api/console/logout", "", nil); code != 204 {
		t.Fatalf("logout = %d", code)
	}
	refused("after logout", old, "/api/console/me")

	agent2 := consoleLogin(t, in.base, "agent2").cookie(t)
	admin := deskLogin(t, in.base, "admin", demoAdminPassword)
	if code := admin.do(t, "POST", "/api/admin/users/agent2/disable", "", nil); code != 204 {
		t.Fatalf("disable agent2 = %d", code)
	}
	refused("after the account was disabled", agent2, "/api/console/me")

	trainer := trainerLogin(t, in.base).sessionCookie(t)
	if code := rawCookie(t, in.base, "GET", "/api/trainer/me", trainer, nil); code != 200 {
		t.Fatalf("trainer session = %d", code)
	}
	if code, out := runCLI(t, env, "users", "add", "trainer", "--role", "agent"); code != 0 {
		t.Fatalf("users add trainer --role agent = %d: %s", code, out)
	}
	refused("after a role change", trainer, "/api/trainer/me")
	// The admin's own session is untouched by all of this.
	if code := rawCookie(t, in.base, "GET", "/api/admin/users", admin.sessionCookie(t), nil); code != 200 {
		t.Errorf("admin session = %d, want 200", code)
	}
}

// signedInAgent signs a console user in (any role) and returns the client consoleEvents takes.
func signedInAgent(t *testing.T, base, user, password string) *agentClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	a := &agentClient{base: base, http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	if code := a.do(t, "POST", "/api/console/login", `{"username":"`+user+`","password":"`+password+`"}`, nil); code != 200 {
		t.Fatalf("login %s = %d", user, code)
	}
	return a
}

// TestAgentSeesOnlyTheirTeams: an agent of team "general" cannot read, annotate or watch live a
// conversation held in team "billing" by another agent, nor a bot-only one; their own team's
// queue and what they handled stay visible; an admin sees everything. Through the console API and
// the console socket.
func TestAgentSeesOnlyTheirTeams(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	admin := signedInAgent(t, in.base, "admin", demoAdminPassword)
	agent := signedInAgent(t, in.base, "agent", demoAgentPassword)
	agent2 := signedInAgent(t, in.base, "agent2", demoAgentPassword)
	for user, team := range map[string]string{"agent": "general", "agent2": "billing"} {
		if code := admin.do(t, "PUT", "/api/console/agents/"+user, `{"capacity":5,"teams":["`+team+`"]}`, nil); code != 200 {
			t.Fatalf("put %s in %s = %d", user, team, code)
		}
		c := map[string]*agentClient{"agent": agent, "agent2": agent2}[user]
		if code := c.do(t, "PUT", "/api/console/presence", `{"status":"online"}`, nil); code != 200 {
			t.Fatalf("presence %s = %d", user, code)
		}
	}
	newConv := func(customer string) string {
		var conv apiConversation
		if code := in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"`+customer+`"}}`, &conv); code != 201 {
			t.Fatalf("create conversation = %d", code)
		}
		var tr turn
		if code := in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":"How do I reset my password?"}`, &tr); code != 201 ||
			len(tr.Replies) == 0 || tr.Replies[0].Decision != "answer" {
			t.Fatalf("customer message = %d %+v, want a bot answer", code, tr)
		}
		return conv.ID
	}
	path := func(id, action string) string { return "/api/console/conversations/" + id + action }
	// Billing: agent2 takes it, moves it to billing, takes it again and writes a note.
	billing := newConv("bill-ann")
	for _, step := range []struct {
		who                  *agentClient
		method, action, body string
	}{
		{nil, "POST", "/handoff", ""}, {agent2, "POST", "/accept", ""},
		{agent2, "POST", "/transfer", `{"team":"billing"}`}, {agent2, "POST", "/accept", ""},
		{agent2, "POST", "/notes", `{"text":"refund of 120 approved"}`},
	} {
		code := 0
		if step.who == nil {
			code = in.call(t, step.method, "/api/v1/conversations/"+billing+step.action, step.body, nil)
		} else {
			code = step.who.do(t, step.method, path(billing, step.action), step.body, nil)
		}
		if code/100 != 2 {
			t.Fatalf("%s %s = %d", step.method, step.action, code)
		}
	}
	botOnly := newConv("bot-bob")
	// General: queued to everyone (no team), taken by agent.
	general := newConv("gen-cy")
	if code := in.call(t, "POST", "/api/v1/conversations/"+general+"/handoff", "", nil); code != 200 {
		t.Fatalf("handoff = %d", code)
	}

	for _, id := range []string{billing, botOnly} {
		for _, r := range []struct{ method, action, body string }{
			{"GET", "", ""}, {"POST", "/notes", `{"text":"peek"}`}, {"POST", "/close", ""}, {"POST", "/accept", ""}, {"POST", "/typing", ""},
		} {
			var e apiError
			if code := agent.do(t, r.method, path(id, r.action), r.body, &e); code != 403 {
				t.Errorf("agent %s %s on someone else's conversation = %d %+v, want 403", r.method, r.action, code, e)
			}
		}
		if code := admin.do(t, "GET", path(id, ""), "", nil); code != 200 {
			t.Errorf("admin GET %s = %d, want 200", id, code)
		}
	}
	var detail struct {
		Notes []struct{ Text string } `json:"notes"`
	}
	if code := agent2.do(t, "GET", path(billing, ""), "", &detail); code != 200 || len(detail.Notes) != 1 {
		t.Errorf("agent2 on their own conversation = %d %+v, want 200 with one note", code, detail)
	}
	if code := agent.do(t, "GET", path(general, ""), "", nil); code != 200 {
		t.Errorf("agent on a conversation queued to everyone = %d, want 200", code)
	}
	if code := agent.do(t, "POST", path(general, "/accept"), "", nil); code != 200 {
		t.Errorf("agent accepts a conversation queued to everyone = %d, want 200", code)
	}

	// Live: the agent watches billing's conversation, an admin watches it too; the customer's
	// next message reaches the admin's socket and never the agent's.
	agentEvents, agentSend := consoleEvents(t, agent)
	adminEvents, adminSend := consoleEvents(t, admin)
	agentSend(`{"type":"watch","conversation_id":"` + billing + `"}`)
	adminSend(`{"type":"watch","conversation_id":"` + billing + `"}`)
	isPIN := func(ev consoleEvent) bool {
		return ev.ConversationID == billing && ev.Type == "message" && ev.Message != nil && strings.Contains(ev.Message.Text, "PIN")
	}
	deadline := time.Now().Add(5 * time.Second)
	for !sawConsoleEvent(adminEvents, 200*time.Millisecond, isPIN) {
		if time.Now().After(deadline) {
			t.Fatal("the admin's socket never got the customer's message")
		}
		if code := in.call(t, "POST", "/api/v1/conversations/"+billing+"/messages", `{"text":"my PIN is 1234"}`, nil); code != 201 {
			t.Fatalf("customer message = %d", code)
		}
	}
	if sawConsoleEvent(agentEvents, time.Second, isPIN) {
		t.Error("the agent's socket got a message of another team's conversation it asked to watch")
	}
}

// TestKnowledgeChangesAudited: knowledge, intent and settings changes made with a trainer's
// session or with an API key are in the audit log, with who made them and the outcome.
func TestKnowledgeChangesAudited(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	trainer := trainerLogin(t, in.base)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", "audited.md")
	part.Write([]byte("# Audited boats\n\nWe insure audited boats up to 12 metres."))
	w.Close()
	req, _ := http.NewRequest("POST", in.base+"/api/v1/kb/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Cookie", trainer.sessionCookie(t))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("upload = %d", res.StatusCode)
	}
	var docs struct {
		Documents []struct{ ID, Title string } `json:"documents"`
	}
	trainer.do(t, "GET", "/api/v1/kb/documents", "", &docs)
	docID := ""
	for _, d := range docs.Documents {
		if d.Title == "Audited boats" {
			docID = d.ID
		}
	}
	if docID == "" {
		t.Fatalf("uploaded document not listed: %+v", docs)
	}
	for _, step := range []struct{ method, path, body string }{
		{"DELETE", "/api/v1/kb/documents/" + docID, ""},
		{"PUT", "/api/v1/intents/audited_intent", `{"examples":["audit me","audit this"],"action":"answer","answer":"hi"}`},
		{"DELETE", "/api/v1/intents/audited_intent", ""},
		{"PUT", "/api/v1/settings", `{"target_precision":0.85}`},
	} {
		if code := trainer.do(t, step.method, step.path, step.body, nil); code/100 != 2 {
			t.Fatalf("trainer %s %s = %d", step.method, step.path, code)
		}
	}
	if code := in.call(t, "PUT", "/api/v1/settings", `{"target_precision":0.8}`, nil); code != 200 {
		t.Fatalf("settings with the API key = %d", code)
	}
	if code := in.call(t, "PUT", "/api/v1/settings", `{"target_precision":0.1}`, nil); code != 400 {
		t.Fatalf("bad settings with the API key = %d", code)
	}
	admin := deskLogin(t, in.base, "admin", demoAdminPassword)
	var audit struct {
		Entries []struct {
			Actor, Role, Action, Target string
			Status                      int
		} `json:"entries"`
	}
	if code := admin.do(t, "GET", "/api/admin/audit", "", &audit); code != 200 {
		t.Fatalf("audit = %d", code)
	}
	var got []string
	for _, e := range audit.Entries {
		got = append(got, fmt.Sprintf("%s/%s %s %s %d", e.Actor, e.Role, e.Action, e.Target, e.Status))
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"trainer/trainer POST /api/v1/kb/import  200",
		"trainer/trainer DELETE /api/v1/kb/documents/:id " + docID + " 204",
		"trainer/trainer PUT /api/v1/intents/:name audited_intent 200",
		"trainer/trainer DELETE /api/v1/intents/:name audited_intent 204",
		"trainer/trainer PUT /api/v1/settings  200",
		"/api_key PUT /api/v1/settings  200",
		"/api_key PUT /api/v1/settings  400",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("audit log lacks %q:\n%s", want, all)
		}
	}
}

// TestVerifiedWidgetTokenNotReused is the shared-browser case: a signed-in customer's visitor
// token lasts no longer than the site's identity token (a day at most), and a page that gives no
// identity cannot resume it, with identity required or not; anonymous visitors resume as before.
// An identity token with an oversized name is refused.
func TestVerifiedWidgetTokenNotReused(t *testing.T) {
	secret := strings.Repeat("i", 40)
	sign := func(claims jwt.MapClaims) string {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	expiry := func(tok string) time.Time {
		var claims jwt.RegisteredClaims
		if _, _, err := jwt.NewParser().ParseUnverified(tok, &claims); err != nil || claims.ExpiresAt == nil {
			t.Fatalf("visitor token %q: %v", tok, err)
		}
		return claims.ExpiresAt.Time
	}
	for _, required := range []string{"false", "true"} {
		env := demoEnv(t, t.TempDir())
		env["TANDEM_WIDGET_IDENTITY_SECRET"], env["TANDEM_WIDGET_IDENTITY_REQUIRED"] = secret, required
		in := start(t, env, "demo")
		soon := time.Now().Add(time.Hour)
		var alice widgetSession
		body := `{"identity_token":"` + sign(jwt.MapClaims{"sub": "alice", "name": "Alice", "exp": soon.Unix()}) + `"}`
		if code := in.callKey(t, "", "POST", "/api/widget/session", body, &alice); code != 200 {
			t.Fatalf("required=%s: identified session = %d", required, code)
		}
		if exp := expiry(alice.VisitorToken); exp.After(soon.Add(time.Second)) {
			t.Errorf("required=%s: verified visitor token expires %v, after the identity token's %v", required, exp, soon)
		}
		var week widgetSession
		body = `{"identity_token":"` + sign(jwt.MapClaims{"sub": "alice", "exp": time.Now().Add(7 * 24 * time.Hour).Unix()}) + `"}`
		if code := in.callKey(t, "", "POST", "/api/widget/session", body, &week); code != 200 {
			t.Fatalf("required=%s: identified session = %d", required, code)
		}
		if exp := expiry(week.VisitorToken); exp.After(time.Now().Add(24*time.Hour + time.Minute)) {
			t.Errorf("required=%s: verified visitor token expires %v, more than a day ahead", required, exp)
		}
		// The next person on the browser: the page gives no identity, the stored token is offered.
		var next widgetSession
		code := in.callKey(t, "", "POST", "/api/widget/session", `{"visitor_token":"`+alice.VisitorToken+`"}`, &next)
		if code != 401 || next.ConversationID == alice.ConversationID {
			t.Errorf("required=%s: a signed-in customer's token without identity = %d %+v, want 401", required, code, next)
		}
		// Alice herself, on the page that vouches for her, still gets her conversation; messages
		// with her token still work while it lasts.
		var again widgetSession
		body = `{"identity_token":"` + sign(jwt.MapClaims{"sub": "alice", "exp": soon.Unix()}) + `","visitor_token":"` + alice.VisitorToken + `"}`
		if code := in.callKey(t, "", "POST", "/api/widget/session", body, &again); code != 200 || again.ConversationID != alice.ConversationID {
			t.Errorf("required=%s: alice again = %d %+v, want her conversation", required, code, again)
		}
		if code := in.callKey(t, alice.VisitorToken, "POST", "/api/widget/messages", `{"text":"hello"}`, nil); code != 201 {
			t.Errorf("required=%s: alice's message = %d", required, code)
		}
		// Another identity on the same browser gets their own conversation, never alice's.
		var bob widgetSession
		body = `{"identity_token":"` + sign(jwt.MapClaims{"sub": "bob", "exp": soon.Unix()}) + `","visitor_token":"` + alice.VisitorToken + `"}`
		if code := in.callKey(t, "", "POST", "/api/widget/session", body, &bob); code != 200 || bob.ConversationID == alice.ConversationID {
			t.Errorf("required=%s: bob on alice's browser = %d %+v, want his own conversation", required, code, bob)
		}
		long := `{"identity_token":"` + sign(jwt.MapClaims{"sub": "carol", "name": strings.Repeat("n", 10_000), "exp": soon.Unix()}) + `"}`
		if code := in.callKey(t, "", "POST", "/api/widget/session", long, nil); code != 401 {
			t.Errorf("required=%s: identity with a 10,000-byte name = %d, want 401", required, code)
		}
		if required == "false" {
			var anon, resumed widgetSession
			in.callKey(t, "", "POST", "/api/widget/session", `{}`, &anon)
			if code := in.callKey(t, "", "POST", "/api/widget/session", `{"visitor_token":"`+anon.VisitorToken+`"}`, &resumed); code != 200 ||
				resumed.ConversationID != anon.ConversationID {
				t.Errorf("anonymous visitor resume = %d %+v, want their conversation", code, resumed)
			}
		}
		in.stop()
	}
}

// TestSignInLimits: guessing one name from many addresses is slowed, and so is guessing many
// names from one address; a user who signed in on this browser before is not locked out by
// someone guessing their password from the same shared address. Sign-in from another site's page
// is refused.
func TestSignInLimits(t *testing.T) {
	env := demoEnv(t, t.TempDir())
	env["TANDEM_TRUST_PROXY"] = "true" // X-Forwarded-For picks the client's address
	in := start(t, env, "demo")
	login := func(ip, user, password, cookie string) rawResult {
		t.Helper()
		h := map[string]string{"X-Forwarded-For": ip}
		if cookie != "" {
			h["Cookie"] = cookie
		}
		return rawPost(t, in.base+"/api/console/login", `{"username":"`+user+`","password":"`+password+`"}`, h)
	}
	limited := func(n int, attempt func(i int) rawResult) int {
		for i := range n {
			if res := attempt(i); res.status == 429 {
				return i
			}
		}
		return -1
	}

	// The agent signed in on this browser yesterday: it keeps the device cookie.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	req, _ := http.NewRequest("POST", in.base+"/api/console/login", strings.NewReader(`{"username":"agent","password":"`+demoAgentPassword+`"}`))
	req.Header.Set("X-Forwarded-For", "10.0.0.1")
	res, err := browser.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("first sign-in: %v %v", err, res)
	}
	res.Body.Close()
	u, _ := url.Parse(in.base + "/api/console/login")
	device := ""
	for _, c := range jar.Cookies(u) {
		if c.Name == "tandem_device" {
			device = c.Name + "=" + c.Value
		}
	}
	if device == "" {
		t.Fatal("no device cookie after signing in")
	}
	// Someone behind the same office address guesses the agent's password until refused.
	if i := limited(15, func(i int) rawResult { return login("10.0.0.1", "agent", fmt.Sprint("guess-", i), "") }); i < 0 {
		t.Fatal("15 wrong passwords for one name were never limited")
	}
	if res := login("10.0.0.1", "agent", demoAgentPassword, ""); res.status != 429 {
		t.Errorf("a browser without the device cookie during the attack = %+v, want 429", res)
	}
	if res := login("10.0.0.1", "agent", demoAgentPassword, device); res.status != 200 {
		t.Errorf("the agent on their own browser during the attack = %+v, want 200", res)
	}
	// One name guessed from many addresses.
	if i := limited(15, func(i int) rawResult { return login(fmt.Sprintf("10.0.1.%d", i), "trainer", "guess", "") }); i < 0 {
		t.Error("15 guesses at one name from 15 addresses were never limited")
	}
	// A forged device cookie buys nothing.
	if res := login("10.0.1.99", "trainer", "guess", "tandem_device=abc.def"); res.status != 429 {
		t.Errorf("a forged device cookie = %+v, want 429", res)
	}
	// Many names guessed from one address.
	if i := limited(25, func(i int) rawResult { return login("10.0.2.1", fmt.Sprint("user", i), "guess", "") }); i < 0 {
		t.Error("25 guesses at 25 names from one address were never limited")
	}

	for name, h := range map[string]map[string]string{
		"other origin":     {"Origin": "https://evil.example"},
		"cross-site fetch": {"Sec-Fetch-Site": "cross-site"},
	} {
		h["X-Forwarded-For"] = "10.0.3.1"
		if res := rawPost(t, in.base+"/api/console/login", `{"username":"agent2","password":"`+demoAgentPassword+`"}`, h); res.status != 403 {
			t.Errorf("sign-in from %s = %+v, want 403", name, res)
		}
		if res := rawPost(t, in.base+"/api/trainer/login", `{"username":"trainer","password":"`+demoTrainerPassword+`"}`, h); res.status != 403 {
			t.Errorf("trainer sign-in from %s = %+v, want 403", name, res)
		}
	}
}

// TestSignInTiming: a wrong password for a name with no account takes as long as one for a real
// account (the password hash runs either way), so timing does not tell which names exist.
func TestSignInTiming(t *testing.T) {
	env := demoEnv(t, t.TempDir())
	env["TANDEM_TRUST_PROXY"] = "true"
	in := start(t, env, "demo")
	median := func(user string) time.Duration {
		var ds []time.Duration
		for i := range 5 {
			began := time.Now()
			res := rawPost(t, in.base+"/api/console/login", `{"username":"`+user+`","password":"wrong"}`,
				map[string]string{"X-Forwarded-For": fmt.Sprintf("10.9.%d.1", i)})
			ds = append(ds, time.Since(began))
			if res.status != 401 {
				t.Fatalf("%s: %+v, want 401", user, res)
			}
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	known, unknown := median("agent"), median("nobody-by-this-name")
	t.Logf("wrong password: %v for an account, %v for no account", known, unknown)
	if unknown < known/2 {
		t.Errorf("no account answers in %v, an account in %v: timing tells which names exist", unknown, known)
	}
}

// TestAppKeyStaysOnItsChannel: the app API key reads and writes only the app API's own
// conversations: a widget conversation is not found through it (no "customer" messages planted,
// no history read, no handoff, no socket), and an app customer with the same id as a signed-in
// widget customer is another customer, whose tier leaves the widget customer's alone.
func TestAppKeyStaysOnItsChannel(t *testing.T) {
	secret := strings.Repeat("i", 40)
	env := demoEnv(t, t.TempDir())
	env["TANDEM_WIDGET_IDENTITY_SECRET"] = secret
	in := start(t, env, "demo")
	identity, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "alice", "tier": "vip",
		"exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(secret))
	var ws widgetSession
	if code := in.callKey(t, "", "POST", "/api/widget/session", `{"identity_token":"`+identity+`"}`, &ws); code != 200 {
		t.Fatalf("widget session = %d", code)
	}
	before := len(ws.Messages)
	for _, r := range []struct{ method, path, body string }{
		{"GET", "", ""}, {"POST", "/messages", `{"text":"please refund to account 999"}`}, {"POST", "/handoff", ""},
		{"POST", "/back", ""}, {"POST", "/rating", `{"score":1}`}, {"POST", "/feedback", `{"message_id":1,"helpful":false}`},
		{"GET", "/ws", ""},
	} {
		var e apiError
		if code := in.call(t, r.method, "/api/v1/conversations/"+ws.ConversationID+r.path, r.body, &e); code != 404 {
			t.Errorf("app key %s %s on a widget conversation = %d %+v, want 404", r.method, r.path, code, e)
		}
	}
	var after widgetSession
	in.callKey(t, "", "POST", "/api/widget/session", `{"identity_token":"`+identity+`"}`, &after)
	if len(after.Messages) != before {
		t.Errorf("the widget conversation has %d messages after the app key's attempts, had %d", len(after.Messages), before)
	}
	if code := in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"id:alice","tier":"standard"}}`, nil); code != 201 {
		t.Fatalf("app conversation = %d", code)
	}
	admin := deskLogin(t, in.base, "admin", demoAdminPassword)
	var cu struct {
		Attrs map[string]string `json:"attributes"`
	}
	if code := admin.do(t, "GET", "/api/admin/customers?channel=web&external_id=id:alice", "", &cu); code != 200 || cu.Attrs["tier"] != "vip" {
		t.Errorf("the widget customer after the app API named the same id = %d %+v, want tier vip", code, cu)
	}
}

// TestComposeHasNoDefaultSecret: compose.yaml starts nothing without a secret of the operator's
// own (no fallback value anyone could read here) and publishes the port on loopback only.
func TestComposeHasNoDefaultSecret(t *testing.T) {
	data, err := os.ReadFile("../../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if !strings.Contains(text, `TANDEM_SECRET: "${TANDEM_SECRET:?`) {
		t.Error("compose.yaml does not require TANDEM_SECRET with ${TANDEM_SECRET:?…}")
	}
	for _, line := range strings.Split(text, "\n") {
		l := strings.TrimSpace(line)
		if strings.HasPrefix(l, "#") {
			continue
		}
		if strings.Contains(l, "SECRET") && strings.Contains(l, ":-") {
			t.Errorf("compose.yaml falls back to a default secret: %s", l)
		}
		if strings.HasPrefix(l, "- \"") && strings.Contains(l, ":8080") && !strings.HasPrefix(l, `- "127.0.0.1:`) {
			t.Errorf("compose.yaml publishes a port beyond loopback: %s", l)
		}
	}
}
