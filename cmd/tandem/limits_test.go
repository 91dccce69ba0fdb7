package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"tandem/channels/webhook"
)

// TestLimits: the per-IP, per-channel, per-visitor-socket, sign-in and body limits answer with
// clear 429s carrying Retry-After, and 413s, and what they refuse is not stored.
func TestLimits(t *testing.T) {
	env := demoEnv(t, t.TempDir())
	const secret = "limits-webhook-secret-0123456789abcdef"
	env["TANDEM_IP_RATE"], env["TANDEM_CHANNEL_RATE"], env["TANDEM_VISITOR_SOCKETS"] = "0.01", "0.01", "1" // bursts of 3
	env["TANDEM_WEBHOOK_SECRET"], env["TANDEM_WEBHOOK_URL"] = secret, "http://127.0.0.1:1/replies"
	in := start(t, env, "demo")

	t.Run("visitor sockets and client IP", func(t *testing.T) {
		var s widgetSession
		if code := in.callKey(t, "", "POST", "/api/widget/session", `{}`, &s); code != 200 { // 1 of 3
			t.Fatalf("session = %d", code)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ws := strings.Replace(in.base, "http://", "ws://", 1) + "/api/widget/ws?token=" + s.VisitorToken
		first, _, err := websocket.Dial(ctx, ws, nil) // 2 of 3
		if err != nil {
			t.Fatal(err)
		}
		defer first.CloseNow()
		_, resp, err := websocket.Dial(ctx, ws, nil) // 3 of 3: over the visitor's socket cap
		if err == nil || resp == nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("a second socket for one visitor: %v %+v, want 429 with Retry-After", err, resp)
		}
		res := rawPost(t, in.base+"/api/widget/session", "{}", nil) // over the IP's burst
		if res.status != 429 || res.retryAfter < 1 || !strings.Contains(res.body, "rate_limited") {
			t.Fatalf("widget over the IP limit: %+v, want 429 rate_limited with Retry-After ≥ 1", res)
		}
	})

	t.Run("channel", func(t *testing.T) {
		deliver := func(id int) rawResult {
			body := fmt.Sprintf(`{"user_id":"u1","message_id":"m%d","text":"hello %d"}`, id, id)
			ts := time.Now().Unix()
			return rawPost(t, in.base+"/webhooks/generic", body, map[string]string{
				"X-Tandem-Timestamp": strconv.FormatInt(ts, 10), "X-Tandem-Signature": webhook.Sign(secret, ts, []byte(body))})
		}
		for i := range 3 {
			if res := deliver(i); res.status != 200 {
				t.Fatalf("delivery %d: %+v", i, res)
			}
		}
		if res := deliver(3); res.status != 429 || res.retryAfter < 1 {
			t.Fatalf("a delivery over the channel's limit: %+v, want 429 with Retry-After", res)
		}
	})

	t.Run("sign-in", func(t *testing.T) {
		var res rawResult
		for i := range 11 {
			res = rawPost(t, in.base+"/api/console/login", `{"username":"agent","password":"guess-`+strconv.Itoa(i)+`"}`, nil)
			if i < 10 && res.status != 401 {
				t.Fatalf("attempt %d = %+v, want 401", i, res)
			}
		}
		if res.status != 429 || res.retryAfter < 1 {
			t.Fatalf("the 11th wrong password: %+v, want 429 with Retry-After", res)
		}
		// Another user from the same address is not locked out by the guesses.
		if res := rawPost(t, in.base+"/api/console/login", `{"username":"agent2","password":"`+demoAgentPassword+`"}`, nil); res.status != 200 {
			t.Fatalf("another account's sign-in = %+v", res)
		}
	})

	t.Run("body", func(t *testing.T) {
		big := `{"customer":{"id":"big"},"pad":"` + strings.Repeat("x", 2<<20) + `"}`
		if res := rawPost(t, in.base+"/api/v1/conversations", big, map[string]string{"Authorization": "Bearer " + in.key}); res.status != 413 {
			t.Fatalf("a 2 MiB body = %+v, want 413", res)
		}
		// Without a declared length the body is cut off at the limit while it is read.
		req, _ := http.NewRequest("POST", in.base+"/api/v1/conversations", io.MultiReader(strings.NewReader(big)))
		req.Header.Set("Authorization", "Bearer "+in.key)
		req.ContentLength = -1
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Fatalf("a 2 MiB chunked body = %d, want 413", resp.StatusCode)
		}
	})
}

type rawResult struct {
	status, retryAfter int
	body               string
}

// rawPost posts body with headers and no API key, returning the status, Retry-After and body.
func rawPost(t *testing.T, url, body string, headers map[string]string) rawResult {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	return rawResult{resp.StatusCode, ra, string(data)}
}
