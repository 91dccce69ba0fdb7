package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

type widgetSession struct {
	VisitorToken   string       `json:"visitor_token"`
	ConversationID string       `json:"conversation_id"`
	Owner          string       `json:"owner"`
	Messages       []apiMessage `json:"messages"`
}

type event struct {
	Type    string      `json:"type"`
	Message *apiMessage `json:"message"`
	Owner   string      `json:"owner"`
}

func dialWidget(t *testing.T, in *instance, token, after string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u := strings.Replace(in.base, "http://", "ws://", 1) + "/api/widget/ws?token=" + token + "&after=" + after
	c, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// next reads events until one matches, failing after a timeout.
func next(t *testing.T, c *websocket.Conn, match func(event) bool) event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var ev event
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatal(err)
		}
		if match(ev) {
			return ev
		}
	}
}

func TestWidgetSocket(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	var s widgetSession
	if code := in.callKey(t, "", "POST", "/api/widget/session", `{"lang":"en"}`, &s); code != 200 || s.VisitorToken == "" || s.Owner != "bot" {
		t.Fatalf("session = %d %+v", code, s)
	}
	var tr turn
	in.callKey(t, s.VisitorToken, "POST", "/api/widget/messages", `{"text":"How do I file a claim?"}`, &tr)
	if len(tr.Replies) != 1 || tr.Replies[0].Decision != "answer" {
		t.Fatalf("widget turn = %+v", tr)
	}

	t.Run("catch up and live", func(t *testing.T) {
		c := dialWidget(t, in, s.VisitorToken, "0")
		first := next(t, c, func(ev event) bool { return ev.Type == "message" })
		if first.Message.ID != tr.Message.ID {
			t.Fatalf("catch-up started at %d, want %d", first.Message.ID, tr.Message.ID)
		}
		next(t, c, func(ev event) bool { return ev.Type == "owner" })
		in.callKey(t, s.VisitorToken, "POST", "/api/widget/messages", `{"text":"转人工"}`, nil)
		ev := next(t, c, func(ev event) bool { return ev.Type == "message" && ev.Message.Decision == "handoff" })
		if ev.Message.Reason != "customer_request" {
			t.Fatalf("live handoff event = %+v", ev.Message)
		}
		next(t, c, func(ev event) bool { return ev.Type == "owner" && ev.Owner == "waiting" })
	})

	t.Run("resume after last id", func(t *testing.T) {
		c := dialWidget(t, in, s.VisitorToken, "999999999")
		ev := next(t, c, func(event) bool { return true })
		if ev.Type != "owner" {
			t.Fatalf("got %+v, want only the owner state after the last id", ev)
		}
	})

	t.Run("oversized frame", func(t *testing.T) {
		c := dialWidget(t, in, s.VisitorToken, "0")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c.Write(ctx, websocket.MessageText, []byte(`{"type":"typing","x":"`+strings.Repeat("a", 70<<10)+`"}`))
		assertClosed(t, c, websocket.StatusMessageTooBig)
	})

	t.Run("too many frames", func(t *testing.T) {
		c := dialWidget(t, in, s.VisitorToken, "0")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for range 40 {
			if c.Write(ctx, websocket.MessageText, []byte(`{"type":"typing"}`)) != nil {
				break
			}
		}
		assertClosed(t, c, websocket.StatusPolicyViolation)
	})

	t.Run("bad token", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, resp, err := websocket.Dial(ctx, strings.Replace(in.base, "http://", "ws://", 1)+"/api/widget/ws?token=forged", nil)
		if err == nil || resp == nil || resp.StatusCode != 401 {
			t.Fatalf("dial with a forged token: %v %v, want 401", err, resp)
		}
	})

	t.Run("rate limit", func(t *testing.T) {
		codes := map[int]int{}
		for range 12 {
			codes[in.callKey(t, s.VisitorToken, "POST", "/api/widget/messages", `{"text":"hello"}`, nil)]++
		}
		if codes[429] == 0 {
			t.Fatalf("12 quick messages got %v, want some 429", codes)
		}
	})
}

// assertClosed reads until the server closes the socket and checks the close code.
func assertClosed(t *testing.T, c *websocket.Conn, want websocket.StatusCode) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if _, _, err := c.Read(ctx); err != nil {
			if got := websocket.CloseStatus(err); got != want {
				t.Fatalf("closed with %v (%v), want %v", got, err, want)
			}
			return
		}
	}
}
