package storetest

import (
	"context"
	"testing"
	"time"

	"tandem/channels/wecomkf"
)

// RunKFSync checks the WeChat Customer Service sync state: a cursor survives a restart (a new
// claim), one holder at a time, a callback during a sync makes the holder pull once more, a dead
// holder's lease is taken over after it runs out, and a holder that lost its lease cannot move
// the cursor.
func RunKFSync(t *testing.T, open func(t *testing.T) wecomkf.SyncStore) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	lease := 30 * time.Second
	t.Run("cursor_and_lease", func(t *testing.T) {
		s := open(t)
		sy, ok, err := s.ClaimKFSync(ctx, "wkA", "r1", "TOKEN1", t0, t0.Add(lease))
		if err != nil || !ok || sy.Cursor != "" || sy.Token != "TOKEN1" {
			t.Fatalf("first claim = %+v %v %v, want an empty cursor and the token", sy, ok, err)
		}
		if _, ok, _ := s.ClaimKFSync(ctx, "wkA", "r2", "TOKEN2", t0.Add(time.Second), t0.Add(lease)); ok {
			t.Fatal("a second replica got a live lease")
		}
		if _, ok, _ := s.ClaimKFSync(ctx, "wkB", "r2", "", t0, t0.Add(lease)); !ok {
			t.Fatal("another account's lease is independent")
		}
		if ok, err := s.AdvanceKFSync(ctx, "wkA", "r1", "CURSOR1", t0.Add(2*lease)); err != nil || !ok {
			t.Fatalf("advance = %v %v", ok, err)
		}
		again, token, err := s.ReleaseKFSync(ctx, "wkA", "r1", t0.Add(2*lease))
		if err != nil || !again || token != "TOKEN2" {
			t.Fatalf("release after a callback = %v %q %v, want another pull with the newer token", again, token, err)
		}
		if again, _, _ := s.ReleaseKFSync(ctx, "wkA", "r1", t0.Add(2*lease)); again {
			t.Fatal("pending was not cleared")
		}
		sy, ok, err = s.ClaimKFSync(ctx, "wkA", "r3", "", t0.Add(3*time.Second), t0.Add(lease))
		if err != nil || !ok || sy.Cursor != "CURSOR1" {
			t.Fatalf("claim after release (a restart) = %+v %v %v, want cursor CURSOR1", sy, ok, err)
		}
	})
	t.Run("expired_lease", func(t *testing.T) {
		s := open(t)
		s.ClaimKFSync(ctx, "wkA", "dead", "", t0, t0.Add(lease))
		if _, ok, _ := s.ClaimKFSync(ctx, "wkA", "r2", "", t0.Add(lease+time.Second), t0.Add(2*lease)); !ok {
			t.Fatal("an expired lease was not taken over")
		}
		if ok, _ := s.AdvanceKFSync(ctx, "wkA", "dead", "STALE", t0.Add(3*lease)); ok {
			t.Fatal("a holder that lost its lease moved the cursor")
		}
		if again, _, _ := s.ReleaseKFSync(ctx, "wkA", "dead", t0); again {
			t.Fatal("a holder that lost its lease was told to pull again")
		}
		if ok, _ := s.AdvanceKFSync(ctx, "wkA", "r2", "C2", t0.Add(3*lease)); !ok {
			t.Fatal("the new holder's lease was released by the old one")
		}
	})
}
