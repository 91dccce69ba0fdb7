package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// policyBackend fakes a business back-end with one endpoint per way of failing, counting the
// requests that reach it.
type policyBackend struct {
	srv    *httptest.Server
	hits   atomic.Int64
	writes atomic.Int64
}

func newPolicyBackend(t *testing.T) *policyBackend {
	b := &policyBackend{}
	mux := http.NewServeMux()
	answer := func(w http.ResponseWriter, status int, body string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
	mux.HandleFunc("GET /ok/{ref}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-1" || r.URL.Query().Get("customer") != "cust-1" {
			answer(w, 401, `{"error":"who are you?"}`)
			return
		}
		answer(w, 200, `{"owner":{"id":"cust-1"},"policy":{"state":"in force"}}`)
	})
	mux.HandleFunc("GET /slow/{ref}", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
		answer(w, 200, `{"owner":{"id":"cust-1"},"policy":{"state":"in force"}}`)
	})
	mux.HandleFunc("GET /fail500/{ref}", func(w http.ResponseWriter, r *http.Request) { answer(w, 500, `{"error":"boom"}`) })
	mux.HandleFunc("GET /fail404/{ref}", func(w http.ResponseWriter, r *http.Request) { answer(w, 404, `{"error":"no such policy"}`) })
	mux.HandleFunc("GET /html/{ref}", func(w http.ResponseWriter, r *http.Request) { answer(w, 200, `<html>maintenance</html>`) })
	mux.HandleFunc("GET /missing/{ref}", func(w http.ResponseWriter, r *http.Request) { answer(w, 200, `{"owner":{"id":"cust-1"},"policy":{}}`) })
	mux.HandleFunc("POST /renew/{ref}", func(w http.ResponseWriter, r *http.Request) {
		b.writes.Add(1)
		answer(w, 200, `{"owner":{"id":"cust-1"},"policy":{"state":"renewed"}}`)
	})
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { b.hits.Add(1); mux.ServeHTTP(w, r) }))
	t.Cleanup(b.srv.Close)
	return b
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// policyCheck is an action definition reading one policy at base+path.
func policyCheck(base, path string, extra string) string {
	return `{"description":{"en":"Check one of the customer's policies"},"method":"GET","url":"` + base + path + `/{policy}?customer={customer_id}",
		"auth":{"type":"bearer","token":"tok-1"},"params":[{"name":"policy","required":true,"pattern":"PX\\d{6}","owned":true}],
		"customer":["customer_id"],"response":{"owner":"owner.id","fields":{"state":"policy.state"},
		"reply":{"en":"Policy {policy} is {state}.","zh":"保单 {policy}：{state}。"}},"timeout_ms":300,"risk":"read"` + extra + `}`
}

// TestActionFailures: every way a back-end fails — down, too slow, 4xx, 5xx, not JSON, a mapped
// field missing, a target on a loopback address nobody allowed — gives the customer a clear
// message in their language, hands off with reason action_failed and leaves the error on the
// transcript for the agent; repeated failures open the action's circuit; every call is counted.
func TestActionFailures(t *testing.T) {
	be := newPolicyBackend(t)
	u, _ := url.Parse(be.srv.URL)
	down := closedAddr(t)
	in := actionDemo(t, map[string]string{"TANDEM_ACTION_ALLOW_HOSTS": u.Host + "," + down})
	admin := deskLogin(t, in.base, "admin", demoAdminPassword)
	put := func(body string) {
		t.Helper()
		var e apiError
		if code := admin.do(t, "PUT", "/api/admin/actions/policy_check", body, &e); code != 200 {
			t.Fatalf("put action = %d %+v", code, e)
		}
	}
	put(policyCheck(be.srv.URL, "/ok", ""))
	intent := `{"action":"run","run":"policy_check","examples":["zebra check of my policy PX123456","zebra policy check","please zebra check PX654321","斑马保单检查 PX123456","斑马检查我的保单"]}`
	if code := in.call(t, "PUT", "/api/v1/intents/policy_check", intent, nil); code != 200 {
		t.Fatalf("put intent = %d", code)
	}
	ask := func(text string) (apiMessage, string) {
		t.Helper()
		var conv apiConversation
		in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"cust-1"}}`, &conv)
		var tr turn
		if code := in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":`+jsQuote(text)+`}`, &tr); code != 201 || len(tr.Replies) != 1 {
			t.Fatalf("post = %d %+v", code, tr)
		}
		return tr.Replies[0], conv.ID
	}
	if r, _ := ask("zebra check of my policy PX123456"); r.Text != "Policy PX123456 is in force." {
		t.Fatalf("working back-end → %+v", r)
	}
	for _, c := range []struct{ name, base, path, note string }{
		{"down", "http://" + down, "/x", "down: no connection"},
		{"timeout", be.srv.URL, "/slow", "timeout: no answer within 300ms"},
		{"4xx", be.srv.URL, "/fail404", "status: 404 Not Found"},
		{"5xx", be.srv.URL, "/fail500", "status: 500 Internal Server Error"},
		{"malformed", be.srv.URL, "/html", "malformed: the answer is not JSON"},
		{"missing field", be.srv.URL, "/missing", "missing_field: the answer has no policy.state"},
		{"not allowed", strings.Replace(be.srv.URL, "127.0.0.1", "localhost", 1), "/ok", "refused: localhost is on a local or private address"},
	} {
		t.Run(c.name, func(t *testing.T) {
			put(policyCheck(c.base, c.path, ""))
			for _, q := range []struct{ text, want string }{
				{"zebra check of my policy PX123456", "couldn't get that from our systems"},
				{"斑马保单检查 PX123456", "暂时无法从系统中查到"},
			} {
				r, convID := ask(q.text)
				if r.Decision != "handoff" || r.Reason != "action_failed" || !strings.Contains(r.Text, q.want) {
					t.Errorf("%q → %+v", q.text, r)
				}
				var cv struct {
					Conversation struct{ Owner, Reason string }
					Notes        []struct{ Author, Text string }
				}
				admin.do(t, "GET", "/api/console/conversations/"+convID, "", &cv)
				if cv.Conversation.Owner != "waiting" || cv.Conversation.Reason != "action_failed" || len(cv.Notes) != 1 || !strings.Contains(cv.Notes[0].Text, c.note) {
					t.Errorf("%q: conversation %+v, notes %+v; want waiting for action_failed with a note %q", q.text, cv.Conversation, cv.Notes, c.note)
				}
			}
		})
	}

	// Five failing calls in a row open the circuit: the next is not sent.
	put(policyCheck(be.srv.URL, "/fail500", ""))
	for range 5 { // a changed definition starts with its circuit closed
		ask("zebra check of my policy PX123456")
	}
	before := be.hits.Load()
	ask("zebra check of my policy PX123456")
	if be.hits.Load() != before {
		t.Errorf("a call reached the back-end with the circuit open")
	}

	// An export shows no secret; importing it keeps the stored token: the back-end still
	// accepts the call.
	put(policyCheck(be.srv.URL, "/ok", ""))
	var file json.RawMessage
	admin.do(t, "GET", "/api/admin/actions/export", "", &file)
	if strings.Contains(string(file), "tok-1") {
		t.Fatalf("export shows the token: %s", file)
	}
	if code := admin.do(t, "POST", "/api/admin/actions/import", string(file), nil); code != 200 {
		t.Fatalf("import = %d", code)
	}
	if r, _ := ask("zebra check of my policy PX123456"); r.Text != "Policy PX123456 is in force." {
		t.Fatalf("after importing the masked export → %+v", r)
	}

	var stats struct {
		Actions []struct {
			Action   string
			Calls    int
			OK       int
			Failures map[string]int
			P95MS    float64 `json:"p95_ms"`
		}
	}
	admin.do(t, "GET", "/api/admin/actions/stats", "", &stats)
	if len(stats.Actions) != 1 {
		t.Fatalf("stats = %+v", stats)
	}
	s := stats.Actions[0]
	if s.Calls != 22 || s.OK != 2 || s.Failures["circuit_open"] != 1 || s.Failures["timeout"] != 2 || s.Failures["refused"] != 2 || s.Failures["status"] != 9 || s.P95MS < 250 {
		t.Errorf("stats = %+v; want 22 calls (1 ok, 2 of each failure, 5 more 5xx, 1 with the circuit open, 1 ok), p95 ≥ the timeouts", s)
	}
}

// TestActionAdmin: definitions are validated with errors naming the field, secrets never come
// back and a masked one is kept, export and import round-trip, changes are audited, and agents
// cannot touch definitions.
func TestActionAdmin(t *testing.T) {
	in := actionDemo(t, nil)
	admin := deskLogin(t, in.base, "admin", demoAdminPassword)
	if code := deskAgent(t, in.base).do(t, "GET", "/api/admin/actions", "", nil); code != 403 {
		t.Fatalf("agent on /api/admin/actions = %d, want 403", code)
	}
	for body, want := range map[string]string{
		policyCheck("https://hm.example", "/p", `,"retries":5`):                                                 "retries",
		strings.Replace(policyCheck("https://hm.example", "/p", ""), `"read"`, `"write"`, 1) + "":               "", // GET as write is fine
		strings.Replace(policyCheck("https://{policy}.example", "/p", ""), "", "", 1):                           "url: the host cannot be a placeholder",
		strings.Replace(policyCheck("https://hm.example", "/p", ""), `PX\\d{6}`, `PX(`, 1):                      "params.policy.pattern",
		strings.Replace(policyCheck("https://hm.example", "/p", ""), `"owner.id"`, `""`, 1):                     "response.owner",
		strings.Replace(policyCheck("https://hm.example", "/p", ""), `{state}.`, `{colour}.`, 1):                "response.reply.en",
		strings.Replace(policyCheck("https://hm.example", "/p", ""), `"bearer","token":"tok-1"`, `"header"`, 1): "auth.header",
	} {
		var e apiError
		code := admin.do(t, "PUT", "/api/admin/actions/probe", body, &e)
		if want == "" {
			if code != 200 {
				t.Errorf("valid definition = %d %+v", code, e)
			}
			continue
		}
		if code != 400 || !strings.Contains(e.Error.Message, want) {
			t.Errorf("bad definition (%s) = %d %q", want, code, e.Error.Message)
		}
	}
	if code := admin.do(t, "PUT", "/api/admin/actions/policy_check", policyCheck("https://hm.example", "/p", ""), nil); code != 200 {
		t.Fatalf("put = %d", code)
	}
	if code := admin.do(t, "DELETE", "/api/admin/actions/probe", "", nil); code != 204 {
		t.Fatalf("delete = %d", code)
	}
	var file json.RawMessage
	admin.do(t, "GET", "/api/admin/actions/export", "", &file)
	if strings.Contains(string(file), "tok-1") || !strings.Contains(string(file), "••••") {
		t.Fatalf("export shows the secret: %s", file)
	}
	var imp struct{ Imported int }
	if code := admin.do(t, "POST", "/api/admin/actions/import", string(file), &imp); code != 200 || imp.Imported != 5 {
		t.Fatalf("import of the export = %d %+v", code, imp) // the demo's four and policy_check
	}
	var audit struct {
		Entries []struct{ Action, Target string }
	}
	admin.do(t, "GET", "/api/admin/audit", "", &audit)
	seen := map[string]bool{}
	for _, e := range audit.Entries {
		seen[e.Action+" "+e.Target] = true
	}
	for _, want := range []string{"PUT /api/admin/actions/:name policy_check", "DELETE /api/admin/actions/:name probe", "POST /api/admin/actions/import "} {
		if !seen[want] {
			t.Errorf("audit log lacks %q: %v", want, seen)
		}
	}
}

// TestActionWriteConfirmed: a write runs only after the customer says yes ("yes", "确认"); "no"
// sends nothing; a missing parameter is asked for first.
func TestActionWriteConfirmed(t *testing.T) {
	be := newPolicyBackend(t)
	u, _ := url.Parse(be.srv.URL)
	in := actionDemo(t, map[string]string{"TANDEM_ACTION_ALLOW_HOSTS": u.Host})
	admin := deskLogin(t, in.base, "admin", demoAdminPassword)
	def := strings.NewReplacer(`"method":"GET"`, `"method":"POST"`, `"risk":"read"`, `"risk":"write"`, `"Check one of`, `"Renew one of`,
		`"Policy {policy} is {state}."`, `"Policy {policy} is {state}."`).Replace(policyCheck(be.srv.URL, "/renew", ""))
	if code := admin.do(t, "PUT", "/api/admin/actions/renew_policy", def, nil); code != 200 {
		t.Fatalf("put = %d", code)
	}
	intent := `{"action":"run","run":"renew_policy","examples":["zebra renew my policy PX123456","zebra renewal please","please zebra renew","斑马续保 PX123456","斑马帮我续保"]}`
	if code := in.call(t, "PUT", "/api/v1/intents/renew_policy", intent, nil); code != 200 {
		t.Fatalf("put intent = %d", code)
	}
	var conv apiConversation
	in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"cust-1"}}`, &conv)
	say := func(text string) apiMessage {
		t.Helper()
		var tr turn
		if code := in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":`+jsQuote(text)+`}`, &tr); code != 201 || len(tr.Replies) != 1 {
			t.Fatalf("post %q = %d %+v", text, code, tr)
		}
		return tr.Replies[0]
	}
	if r := say("zebra renewal please"); r.Decision != "clarify" || !strings.Contains(r.Text, "policy") {
		t.Fatalf("without the policy number → %+v, want a question", r)
	}
	if r := say("PX123456"); r.Decision != "clarify" || !strings.Contains(r.Text, "Shall I go ahead") || !strings.Contains(r.Text, "policy: PX123456") {
		t.Fatalf("with it → %+v, want a confirmation question", r)
	}
	if r := say("no"); !strings.Contains(r.Text, "haven't changed anything") || be.writes.Load() != 0 {
		t.Fatalf("no → %+v with %d writes, want nothing sent", r, be.writes.Load())
	}
	if r := say("zebra renew my policy PX123456"); !strings.Contains(r.Text, "Shall I go ahead") || be.writes.Load() != 0 {
		t.Fatalf("asked again → %+v with %d writes", r, be.writes.Load())
	}
	if r := say("yes"); r.Text != "Policy PX123456 is renewed." || be.writes.Load() != 1 {
		t.Fatalf("yes → %+v with %d writes, want the write sent once", r, be.writes.Load())
	}
	if r := say("斑马续保 PX123456"); !strings.Contains(r.Text, "确认办理吗") || be.writes.Load() != 1 {
		t.Fatalf("in Chinese → %+v with %d writes", r, be.writes.Load())
	}
	if r := say("确认"); r.Text != "保单 PX123456：renewed。" || be.writes.Load() != 2 {
		t.Fatalf("确认 → %+v with %d writes", r, be.writes.Load())
	}
}

// TestActionIdentityOnChannels: on a messaging channel nobody vouched for, an action is never
// run: the customer is handed to a person (needs_identity). Once an admin trusts the channel, its
// customers are verified by their platform id — which owns no demo claim, so the claim is not
// read out to them either.
func TestActionIdentityOnChannels(t *testing.T) {
	h := channelHarnesses[0] // telegram
	waitFor := func(f *fakePlatform, text string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if f.count(text) > 0 {
				return
			}
		}
		t.Fatalf("the platform never got %q", text)
	}
	for _, trusted := range []bool{false, true} {
		fake, env, deliver := h.setup(t)
		for k, v := range demoEnv(t, t.TempDir()) {
			env[k] = v
		}
		if trusted {
			env["TANDEM_ACTION_TRUSTED_CHANNELS"] = "telegram"
		}
		in := start(t, env, "demo")
		if code := deliver(t, in.base, false, 7001, "where is my claim CL20261104?"); code != 200 {
			t.Fatalf("webhook = %d", code)
		}
		admin := deskLogin(t, in.base, "admin", demoAdminPassword)
		if !trusted {
			waitFor(fake, "I can't confirm who you are on this channel")
			if calls, _ := actionStats(t, admin, "claim_status"); calls != 0 {
				t.Errorf("an unverified customer's question called the back-end %d times", calls)
			}
			in.stop()
			continue
		}
		waitFor(fake, "I couldn't find CL20261104 on your account")
		if fake.count("approved") != 0 {
			t.Errorf("another customer's claim was read out on the channel")
		}
		if calls, ok := actionStats(t, admin, "claim_status"); calls != 1 || ok != 0 {
			t.Errorf("claim_status calls = %d (%d ok), want 1 refused as not the customer's", calls, ok)
		}
	}
}
