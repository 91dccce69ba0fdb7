package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"tandem/postgres"
)

// pgSchemaURL makes a fresh schema for this test, its own among tests running in parallel, and
// returns a DATABASE_URL that uses it.
func pgSchemaURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv("TANDEM_TEST_DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	name := fnv.New32a()
	name.Write([]byte(t.Name())) // tests running in parallel start at the same nanosecond at times
	schema := fmt.Sprintf("replica_%d_%x", time.Now().UnixNano(), name.Sum32())
	ctx := context.Background()
	s, err := postgres.OpenSchema(ctx, base, schema)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("postgres unavailable in CI: %v", err)
		}
		t.Skipf("postgres unavailable: %v", err)
	}
	t.Cleanup(func() { s.DropSchema(context.Background(), schema); s.Close() })
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}

// TestReplicasShareEvents runs two servers on one Postgres: a message posted through replica A
// reaches a WebSocket subscriber connected to replica B.
func TestReplicasShareEvents(t *testing.T) {
	db := pgSchemaURL(t)
	envA := demoEnv(t, t.TempDir())
	envA["DATABASE_URL"] = db
	envA["TANDEM_VISITOR_SECRET"] = strings.Repeat("s", 40)
	a := start(t, envA, "demo")
	envB := map[string]string{"DATABASE_URL": db, "TANDEM_ADDR": "127.0.0.1:0", "TANDEM_DATA_DIR": t.TempDir(),
		"TANDEM_LOG_LEVEL": "warn", "TANDEM_VISITOR_SECRET": envA["TANDEM_VISITOR_SECRET"]}
	b := start(t, envB, "serve")
	b.key = a.key

	var conv apiConversation
	a.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"c1"}}`, &conv)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	wsURL := strings.Replace(b.base, "http://", "ws://", 1) + "/api/v1/conversations/" + conv.ID + "/ws"
	c, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + b.key}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	next(t, c, func(ev event) bool { return ev.Type == "owner" }) // caught up, now live

	var tr turn
	if code := a.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":"如何报案？"}`, &tr); code != 201 {
		t.Fatalf("post through A = %d", code)
	}
	got := next(t, c, func(ev event) bool { return ev.Type == "message" && ev.Message.Author == "bot" })
	if got.Message.ID != tr.Replies[0].ID || got.Message.Decision != "answer" {
		t.Fatalf("B's subscriber got %+v, want A's reply %d", got.Message, tr.Replies[0].ID)
	}
	// And the visitor token A signed works on B.
	var s widgetSession
	a.callKey(t, "", "POST", "/api/widget/session", `{}`, &s)
	if code := b.callKey(t, "", "POST", "/api/widget/session", `{"visitor_token":"`+s.VisitorToken+`"}`, nil); code != 200 {
		t.Fatalf("A's visitor token on B = %d", code)
	}
}
