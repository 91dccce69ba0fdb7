package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"tandem/sqlite"
)

// TestWidgetIdentity: with enforcement on, a widget session without a valid identity token —
// missing, expired, tampered, unsigned, from another key — gets 401 and stores nothing; a valid
// one resumes the customer's conversation on any device and carries their tier.
func TestWidgetIdentity(t *testing.T) {
	dir := t.TempDir()
	env := demoEnv(t, dir)
	// An anonymous visitor from before enforcement was switched on.
	before := start(t, env, "demo")
	var anon widgetSession
	if code := before.callKey(t, "", "POST", "/api/widget/session", `{}`, &anon); code != 200 {
		t.Fatalf("anonymous session = %d", code)
	}
	before.stop()
	secret := strings.Repeat("i", 40)
	env["TANDEM_WIDGET_IDENTITY_SECRET"], env["TANDEM_WIDGET_IDENTITY_REQUIRED"] = secret, "true"
	in := start(t, env, "demo")
	for path, body := range map[string]string{"/api/widget/messages": `{"text":"hi"}`, "/api/widget/back": `{}`,
		"/api/widget/rating": `{"score":5}`, "/api/widget/feedback": `{"message_id":1,"helpful":true}`,
		"/api/widget/session": `{"visitor_token":"` + anon.VisitorToken + `"}`} {
		if code := in.callKey(t, anon.VisitorToken, "POST", path, body, nil); code != 401 {
			t.Errorf("%s with an unverified visitor token = %d, want 401", path, code)
		}
	}
	if code := in.callKey(t, "", "GET", "/api/widget/ws?token="+anon.VisitorToken, "", nil); code != 401 {
		t.Errorf("socket with an unverified visitor token = %d, want 401", code)
	}
	messagesBefore := countMessages(t, dir)
	sign := func(key string, method jwt.SigningMethod, claims jwt.MapClaims) string {
		tok, err := jwt.NewWithClaims(method, claims).SignedString([]byte(key))
		if method == jwt.SigningMethodNone {
			tok, err = jwt.NewWithClaims(method, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
		}
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	valid := jwt.MapClaims{"sub": "cust-42", "name": "Ann", "tier": "vip", "exp": time.Now().Add(time.Hour).Unix()}
	good := sign(secret, jwt.SigningMethodHS256, valid)
	for name, body := range map[string]string{
		"none":      `{}`,
		"expired":   `{"identity_token":"` + sign(secret, jwt.SigningMethodHS256, jwt.MapClaims{"sub": "cust-42", "exp": time.Now().Add(-time.Minute).Unix()}) + `"}`,
		"no expiry": `{"identity_token":"` + sign(secret, jwt.SigningMethodHS256, jwt.MapClaims{"sub": "cust-42"}) + `"}`,
		"tampered":  `{"identity_token":"` + good[:len(good)-3] + `abc"}`,
		"other key": `{"identity_token":"` + sign(strings.Repeat("x", 40), jwt.SigningMethodHS256, valid) + `"}`,
		"unsigned":  `{"identity_token":"` + sign("", jwt.SigningMethodNone, valid) + `"}`,
	} {
		var e apiError
		if code := in.callKey(t, "", "POST", "/api/widget/session", body, &e); code != 401 {
			t.Errorf("%s identity: %d %+v, want 401", name, code, e)
		}
	}
	if code := in.callKey(t, "garbage", "POST", "/api/widget/messages", `{"text":"hi"}`, nil); code != 401 {
		t.Errorf("message with a garbage visitor token = %d", code)
	}
	st, err := sqlite.Open(filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	facts, _ := st.AnalyticsFacts(context.Background(), time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if len(facts) != 1 || countMessages(t, dir) != messagesBefore {
		t.Fatalf("refused requests stored something: %d conversations (want the anonymous one), %d messages (want %d)",
			len(facts), countMessages(t, dir), messagesBefore)
	}

	// A verified customer: the session works, and another device resumes the same conversation.
	var s1, s2 widgetSession
	if code := in.callKey(t, "", "POST", "/api/widget/session", `{"identity_token":"`+good+`"}`, &s1); code != 200 {
		t.Fatalf("valid identity = %d", code)
	}
	if code := in.callKey(t, s1.VisitorToken, "POST", "/api/widget/messages", `{"text":"How do I file a claim?"}`, nil); code != 201 {
		t.Fatalf("verified message = %d", code)
	}
	other := sign(secret, jwt.SigningMethodHS256, jwt.MapClaims{"sub": "cust-42", "exp": time.Now().Add(time.Hour).Unix()})
	if code := in.callKey(t, "", "POST", "/api/widget/session", `{"identity_token":"`+other+`"}`, &s2); code != 200 || s2.ConversationID != s1.ConversationID || len(s2.Messages) < 2 {
		t.Fatalf("second device = %d %+v, want conversation %s with its history", code, s2, s1.ConversationID)
	}
	conv, err := st.Conversation(context.Background(), s1.ConversationID)
	if err != nil || conv.Priority != "high" {
		t.Fatalf("the VIP tier from the identity: %+v %v", conv, err)
	}
}

// countMessages counts the messages stored in the instance's SQLite file.
func countMessages(t *testing.T, dir string) int {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM messages`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
