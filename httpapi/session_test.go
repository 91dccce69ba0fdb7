package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tandem/chat"
	"tandem/conversation"
	"tandem/sqlite"
	"tandem/sqlite/sqlitetest"
)

// sessionStore opens a real SQLite store with one account per role ("agent", "trainer",
// "admin", "customer"), for sessions in handler tests.
func sessionStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st := sqlitetest.Open(t)
	for _, role := range []string{"agent", "trainer", "admin", "customer"} {
		if err := st.PutAccount(context.Background(), chat.Account{Username: role, Role: role, PasswordHash: "x", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	st := sessionStore(t)
	s := &Sessions{Store: st, Now: func() time.Time { return now }}
	token, err := s.Issue(ctx, chat.Account{Username: "agent", Role: "agent"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Verify(ctx, token); err != nil || got != (Session{"agent", "agent"}) {
		t.Fatalf("Verify = %+v %v", got, err)
	}
	for name, tok := range map[string]string{"garbage": "abc", "tampered": token[:len(token)-2] + "xx", "huge": strings.Repeat("a", 1<<16)} {
		if _, err := s.Verify(ctx, tok); chat.ErrorCode(err) != chat.EUNAUTHORIZED {
			t.Errorf("%s: err = %v, want unauthorized", name, err)
		}
	}
	now = now.Add(sessionTTL + time.Second)
	if _, err := s.Verify(ctx, token); chat.ErrorCode(err) != chat.EUNAUTHORIZED || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired session: err = %v, want unauthorized saying expired", err)
	}
}

func issueSession(t *testing.T, s *Sessions, username string) string {
	t.Helper()
	tok, err := s.Issue(context.Background(), chat.Account{Username: username})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestRoutesNeedTheirRole walks every registered route: each console, trainer and admin route
// refuses no session, an expired one and every role it does not allow; the app API refuses
// sessions; the trainer's key-or-session APIs refuse agents; and a route that is in none of these
// groups nor on the public list fails the test, so a new route cannot ship without a rule.
func TestRoutesNeedTheirRole(t *testing.T) {
	now := time.Now()
	st := sessionStore(t)
	sessions := &Sessions{Store: st, Now: func() time.Time { return now }}
	s := &Server{Desk: &conversation.Service{}, Sessions: sessions, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxBodyBytes: 1 << 20,
		Channels: noChannels{}, Trainer: &Trainer{}, Admin: noAdmin{}, Knowledge: &KnowledgeBase{}, Intents: &IntentsAPI{}, Settings: &Settings{}, Actions: &ActionsAPI{}}
	h := s.Handler()
	expired := issueSession(t, &Sessions{Store: st, Now: func() time.Time { return now.Add(-sessionTTL - time.Minute) }}, "admin")
	allowed := map[string][]string{"/api/console/": consoleRoles, "/api/trainer/": trainerRoles, "/api/admin/": {"admin"},
		"/api/v1/kb/": trainerRoles, "/api/v1/intents": trainerRoles, "/api/v1/settings": trainerRoles}
	// Public: pages, health, webhooks (signed by the platform), the widget (visitor tokens, checked
	// in TestWidgetIdentity) and signing in and out.
	public := map[string]bool{"/": true, "/healthz": true, "/readyz": true, "/metrics": true, "/api/openapi.json": true,
		"/widget.js": true, "/demo/": true, "/kb/:id": true, "/webhooks/:channel": true, "/console/": true, "/console/:file": true,
		"/trainer/": true, "/trainer/:file": true, "/shared/:file": true, "/widget/:file": true, "/api/console/login": true, "/api/console/logout": true,
		"/api/trainer/login": true, "/api/trainer/logout": true, "/api/console/session": true, "/api/trainer/session": true,
		"/favicon.ico": true, "/favicon.svg": true}
	// Narrower than their prefix.
	narrower := map[string][]string{"/api/console/agents/:username": {"admin"}}
	counts := map[string]int{}
	for _, r := range h.Routes() {
		if strings.HasPrefix(r.Method, "echo_") || public[r.Path] || strings.HasPrefix(r.Path, "/api/widget/") {
			continue
		}
		path := strings.NewReplacer(":id", "c1", ":name", "x", ":username", "amy").Replace(r.Path)
		check := func(cookie string, want int) {
			req := httptest.NewRequest(r.Method, path, strings.NewReader(`{}`))
			if cookie != "" {
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != want {
				t.Errorf("%s %s with %.12q = %d, want %d", r.Method, r.Path, cookie, rec.Code, want)
			}
		}
		if strings.HasPrefix(r.Path, "/api/v1/conversations") { // the app API: API keys only
			counts["/api/v1/conversations"]++
			check("", http.StatusUnauthorized)
			check(issueSession(t, sessions, "admin"), http.StatusUnauthorized)
			continue
		}
		prefix := ""
		for p := range allowed {
			if strings.HasPrefix(r.Path, p) {
				prefix = p
			}
		}
		if prefix == "" {
			t.Errorf("%s %s is neither public nor in a permission group: add it to this test's table", r.Method, r.Path)
			continue
		}
		counts[prefix]++
		roles := allowed[prefix]
		if n, ok := narrower[r.Path]; ok {
			roles = n
		}
		check("", http.StatusUnauthorized)
		check(expired, http.StatusUnauthorized)
		for _, role := range []string{"agent", "trainer", "admin", "customer"} {
			if !hasRole(role, roles) {
				check(issueSession(t, sessions, role), http.StatusForbidden)
			}
		}
	}
	if counts["/api/console/"] < 15 || counts["/api/trainer/"] < 8 || counts["/api/admin/"] < 6 || counts["/api/v1/conversations"] < 8 || counts["/api/v1/kb/"] < 6 {
		t.Fatalf("checked %v routes per group; expected the console, trainer, admin, app and knowledge APIs", counts)
	}
}

// TestSessionRefusesCrossSite: a change with a valid session cookie sent by another site's page is
// refused; the same from this site goes through to the handler.
func TestSessionRefusesCrossSite(t *testing.T) {
	sessions := &Sessions{Store: sessionStore(t), Now: time.Now}
	s := &Server{Desk: &conversation.Service{}, Sessions: sessions, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxBodyBytes: 1 << 20}
	h := s.Handler()
	tok := issueSession(t, sessions, "agent")
	for _, tc := range []struct {
		name, header, value string
		want                int
	}{
		{"other origin", "Origin", "https://evil.example", http.StatusForbidden},
		{"cross-site fetch", "Sec-Fetch-Site", "cross-site", http.StatusForbidden},
		{"same origin", "Origin", "http://example.com", http.StatusBadRequest}, // reaches the handler: bad presence
	} {
		req := httptest.NewRequest("PUT", "http://example.com/api/console/presence", strings.NewReader(`{"status":"dancing"}`))
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: tok})
		req.Header.Set(tc.header, tc.value)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, rec.Code, rec.Body, tc.want)
		}
	}
}
