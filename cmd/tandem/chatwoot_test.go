package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tandem/llm/llmtest"
)

// fakeChatwoot is a Chatwoot installation's REST API as the agent bot uses it: messages and
// toggle_status per conversation, authenticated by the bot's api_access_token.
type fakeChatwoot struct {
	*httptest.Server
	mu     sync.Mutex
	posts  map[int64][]string // conversation display id → contents posted
	status map[int64]string   // conversation display id → status set by toggle_status
	nextID int
}

var cwPath = regexp.MustCompile(`^/api/v1/accounts/7/conversations/(\d+)/(messages|toggle_status)$`)

func newFakeChatwoot(t *testing.T) *fakeChatwoot {
	f := &fakeChatwoot{posts: map[int64][]string{}, status: map[int64]string{}, nextID: 9000}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		m := cwPath.FindStringSubmatch(r.URL.Path)
		if r.Header.Get("api_access_token") != "cw-token" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"errors":["You need to sign in or sign up before continuing."]}`)
			return
		}
		if m == nil || r.Method != http.MethodPost {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":"Resource could not be found"}`)
			return
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		var body struct {
			Content     string `json:"content"`
			MessageType string `json:"message_type"`
			Private     bool   `json:"private"`
			Status      string `json:"status"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		f.mu.Lock()
		defer f.mu.Unlock()
		if m[2] == "toggle_status" {
			f.status[id] = body.Status
			fmt.Fprintf(w, `{"meta":{},"payload":{"success":true,"conversation_id":%d,"current_status":%q,"snoozed_until":null}}`, id, body.Status)
			return
		}
		if body.MessageType != "outgoing" || body.Private {
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"message":"message_type is invalid"}`)
			return
		}
		f.nextID++
		f.posts[id] = append(f.posts[id], body.Content)
		fmt.Fprintf(w, `{"id":%d,"content":%q,"inbox_id":3,"conversation_id":%d,"message_type":1,"content_type":"text","status":"sent",`+
			`"content_attributes":{},"created_at":%d,"private":false,"source_id":null,"sender":{"id":1,"name":"Tandem","avatar_url":"","type":"agent_bot"}}`,
			f.nextID, body.Content, id, time.Now().Unix())
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeChatwoot) posted(conv int64) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.posts[conv]...)
}

func (f *fakeChatwoot) toggled(conv int64) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status[conv]
}

// cwEvent is a webhook body built from the recorded payloads in testdata/chatwoot.
type cwEvent map[string]any

func loadCW(t *testing.T, name string) cwEvent {
	t.Helper()
	b, err := os.ReadFile("testdata/chatwoot/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var e cwEvent
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

// cwMessage is a customer's message_created in conversation conv, with the conversation's status
// and assignee as Chatwoot reports them.
func cwMessage(t *testing.T, id, conv int64, text, status string, assignee map[string]any) cwEvent {
	e := loadCW(t, "message_created.json")
	e["id"], e["content"] = id, text
	c := e["conversation"].(map[string]any)
	c["id"], c["status"] = conv, status
	meta := c["meta"].(map[string]any)
	if assignee != nil {
		meta["assignee"], meta["assignee_type"] = assignee, "User"
	}
	return e
}

// cwConversationEvent is a conversation event (conversation_opened, conversation_resolved,
// conversation_status_changed) for conv.
func cwConversationEvent(t *testing.T, event string, conv int64, status string, assignee map[string]any) cwEvent {
	e := loadCW(t, "conversation_opened.json")
	e["event"], e["id"], e["status"] = event, conv, status
	e["messages"].([]any)[0].(map[string]any)["conversation_id"] = conv
	meta := e["meta"].(map[string]any)
	meta["assignee"] = assignee
	if assignee == nil {
		meta["assignee_type"] = nil
	}
	if event == "conversation_status_changed" {
		e["changed_attributes"] = []any{map[string]any{"status": map[string]any{"previous_value": "open", "current_value": status}}}
	}
	return e
}

var amy = map[string]any{"id": 12, "name": "Amy Agent", "available_name": "Amy", "avatar_url": "", "type": "user", "availability_status": "online"}

// chatwootWebhookClient delivers like Chatwoot: a 5 s timeout (WEBHOOK_TIMEOUT), after which
// Chatwoot abandons the delivery and marks the message failed.
var chatwootWebhookClient = &http.Client{Timeout: 5 * time.Second}

// postCW delivers e signed with secret and returns the status (0: Chatwoot gave up) and the time
// the webhook took.
func postCW(t *testing.T, base, secret string, e cwEvent) (int, time.Duration) {
	t.Helper()
	body, _ := json.Marshal(e)
	ts := time.Now().Unix()
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", ts)
	mac.Write(body)
	req, _ := http.NewRequest("POST", base+"/webhooks/chatwoot", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Chatwoot-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Chatwoot-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("X-Chatwoot-Delivery", fmt.Sprintf("%x", sha256.Sum256(body)))
	start := time.Now()
	res, err := chatwootWebhookClient.Do(req)
	took := time.Since(start)
	var ue interface{ Timeout() bool }
	if errors.As(err, &ue) && ue.Timeout() {
		return 0, took
	}
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, took
}

// chatwootCases are the Chatwoot conformance cases on one store ("sqlite" or "postgres"), with a
// model that takes 6 s to answer, so a bot turn outlasts Chatwoot's 5 s webhook timeout.
func chatwootCases(t *testing.T, store string) {
	const botSecret, accountSecret = "cw-bot-secret", "cw-account-webhook-secret"
	cw := newFakeChatwoot(t)
	model := llmtest.New()
	t.Cleanup(model.Close)
	model.SetChat(func(r llmtest.ChatRequest) llmtest.Script {
		return llmtest.Script{Text: "Call 400-800-1234 [1].", Delay: 6 * time.Second}
	})
	env := demoEnv(t, t.TempDir())
	if store == "postgres" {
		env["DATABASE_URL"] = pgSchemaURL(t)
	}
	for k, v := range map[string]string{"TANDEM_CHATWOOT_URL": cw.URL, "TANDEM_CHATWOOT_TOKEN": "cw-token", "TANDEM_CHATWOOT_SECRET": botSecret,
		"TANDEM_CHATWOOT_ACCOUNT_SECRET": accountSecret, "TANDEM_LLM_BASE_URL": model.BaseURL(), "TANDEM_LLM_MODEL": "slow-model",
		"TANDEM_LLM_API_KEY": "sk-test", "TANDEM_LLM_TIMEOUT": "8s", "TANDEM_OUTBOUND_ALLOW": allowed(cw.URL, model.BaseURL())} {
		env[k] = v
	}
	in := start(t, env, "demo")
	deliver := func(e cwEvent, secret string) {
		t.Helper()
		code, took := postCW(t, in.base, secret, e)
		if code != http.StatusOK || took > time.Second {
			t.Fatalf("%v %v: webhook answered %d after %s; Chatwoot gives up after 5 s, Tandem must answer within 1 s", e["event"], e["id"], code, took)
		}
	}
	waitPosts := func(conv int64, n int) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); len(cw.posted(conv)) < n; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("conversation %d: %d posts, want %d: %q", conv, len(cw.posted(conv)), n, cw.posted(conv))
			}
		}
	}
	type detail struct {
		Conversation struct {
			ID, Owner, Assignee, Thread string
		} `json:"conversation"`
		Messages []apiMessage `json:"messages"`
	}
	// byThread reads the contact's data as a data-access export would.
	byThread := func(conv int64) detail {
		t.Helper()
		code, out := runCLI(t, env, "customers", "export", "--channel", "chatwoot", "--external", "5")
		var x struct{ Conversations []detail }
		if err := json.Unmarshal([]byte(out), &x); code != 0 || err != nil {
			t.Fatalf("customers export = %d %v: %s", code, err, out)
		}
		for _, d := range x.Conversations {
			if d.Conversation.Thread == fmt.Sprintf("7/%d", conv) {
				return d
			}
		}
		t.Fatalf("no Tandem conversation for Chatwoot conversation %d", conv)
		return detail{}
	}
	owner := func(conv int64, want string) detail {
		t.Helper()
		var d detail
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if d = byThread(conv); d.Conversation.Owner == want {
				return d
			}
			if time.Now().After(deadline) {
				t.Fatalf("conversation %d is %q, want %q", conv, d.Conversation.Owner, want)
			}
		}
	}

	// A slow model: each webhook is acknowledged at once; the reply comes after the turn, once,
	// in the conversation the message came from — also when Chatwoot redelivers.
	deliver(cwMessage(t, 1001, 41, "How do I file a claim?", "pending", nil), botSecret)
	// The same contact opens a second conversation: its own Tandem conversation and replies.
	deliver(cwMessage(t, 1002, 42, "What is a deductible?", "pending", nil), botSecret)
	// A third one gets an agent in Chatwoot while the bot is still thinking: no bot reply.
	deliver(cwMessage(t, 1003, 43, "How do I file a claim?", "pending", nil), botSecret)
	deliver(cwConversationEvent(t, "conversation_opened", 43, "open", amy), botSecret)
	deliver(cwMessage(t, 1001, 41, "How do I file a claim?", "pending", nil), botSecret) // Chatwoot redelivers
	waitPosts(41, 1)
	waitPosts(42, 1)
	time.Sleep(1500 * time.Millisecond) // give a second or a misplaced reply time to show
	if p := cw.posted(41); len(p) != 1 || !strings.Contains(p[0], "400-800-1234") {
		t.Fatalf("conversation 41 got %q, want the one answer", p)
	}
	if p := cw.posted(43); len(p) != 0 {
		t.Fatalf("the bot spoke in a conversation a Chatwoot agent owns: %q", p)
	}
	d41, d42 := byThread(41), byThread(42)
	if d41.Conversation.ID == d42.Conversation.ID || len(d42.Messages) != 2 || d42.Messages[0].Text != "What is a deductible?" {
		t.Fatalf("the second Chatwoot conversation must be its own Tandem conversation with its own history: %+v", d42)
	}
	if d := owner(43, "human"); d.Conversation.Assignee != "chatwoot:12" {
		t.Fatalf("conversation 43 = %+v, want owned by the Chatwoot agent", d.Conversation)
	}
	deliver(cwMessage(t, 1004, 43, "Hello?", "open", amy), botSecret)
	// A conversation that is already open and assigned when its first message reaches Tandem.
	deliver(cwMessage(t, 1005, 44, "How do I file a claim?", "open", amy), botSecret)
	owner(44, "human")
	time.Sleep(1500 * time.Millisecond)
	if p43, p44 := cw.posted(43), cw.posted(44); len(p43)+len(p44) != 0 {
		t.Fatalf("bot text in conversations Chatwoot agents own: %q %q", p43, p44)
	}

	// After Tandem's own handoff, Chatwoot's resolved and opened events are followed.
	deliver(cwMessage(t, 1006, 45, "转人工", "pending", nil), botSecret)
	waitPosts(45, 1)
	owner(45, "waiting")
	for deadline := time.Now().Add(5 * time.Second); cw.toggled(45) != "open"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the handoff did not open the Chatwoot conversation for its agents")
		}
	}
	deliver(cwConversationEvent(t, "conversation_resolved", 45, "resolved", nil), botSecret)
	owner(45, "closed")
	deliver(cwConversationEvent(t, "conversation_opened", 45, "open", nil), botSecret)
	owner(45, "waiting")
	// An account webhook (its own secret) gives it back to the bot: the bot answers again.
	deliver(cwConversationEvent(t, "conversation_status_changed", 45, "pending", nil), accountSecret)
	owner(45, "bot")
	deliver(cwMessage(t, 1007, 45, "How do I file a claim?", "pending", nil), botSecret)
	waitPosts(45, 2)
	if p := cw.posted(45); !strings.Contains(p[1], "400-800-1234") {
		t.Fatalf("conversation 45 back with the bot got %q", p)
	}

	// An attachment-only message goes to a person with a description; the customer is told in
	// their language, and the conversation is opened for Chatwoot's agents.
	att := cwMessage(t, 1008, 46, "", "pending", nil)
	att["content"] = nil
	var files any
	json.Unmarshal(mustRead(t, "testdata/chatwoot/attachment.json"), &files)
	att["attachments"] = files
	att["conversation"].(map[string]any)["additional_attributes"].(map[string]any)["browser_language"] = "zh-CN"
	deliver(att, botSecret)
	waitPosts(46, 1)
	if p := cw.posted(46); !strings.Contains(p[0], "已收到") {
		t.Fatalf("attachment notice %q, want it in Chinese", p)
	}
	d := owner(46, "waiting")
	if len(d.Messages) == 0 || !strings.Contains(d.Messages[0].Text, "receipt.jpg") || !strings.Contains(d.Messages[0].Text, "image") {
		t.Fatalf("the agent does not see the attachment: %+v", d.Messages)
	}
	for deadline := time.Now().Add(5 * time.Second); cw.toggled(46) != "open"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the attachment did not open the Chatwoot conversation for its agents")
		}
	}
	if p := cw.posted(41); len(p) != 1 {
		t.Fatalf("conversation 41 got %d posts by the end, want 1: %q", len(p), p)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// chatwootRecovery: the server stops while the bot is still writing two replies. After a restart
// the recovery loop answers the stranded message once, in its own conversation, but not in the
// conversation a Chatwoot agent took in the meantime.
func chatwootRecovery(t *testing.T, store string) {
	const botSecret = "cw-bot-secret"
	cw := newFakeChatwoot(t)
	model := llmtest.New()
	t.Cleanup(model.Close)
	model.SetChat(func(r llmtest.ChatRequest) llmtest.Script {
		return llmtest.Script{Text: "Call 400-800-1234 [1].", Delay: 3 * time.Second}
	})
	env := demoEnv(t, t.TempDir())
	if store == "postgres" {
		env["DATABASE_URL"] = pgSchemaURL(t)
	}
	for k, v := range map[string]string{"TANDEM_CHATWOOT_URL": cw.URL, "TANDEM_CHATWOOT_TOKEN": "cw-token", "TANDEM_CHATWOOT_SECRET": botSecret,
		"TANDEM_LLM_BASE_URL": model.BaseURL(), "TANDEM_LLM_MODEL": "slow-model", "TANDEM_LLM_API_KEY": "sk-test", "TANDEM_LLM_TIMEOUT": "8s",
		"TANDEM_OUTBOUND_ALLOW": allowed(cw.URL, model.BaseURL())} {
		env[k] = v
	}
	first := start(t, env, "demo")
	for i, conv := range []int64{61, 62} {
		if code, _ := postCW(t, first.base, botSecret, cwMessage(t, int64(2001+i), conv, "How do I file a claim?", "pending", nil)); code != 200 {
			t.Fatalf("webhook %d", code)
		}
	}
	first.stop() // while both turns wait for the model
	second := start(t, env, "serve")
	if code, _ := postCW(t, second.base, botSecret, cwConversationEvent(t, "conversation_opened", 61, "open", amy)); code != 200 {
		t.Fatalf("conversation_opened: %d", code)
	}
	for deadline := time.Now().Add(60 * time.Second); len(cw.posted(62)) == 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the stranded message was never answered after the restart")
		}
	}
	if !strings.Contains(first.errs.String(), "chatwoot bot turn failed after the acknowledgement") {
		t.Fatalf("the stopped server's turns did not fail, so this did not test recovery: %s", first.errs)
	}
	time.Sleep(6 * time.Second) // a recovery pass (every 5 s) and a model call more
	if p61, p62 := cw.posted(61), cw.posted(62); len(p61) != 0 || len(p62) != 1 || !strings.Contains(p62[0], "400-800-1234") {
		t.Fatalf("after recovery: conversation 61 (a Chatwoot agent's) got %q, 62 got %q; want nothing and one answer", p61, p62)
	}
}
