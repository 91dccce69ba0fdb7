package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tandem/chat"
	"tandem/conversation"
)

func TestSessions(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	s := NewSessions([]byte(strings.Repeat("k", 32)), func() time.Time { return now })
	token, err := s.Issue(chat.Account{Username: "amy", Role: "agent"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Verify(token); err != nil || got != (Session{"amy", "agent"}) {
		t.Fatalf("Verify = %+v %v", got, err)
	}
	other := NewSessions([]byte(strings.Repeat("x", 32)), s.Now)
	for name, tok := range map[string]string{"garbage": "abc", "other key": issueSession(t, other), "tampered": token[:len(token)-2] + "xx"} {
		if _, err := s.Verify(tok); chat.ErrorCode(err) != chat.EUNAUTHORIZED {
			t.Errorf("%s: err = %v, want unauthorized", name, err)
		}
	}
	now = now.Add(sessionTTL + time.Second)
	if _, err := s.Verify(token); chat.ErrorCode(err) != chat.EUNAUTHORIZED || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired session: err = %v, want unauthorized saying expired", err)
	}
}

func issueSession(t *testing.T, s *Sessions) string {
	t.Helper()
	tok, err := s.Issue(chat.Account{Username: "amy", Role: "agent"})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestConsoleRoutesNeedSession walks every registered /api/console route: without a session,
// with an expired one, and with a role that may not use the console, each is refused before
// its handler runs (the handlers would panic on this server's missing store).
func TestConsoleRoutesNeedSession(t *testing.T) {
	now := time.Now()
	sessions := NewSessions([]byte(strings.Repeat("k", 32)), func() time.Time { return now })
	s := &Server{Desk: &conversation.Service{}, Sessions: sessions, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxBodyBytes: 1 << 20}
	h := s.Handler()
	trainer, _ := sessions.Issue(chat.Account{Username: "tom", Role: "trainer"})
	expired, _ := NewSessions([]byte(strings.Repeat("k", 32)), func() time.Time { return now.Add(-sessionTTL - time.Minute) }).
		Issue(chat.Account{Username: "amy", Role: "agent"})
	n := 0
	for _, r := range h.Routes() {
		if !strings.HasPrefix(r.Path, "/api/console/") || r.Path == "/api/console/login" || r.Path == "/api/console/logout" {
			continue
		}
		n++
		path := strings.ReplaceAll(r.Path, ":id", "c1")
		for _, tc := range []struct {
			cookie string
			status int
		}{{"", http.StatusUnauthorized}, {expired, http.StatusUnauthorized}, {trainer, http.StatusForbidden}} {
			req := httptest.NewRequest(r.Method, path, strings.NewReader(`{}`))
			if tc.cookie != "" {
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: tc.cookie})
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Errorf("%s %s with cookie %.10q = %d, want %d", r.Method, r.Path, tc.cookie, rec.Code, tc.status)
			}
		}
	}
	if n < 15 {
		t.Fatalf("checked %d console routes, expected at least 15", n)
	}
}
