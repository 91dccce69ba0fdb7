package postgres_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"tandem/chat"
	"tandem/postgres"
	"tandem/storetest"
)

func testURL() string {
	if u := os.Getenv("TANDEM_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// open returns a migrated store in a fresh schema that is dropped after the test. Without a
// database the test is skipped, except in CI where that is a failure.
func open(t *testing.T) *postgres.Store {
	t.Helper()
	ctx := context.Background()
	schema := fmt.Sprintf("t_%d_%d", time.Now().UnixNano(), rand.IntN(1e6))
	s, err := postgres.OpenSchema(ctx, testURL(), schema)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("postgres unavailable in CI: %v", err)
		}
		t.Skipf("postgres unavailable: %v", err)
	}
	t.Cleanup(func() {
		s.DropSchema(context.Background(), schema)
		s.Close()
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return open(t) })
}

func TestMigrateTwiceAndVector(t *testing.T) {
	s := open(t)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if err := s.Exec(context.Background(), `SELECT '[1,2,3]'::vector <-> '[1,2,4]'::vector`); err != nil {
		t.Fatalf("pgvector not usable: %v", err)
	}
}

func TestBusAcrossReplicas(t *testing.T) {
	a, b := open(t), open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	got := make(chan chat.Event, 16)
	busA := postgres.NewBus(a, func(chat.Event) {}, log)
	busB := postgres.NewBus(b, func(ev chat.Event) { got <- ev }, log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- busB.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	// B may not be listening yet: publish until it hears one.
	want := chat.Event{Type: "owner", ConversationID: "c1", Owner: chat.OwnerWaiting}
	ev := publishUntil(t, busA, want, got)
	if ev.Owner != chat.OwnerWaiting {
		t.Fatalf("B got %+v", ev)
	}
	big := chat.Event{Type: "message", ConversationID: "c2", Message: &chat.Message{Text: strings.Repeat("x", 9000)}}
	if err := busA.Publish(context.Background(), big); err != nil {
		t.Fatal(err)
	}
	for ev := range got {
		if ev.ConversationID == "c2" {
			if ev.Type != "sync" || ev.Message != nil {
				t.Fatalf("oversized event arrived as %+v, want sync", ev.Type)
			}
			break
		}
	}
}

func publishUntil(t *testing.T, bus *postgres.Bus, ev chat.Event, got <-chan chat.Event) chat.Event {
	t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := bus.Publish(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		select {
		case e := <-got:
			if e.ConversationID == ev.ConversationID {
				return e
			}
		case <-tick.C:
		case <-deadline:
			t.Fatal("event did not cross replicas within 10s")
		}
	}
}
