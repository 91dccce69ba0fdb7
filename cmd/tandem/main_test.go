package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is an io.Writer safe for the server goroutine and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// instance is a Tandem started in-process by run, as the binary would be.
type instance struct {
	base   string
	key    string
	cancel context.CancelFunc
	done   chan int
	out    *syncBuffer
	errs   *syncBuffer
	once   sync.Once
}

var listenRE = regexp.MustCompile(`(?:listening on|Demo page with the chat widget)\s+(http://[0-9.:]+)`)

// start runs `tandem <args>` with env and waits until it listens.
func start(t testing.TB, env map[string]string, args ...string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{cancel: cancel, done: make(chan int, 1), out: &syncBuffer{}, errs: &syncBuffer{}, key: env["TANDEM_DEMO_API_KEY"]}
	getenv := func(k string) string { return env[k] }
	go func() { in.done <- run(ctx, args, getenv, in.out, in.errs) }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenRE.FindStringSubmatch(in.out.String()); m != nil {
			in.base = m[1]
			t.Cleanup(in.stop)
			return in
		}
		select {
		case code := <-in.done:
			t.Fatalf("tandem exited with %d before listening:\n%s\n%s", code, in.out, in.errs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("tandem did not listen within 30s:\n%s\n%s", in.out, in.errs)
	return nil
}

// stop shuts the instance down gracefully and waits; safe to call twice.
func (in *instance) stop() {
	in.once.Do(func() {
		in.cancel()
		select {
		case code := <-in.done:
			if code != 0 {
				fmt.Fprintf(os.Stderr, "tandem exited %d: %s\n", code, in.errs)
			}
		case <-time.After(20 * time.Second):
			fmt.Fprintln(os.Stderr, "tandem did not stop within 20s")
		}
	})
}

// call does an HTTP request with the instance's API key and decodes the JSON answer into out.
func (in *instance) call(t *testing.T, method, path, body string, out any) int {
	t.Helper()
	return in.callKey(t, in.key, method, path, body, out)
}

func (in *instance) callKey(t *testing.T, key, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, in.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
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

// allowed is a TANDEM_OUTBOUND_ALLOW value letting the server reach these loopback fakes (and
// only them): each URL's host:port.
func allowed(urls ...string) string {
	var hosts []string
	for _, u := range urls {
		p, err := url.Parse(u)
		if err != nil || p.Host == "" {
			panic("allowed: not a URL: " + u)
		}
		hosts = append(hosts, p.Host)
	}
	return strings.Join(hosts, ",")
}

func demoEnv(t testing.TB, dir string) map[string]string {
	return map[string]string{"TANDEM_DATA_DIR": dir, "TANDEM_ADDR": "127.0.0.1:0", "TANDEM_DEMO_API_KEY": "tk_test_key",
		"TANDEM_LOG_LEVEL": "warn"}
}

type apiMessage struct {
	ID         int64   `json:"id"`
	Author     string  `json:"author"`
	Text       string  `json:"text"`
	Confidence float64 `json:"confidence"`
	Decision   string  `json:"decision"`
	Reason     string  `json:"reason"`
	Sources    []struct {
		Title string `json:"title"`
		URL   string `json:"url"`
	} `json:"sources"`
}

type turn struct {
	Message apiMessage   `json:"message"`
	Replies []apiMessage `json:"replies"`
}

type apiConversation struct {
	ID       string       `json:"id"`
	Owner    string       `json:"owner"`
	Messages []apiMessage `json:"messages"`
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func TestAppAPIEndToEnd(t *testing.T) {
	dir := t.TempDir()
	in := start(t, demoEnv(t, dir), "demo")
	var conv apiConversation
	if code := in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"c1","name":"Ann"}}`, &conv); code != 201 || conv.Owner != "bot" || conv.ID == "" {
		t.Fatalf("create = %d %+v", code, conv)
	}
	var raw map[string]any
	in.call(t, "GET", "/api/v1/conversations/"+conv.ID, "", &raw)
	for _, k := range []string{"queued_at", "first_response_due", "last_customer_at"} {
		if v, ok := raw[k]; ok {
			t.Errorf("a conversation never queued has %s = %v; a time never set is omitted", k, v)
		}
	}
	ask := func(text, wantDecision, wantURL string) apiMessage {
		t.Helper()
		var tr turn
		body, _ := json.Marshal(map[string]string{"text": text})
		if code := in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", string(body), &tr); code != 201 {
			t.Fatalf("post %q = %d", text, code)
		}
		if len(tr.Replies) != 1 {
			t.Fatalf("%q: %d replies", text, len(tr.Replies))
		}
		r := tr.Replies[0]
		if r.Decision != wantDecision || r.Confidence < 0 || r.Confidence > 1 {
			t.Fatalf("%q: reply %+v, want decision %s", text, r, wantDecision)
		}
		if wantURL != "" && (len(r.Sources) == 0 || !strings.Contains(r.Sources[0].URL, wantURL)) {
			t.Fatalf("%q: sources %+v, want %s", text, r.Sources, wantURL)
		}
		return r
	}
	ask("How do I file a claim?", "answer", "/kb/en-claims")
	ask("如何报案？", "answer", "/kb/zh-claims")
	h := ask("转人工", "handoff", "")
	if h.Reason != "customer_request" {
		t.Fatalf("handoff reason = %q", h.Reason)
	}
	var got apiConversation
	in.call(t, "GET", "/api/v1/conversations/"+conv.ID, "", &got)
	if got.Owner != "waiting" || len(got.Messages) != 6 {
		t.Fatalf("after handoff: owner %s with %d messages, want waiting with 6", got.Owner, len(got.Messages))
	}
	// While waiting for a person the bot says nothing.
	var tr turn
	in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":"How do I file a claim?"}`, &tr)
	if len(tr.Replies) != 0 {
		t.Fatalf("bot replied while waiting: %+v", tr.Replies)
	}

	// Restart on the same data directory: nothing is lost.
	in.stop()
	in2 := start(t, demoEnv(t, dir), "serve")
	in2.key = in.key
	var again apiConversation
	if code := in2.call(t, "GET", "/api/v1/conversations/"+conv.ID, "", &again); code != 200 || len(again.Messages) != 7 || again.Owner != "waiting" {
		t.Fatalf("after restart: %d owner %s, %d messages; want waiting with 7", code, again.Owner, len(again.Messages))
	}
}

func TestBadInput(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	var conv apiConversation
	in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"c1"}}`, &conv)
	msgs := "/api/v1/conversations/" + conv.ID + "/messages"
	big := `{"text":"` + strings.Repeat("a", 2<<20) + `"}`
	tests := []struct {
		name, key, method, path, body string
		status                        int
		code                          string
	}{
		{"no key", "", "GET", "/api/v1/conversations/" + conv.ID, "", 401, "unauthorized"},
		{"wrong key", "nope", "GET", "/api/v1/conversations/" + conv.ID, "", 401, "unauthorized"},
		{"unknown conversation", in.key, "GET", "/api/v1/conversations/missing", "", 404, "not_found"},
		{"message to unknown conversation", in.key, "POST", "/api/v1/conversations/missing/messages", `{"text":"hi"}`, 404, "not_found"},
		{"malformed JSON", in.key, "POST", msgs, `{"text":`, 400, "invalid"},
		{"empty body", in.key, "POST", msgs, ``, 400, "invalid"},
		{"empty text", in.key, "POST", msgs, `{"text":"   "}`, 400, "invalid"},
		{"too long text", in.key, "POST", msgs, `{"text":"` + strings.Repeat("字", 4097) + `"}`, 400, "invalid"},
		{"oversized body", in.key, "POST", msgs, big, 413, "too_large"},
		{"missing customer id", in.key, "POST", "/api/v1/conversations", `{"customer":{}}`, 400, "invalid"},
		{"wrong visitor token", "garbage", "POST", "/api/widget/messages", `{"text":"hi"}`, 401, "unauthorized"},
		{"no visitor token", "", "POST", "/api/widget/messages", `{"text":"hi"}`, 401, "unauthorized"},
		{"forged session token", "", "POST", "/api/widget/session", `{"visitor_token":"a.b.c"}`, 401, "unauthorized"},
		{"unknown route", "", "GET", "/api/v1/nothing", "", 401, "unauthorized"},
		{"unknown page", "", "GET", "/nothing", "", 404, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e apiError
			if got := in.callKey(t, tt.key, tt.method, tt.path, tt.body, &e); got != tt.status || e.Error.Code != tt.code || e.Error.Message == "" {
				t.Fatalf("status %d %+v, want %d %s", got, e, tt.status, tt.code)
			}
		})
	}
	var after apiConversation
	in.call(t, "GET", "/api/v1/conversations/"+conv.ID, "", &after)
	if len(after.Messages) != 0 {
		t.Fatalf("bad requests stored %d messages", len(after.Messages))
	}
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"TANDEM_DATA_DIR": dir}
	tests := []struct {
		args     []string
		env      map[string]string
		code     int
		contains string
	}{
		{[]string{"version"}, env, 0, "tandem"},
		{[]string{"--help"}, env, 0, "Commands:"},
		{[]string{"bogus"}, env, 2, "unknown command"},
		{[]string{}, env, 2, "Usage"},
		{[]string{"serve", "--help"}, env, 0, "-addr"},
		{[]string{"serve"}, map[string]string{"TANDEM_ADDR": "nonsense", "TANDEM_DATA_DIR": dir}, 1, "TANDEM_ADDR"},
		{[]string{"serve"}, map[string]string{"TANDEM_LLM_BASE_URL": "ftp://x", "TANDEM_DATA_DIR": dir}, 1, "TANDEM_LLM_BASE_URL"},
		{[]string{"serve"}, map[string]string{"DATABASE_URL": "mysql://x", "TANDEM_DATA_DIR": dir}, 1, "DATABASE_URL"},
		{[]string{"migrate"}, env, 0, "migrations applied"},
		{[]string{"ask"}, env, 1, "question is required"},
		{[]string{"ask", "How do I file a claim?"}, env, 0, "decision: answer"},
		{[]string{"ask", "--json", "转人工"}, env, 0, `"decision": "handoff"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tt.args, func(k string) string { return tt.env[k] }, &out, &errb)
			if code != tt.code || !strings.Contains(out.String()+errb.String(), tt.contains) {
				t.Fatalf("exit %d, want %d; output %q / %q, want it to contain %q", code, tt.code, out.String(), errb.String(), tt.contains)
			}
		})
	}
}
