package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeTelegram is the Bot API's sendMessage, as documented: {"ok":true,"result":Message} or
// {"ok":false,"error_code","description"}.
type fakeTelegram struct {
	*httptest.Server
	mu    sync.Mutex
	sent  []tgSent
	fails int
}

type tgSent struct {
	ChatID int64  `json:"chat_id"`
	Text   string `json:"text"`
}

func newFakeTelegram(t *testing.T, token string) *fakeTelegram {
	f := &fakeTelegram{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/bot"+token+"/sendMessage" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
			return
		}
		var m tgSent
		json.NewDecoder(r.Body).Decode(&m)
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.fails > 0 {
			f.fails--
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, `{"ok":false,"error_code":502,"description":"Bad Gateway"}`)
			return
		}
		f.sent = append(f.sent, m)
		fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"chat":{"id":%d,"type":"private"},"date":1,"text":%q}}`, len(f.sent), m.ChatID, m.Text)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeTelegram) count(substr string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, m := range f.sent {
		if strings.Contains(m.Text, substr) {
			n++
		}
	}
	return n
}

func (f *fakeTelegram) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sent)
}

// TestTelegramChannel: the channel's conformance points: an answer is delivered, a redelivered
// update is answered once, a bad secret stores nothing, a platform 5xx is retried until delivered
// exactly once, and with a person owning the conversation no bot text goes out.
func TestTelegramChannel(t *testing.T) {
	const token, secret = "123456:ABC-test", "s3cr3t_Token-1"
	fake := newFakeTelegram(t, token)
	env := demoEnv(t, t.TempDir())
	env["TANDEM_TELEGRAM_BOT_TOKEN"], env["TANDEM_TELEGRAM_SECRET"], env["TANDEM_TELEGRAM_API_BASE"] = token, secret, fake.URL
	in := start(t, env, "demo")
	post := func(sec string, update int, text string) int {
		body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"from":{"id":1111111,"is_bot":false,"first_name":"Ann"},
			"chat":{"id":1111111,"type":"private","first_name":"Ann"},"date":1441645532,"text":%q}}`, update, update, text)
		req, _ := http.NewRequest("POST", in.base+"/webhooks/telegram", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if sec != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", sec)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; sent: %+v", what, fake.sent)
			}
		}
	}

	if code := post(secret, 10000, "How do I file a claim?"); code != 200 {
		t.Fatalf("webhook: %d", code)
	}
	waitFor("the answer", func() bool { return fake.count("400-800-1234") == 1 })
	if code := post(secret, 10000, "How do I file a claim?"); code != 200 { // Telegram redelivers
		t.Fatalf("redelivery: %d", code)
	}
	for _, sec := range []string{"", "wrong"} {
		if code := post(sec, 10001, "What is a deductible?"); code != 401 {
			t.Fatalf("secret %q: %d, want 401", sec, code)
		}
	}
	time.Sleep(700 * time.Millisecond) // the outbox polls every 250 ms: give a wrong reply time to show
	if n := fake.total(); n != 1 {
		t.Fatalf("%d messages sent, want 1 (a redelivery and bad secrets send nothing)", n)
	}

	fake.mu.Lock()
	fake.fails = 2
	fake.mu.Unlock()
	post(secret, 10002, "What is a deductible?")
	waitFor("delivery after two 502s", func() bool { return fake.count("deductible") >= 1 })
	time.Sleep(500 * time.Millisecond)
	if n := fake.count("deductible"); n != 1 {
		t.Fatalf("deductible answer delivered %d times, want exactly once", n)
	}

	post(secret, 10003, "转人工")
	waitFor("the handoff notice", func() bool { return fake.count("人工客服") == 1 })
	before := fake.total()
	post(secret, 10004, "How do I file a claim?")
	time.Sleep(800 * time.Millisecond)
	if n := fake.total(); n != before {
		t.Fatalf("%d messages went out while a person owns the conversation", n-before)
	}
	if code := post(secret, 10005, strings.Repeat("x", 5000)); code != 200 { // too long for Tandem: refused, not retried
		t.Fatalf("over-long message: %d", code)
	}
	var e apiError
	if code := in.call(t, "POST", "/webhooks/whatsapp", `{}`, &e); code != 404 || !strings.Contains(e.Error.Message, "not enabled") {
		t.Fatalf("a channel that is not enabled: %d %+v", code, e)
	}
}
