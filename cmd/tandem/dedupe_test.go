package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tandem/channels/webhook"
)

// TestDedupeIsPerCustomer: Bob reusing Alice's external_id (app API) or message_id (generic
// webhook) is Bob's own message: stored, answered, and the response carries Bob's text, never
// Alice's. A true redelivery from the same customer is still answered once.
func TestDedupeIsPerCustomer(t *testing.T) {
	const secret = "dedupe-webhook-secret-0123456789abcdef"
	var mu sync.Mutex
	replies := map[string][]string{}
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			UserID string `json:"user_id"`
			Text   string `json:"text"`
		}
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &m)
		mu.Lock()
		replies[m.UserID] = append(replies[m.UserID], m.Text)
		mu.Unlock()
	}))
	t.Cleanup(sink.Close)
	env := demoEnv(t, t.TempDir())
	env["TANDEM_WEBHOOK_SECRET"], env["TANDEM_WEBHOOK_URL"] = secret, sink.URL
	env["TANDEM_OUTBOUND_ALLOW"] = allowed(sink.URL)
	in := start(t, env, "demo")

	t.Run("app API", func(t *testing.T) {
		say := func(customer, text string) turn {
			var c apiConversation
			if code := in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"`+customer+`"}}`, &c); code != 201 {
				t.Fatalf("create = %d", code)
			}
			var tr turn
			if code := in.call(t, "POST", "/api/v1/conversations/"+c.ID+"/messages", `{"text":"`+text+`","external_id":"msg-1"}`, &tr); code != 201 && code != 200 {
				t.Fatalf("message = %d", code)
			}
			return tr
		}
		alice := say("alice", "My card number is 4111 1111 1111 1111, how do I file a claim?")
		bob := say("bob", "How do I file a claim?")
		if bob.Message.ID == alice.Message.ID || strings.Contains(bob.Message.Text, "4111") || bob.Message.Text != "How do I file a claim?" {
			t.Fatalf("Bob's message with Alice's external_id came back as %+v (Alice's was %d)", bob.Message, alice.Message.ID)
		}
	})

	t.Run("generic webhook", func(t *testing.T) {
		deliver := func(user, text string) int {
			body := fmt.Sprintf(`{"user_id":%q,"message_id":"m-1","text":%q}`, user, text)
			ts := time.Now().Unix()
			return postWebhook(t, in.base+"/webhooks/generic", body, map[string]string{
				"X-Tandem-Timestamp": strconv.FormatInt(ts, 10), "X-Tandem-Signature": webhook.Sign(secret, ts, []byte(body))})
		}
		for _, d := range []struct{ user, text string }{{"alice", "hello"}, {"alice", "hello"}, {"bob", "How do I file a claim?"}} {
			if code := deliver(d.user, d.text); code != 200 {
				t.Fatalf("delivery from %s = %d", d.user, code)
			}
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			mu.Lock()
			a, b := len(replies["alice"]), strings.Join(replies["bob"], "\n")
			mu.Unlock()
			if a >= 1 && strings.Contains(b, "400-800-1234") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replies: alice %d, bob %q; want Bob answered though he reused Alice's message_id", a, b)
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		if n := len(replies["alice"]); n != 1 {
			t.Fatalf("Alice's redelivery was answered %d times, want once", n)
		}
	})
}

// TestConversationAndRatingFloods: one address cannot mint conversations without end (the
// review made ~79k an hour), and one visitor cannot post unlimited ratings.
func TestConversationAndRatingFloods(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	var s widgetSession
	if code := in.callKey(t, "", "POST", "/api/widget/session", `{}`, &s); code != 200 {
		t.Fatalf("session = %d", code)
	}
	codes := map[int]int{}
	for i := range 60 {
		codes[in.callKey(t, "", "POST", "/api/widget/session", `{}`, nil)]++
		if i%15 == 14 {
			time.Sleep(time.Second) // stay under the per-IP request rate: this is about conversations
		}
	}
	if codes[429] == 0 || codes[200] > 30 {
		t.Fatalf("61 new widget sessions from one address: %v, want at most 30 then 429", codes)
	}
	// Resuming with a token is not a new conversation and is not refused.
	if code := in.callKey(t, "", "POST", "/api/widget/session", `{"visitor_token":"`+s.VisitorToken+`"}`, nil); code != 200 {
		t.Fatalf("resuming a session after the flood = %d", code)
	}
	ratings := map[int]int{}
	for i := range 10 {
		ratings[in.callKey(t, s.VisitorToken, "POST", "/api/widget/rating", fmt.Sprintf(`{"score":%d}`, 1+i%5), nil)]++
	}
	if ratings[201] != 3 || ratings[409] != 7 {
		t.Fatalf("10 ratings of one conversation: %v, want 3 taken and the rest 409", ratings)
	}
}
