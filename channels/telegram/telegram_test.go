package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tandem/channels"
	"tandem/chat"
)

func TestParseUpdate(t *testing.T) {
	u, err := ParseUpdate([]byte(`{"update_id":10000,"message":{"message_id":1365,"from":{"id":1111111,"is_bot":false,"first_name":"Ann"},
 "chat":{"id":1111111,"type":"private","first_name":"Ann"},"date":1441645532,"text":"Where is my order?"}}`))
	if err != nil || u.UpdateID != 10000 || u.Message.Chat.ID != 1111111 || u.Message.Text != "Where is my order?" || u.Message.From.FirstName != "Ann" {
		t.Fatalf("%+v %v", u, err)
	}
	// 52-bit ids fit.
	if u, err := ParseUpdate([]byte(`{"update_id":1,"message":{"chat":{"id":4503599627370495,"type":"private"},"text":"x"}}`)); err != nil || u.Message.Chat.ID != 4503599627370495 {
		t.Fatalf("large chat id: %+v %v", u, err)
	}
	for _, bad := range []string{``, `{}`, `[]`, `{"update_id":"x"}`, `{"update_id":1,"message":{"chat":{"id":"x"}}}`} {
		if _, err := ParseUpdate([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func FuzzParseUpdate(f *testing.F) {
	f.Add([]byte(`{"update_id":10000,"message":{"message_id":1,"chat":{"id":1,"type":"private"},"text":"hi"}}`))
	f.Add([]byte(`{"update_id":1,"edited_message":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := ParseUpdate(b)
		if err == nil && u.UpdateID == 0 {
			t.Fatal("accepted an update without update_id")
		}
	})
}

type stubReceiver struct{ got chan channels.Inbound }

func (s stubReceiver) FromChannel(_ context.Context, in channels.Inbound) error {
	s.got <- in
	return nil
}

func TestWebhookTypingAndLongReplies(t *testing.T) {
	calls := make(chan string, 10)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			Action string `json:"action"`
			Text   string `json:"text"`
		}
		json.NewDecoder(r.Body).Decode(&b)
		calls <- strings.TrimPrefix(r.URL.Path, "/botT/") + ":" + b.Action + fmt.Sprint(len([]rune(b.Text)))
		fmt.Fprint(w, `{"ok":true,"result":true}`)
	}))
	defer api.Close()
	rec := stubReceiver{got: make(chan channels.Inbound, 1)}
	a := &Adapter{Token: "T", Secret: "s", APIBase: api.URL, Receiver: rec, Client: api.Client(), Log: slog.New(slog.DiscardHandler)}
	req := httptest.NewRequest("POST", "/webhooks/telegram", strings.NewReader(`{"update_id":5,"message":{"message_id":1,"from":{"id":9,"first_name":"Ann","last_name":"Lee"},"chat":{"id":9,"type":"private"},"text":"hi"}}`))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s")
	w := httptest.NewRecorder()
	a.ServeHTTP(w, req)
	if in := <-rec.got; w.Code != 200 || in.Name != "Ann Lee" || in.CustomerKey != "tg-9" || in.MessageID != "5" {
		t.Fatalf("%d %+v", w.Code, in)
	}
	if c := <-calls; c != "sendChatAction:typing0" {
		t.Fatalf("typing call %q", c)
	}
	start := time.Now()
	if err := a.Send(context.Background(), chat.Conversation{CustomerID: "tg-9"}, chat.Message{Text: strings.Repeat("word ", 1000)}); err != nil {
		t.Fatal(err)
	}
	first, second := <-calls, <-calls
	if !strings.HasPrefix(first, "sendMessage:") || !strings.HasPrefix(second, "sendMessage:") || time.Since(start) < partGap {
		t.Fatalf("long reply: %q %q in %s", first, second, time.Since(start))
	}
}

// TestFloodControl: Telegram's 429 retry_after becomes the outbox's wait, and the per-chat pacer
// holds back a burst before Telegram has to.
func TestFloodControl(t *testing.T) {
	flood := true
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if flood {
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`)
			return
		}
		fmt.Fprint(w, `{"ok":true,"result":{}}`)
	}))
	defer api.Close()
	a := &Adapter{Token: "T", APIBase: api.URL, Client: api.Client(), Log: slog.New(slog.DiscardHandler),
		Pacer: &channels.Pacer{Every: time.Second, Burst: 1}}
	conv := chat.Conversation{CustomerID: "tg-9"}
	var later *chat.RetryAfter
	if err := a.Send(context.Background(), conv, chat.Message{Text: "hi"}); !errors.As(err, &later) || later.Wait != 7*time.Second {
		t.Fatalf("429: %v, want retry after 7s", err)
	}
	flood = false
	time.Sleep(time.Second)
	if err := a.Send(context.Background(), conv, chat.Message{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Send(context.Background(), conv, chat.Message{Text: "again"}); !errors.As(err, &later) {
		t.Fatalf("second send within a second: %v, want paced", err)
	}
}
