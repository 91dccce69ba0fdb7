package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"tandem/channels"
	"tandem/postgres"
)

// openTwin opens a second store on s's schema, as a second replica would.
func openTwin(t *testing.T, s *postgres.Store) *postgres.Store {
	t.Helper()
	var schema string
	if err := s.QueryRowForTest(context.Background(), `SELECT current_schema()`, &schema); err != nil {
		t.Fatal(err)
	}
	b, err := postgres.OpenSchema(context.Background(), testURL(), schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// TestLeaseOneHolderAndFailover: of two replicas, one holds a lease and the other cannot take
// it; when the holder's session dies (as when its process or network does), the holder sees
// the lease lost and the other replica takes it.
func TestLeaseOneHolderAndFailover(t *testing.T) {
	a := open(t)
	b := openTwin(t, a)
	ctx := context.Background()
	la, ok, err := a.TryLease(ctx, "alerts")
	if err != nil || !ok {
		t.Fatalf("first lease: ok %v, err %v", ok, err)
	}
	defer la.Release()
	if _, ok, err := b.TryLease(ctx, "alerts"); err != nil || ok {
		t.Fatalf("second replica took a held lease: ok %v, err %v", ok, err)
	}
	lb, ok, err := b.TryLease(ctx, "recovery")
	if err != nil || !ok {
		t.Fatalf("another lease name: ok %v, err %v", ok, err)
	}
	lb.Release()

	if n, err := a.KillLease(ctx, "alerts"); err != nil || n != 1 {
		t.Fatalf("killed %d lease sessions (err %v), want 1", n, err)
	}
	select {
	case <-la.Lost():
	case <-time.After(15 * time.Second):
		t.Fatal("the holder did not notice its lease was lost")
	}
	lb, ok, err = b.TryLease(ctx, "alerts")
	if err != nil || !ok {
		t.Fatalf("after the holder died: ok %v, err %v", ok, err)
	}
	// A released lease is free at once.
	lb.Release()
	la2, ok, err := a.TryLease(ctx, "alerts")
	if err != nil || !ok {
		t.Fatalf("after release: ok %v, err %v", ok, err)
	}
	la2.Release()
}

// TestTakeTokensShared: two replicas taking from one key's bucket together get the burst once,
// not twice, even when they race; the empty bucket says how long until the next token.
func TestTakeTokensShared(t *testing.T) {
	a := open(t)
	b := openTwin(t, a)
	ctx := context.Background()
	const burst, perSecond = 6, 0.5
	var mu sync.Mutex
	allowed := 0
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			wait, err := s.TakeTokens(ctx, "widget\x00visitor-1", 1, perSecond, burst)
			if err != nil {
				t.Error(err)
				return
			}
			if wait == 0 {
				mu.Lock()
				allowed++
				mu.Unlock()
			} else if wait > 2*time.Second {
				t.Errorf("wait %v, want at most 2 s at 0.5/s", wait)
			}
		}()
	}
	wg.Wait()
	if allowed != burst {
		t.Fatalf("%d of 20 allowed across two replicas, want the burst of %d", allowed, burst)
	}
	// Another key has its own bucket.
	if wait, err := b.TakeTokens(ctx, "widget\x00visitor-2", 1, perSecond, burst); err != nil || wait != 0 {
		t.Fatalf("another key: wait %v, err %v", wait, err)
	}
	// Two seconds at 0.5/s refill one token.
	time.Sleep(2100 * time.Millisecond)
	if wait, err := a.TakeTokens(ctx, "widget\x00visitor-1", 1, perSecond, burst); err != nil || wait != 0 {
		t.Fatalf("after refill: wait %v, err %v", wait, err)
	}
	if wait, _ := b.TakeTokens(ctx, "widget\x00visitor-1", 1, perSecond, burst); wait == 0 {
		t.Fatal("a second token after one refill")
	}
	if err := a.SweepTokens(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestPacerAcrossReplicas: two replicas' Telegram pacers (3 at once, then one a second per chat)
// sharing the database pace one chat together: a reply of 3 parts from one replica leaves the
// other nothing to send to that chat at once, while another chat is not held back.
func TestPacerAcrossReplicas(t *testing.T) {
	a := open(t)
	b := openTwin(t, a)
	pa := &channels.Pacer{Every: time.Second, Burst: 3, Shared: a, Name: "telegram"}
	pb := &channels.Pacer{Every: time.Second, Burst: 3, Shared: b, Name: "telegram"}
	now := time.Now()
	if d := pa.Wait("42", 3, now); d != 0 {
		t.Fatalf("first 3 parts wait %v", d)
	}
	if d := pb.Wait("42", 1, now); d <= 0 || d > time.Second {
		t.Fatalf("the other replica's next part to the same chat waits %v, want up to 1 s", d)
	}
	if d := pb.Wait("43", 3, now); d != 0 {
		t.Fatalf("another chat waits %v", d)
	}
	time.Sleep(1100 * time.Millisecond)
	if d := pb.Wait("42", 1, time.Now()); d != 0 {
		t.Fatalf("after a second the chat still waits %v", d)
	}
}
