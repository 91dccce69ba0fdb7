package storetest

import (
	"context"
	"testing"
	"time"

	"tandem/chat"
)

// testSessions: a stored session names its enabled account until it expires, is deleted, or the
// account is disabled or put again (new role or password); one for a missing account is nothing.
func testSessions(t *testing.T, s Store) {
	ctx := context.Background()
	must(t, s.PutAccount(ctx, chat.Account{Username: "amy", Role: "agent", PasswordHash: "x", CreatedAt: t0}))
	must(t, s.PutAccount(ctx, chat.Account{Username: "bob", Role: "admin", PasswordHash: "x", CreatedAt: t0}))
	put := func(hash, user string) {
		t.Helper()
		must(t, s.CreateSession(ctx, chat.ConsoleSession{Hash: hash, Username: user, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
	}
	live := func(hash string, at time.Time) (chat.Account, error) { return s.SessionAccount(ctx, hash, at) }
	put("h-amy", "amy")
	put("h-amy2", "amy")
	put("h-bob", "bob")
	put("h-ghost", "ghost")
	a, err := live("h-amy", t0.Add(time.Minute))
	must(t, err)
	if a.Username != "amy" || a.Role != "agent" {
		t.Fatalf("session account = %+v, want amy the agent", a)
	}
	_, err = live("h-amy", t0.Add(time.Hour))
	mustCode(t, err, chat.ENOTFOUND) // expired
	_, err = live("h-ghost", t0)
	mustCode(t, err, chat.ENOTFOUND) // no such account
	_, err = live("nope", t0)
	mustCode(t, err, chat.ENOTFOUND)

	must(t, s.DeleteSession(ctx, "h-amy"))
	_, err = live("h-amy", t0)
	mustCode(t, err, chat.ENOTFOUND)
	if _, err := live("h-amy2", t0); err != nil {
		t.Fatalf("logging out one session ended another: %v", err)
	}
	must(t, s.PutAccount(ctx, chat.Account{Username: "amy", Role: "admin", PasswordHash: "y", CreatedAt: t0}))
	_, err = live("h-amy2", t0)
	mustCode(t, err, chat.ENOTFOUND) // role and password changed

	must(t, s.DisableAccount(ctx, "bob", t0))
	_, err = live("h-bob", t0)
	mustCode(t, err, chat.ENOTFOUND)

	// A new sign-in clears sessions that have expired.
	must(t, s.CreateSession(ctx, chat.ConsoleSession{Hash: "h-new", Username: "amy", CreatedAt: t0.Add(2 * time.Hour), ExpiresAt: t0.Add(3 * time.Hour)}))
	if _, err := live("h-new", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
}
