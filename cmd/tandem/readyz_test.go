package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestReadyzNeedsWrites: while every write to the database fails (here another process holds
// SQLite's write lock; a full disk fails the same write) /readyz says not ready and why, and is
// ready again once writes go through.
func TestReadyzNeedsWrites(t *testing.T) {
	dir := t.TempDir()
	in := start(t, demoEnv(t, dir), "demo")
	ready := func() (int, string) {
		t.Helper()
		client := &http.Client{Timeout: 30 * time.Second}
		res, err := client.Get(in.base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var e apiError
		json.Unmarshal(b, &e)
		return res.StatusCode, e.Error.Message
	}
	if code, _ := ready(); code != 200 {
		t.Fatalf("readyz before = %d", code)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "tandem.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	code, msg := ready()
	t.Logf("readyz with writes failing answered in %s: %d %q", time.Since(began).Round(time.Millisecond), code, msg)
	if code != 503 || !strings.HasPrefix(msg, "store writes fail") {
		t.Errorf("readyz while writes fail = %d %q, want 503 naming the failing writes", code, msg)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if code, msg := ready(); code != 200 {
		t.Errorf("readyz after writes work again = %d %q", code, msg)
	}
}
