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
	"tandem/retrieval"
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

func TestActionConformance(t *testing.T) {
	storetest.RunActions(t, func(t *testing.T) storetest.ActionStore { return open(t) })
}

func TestCustomerConformance(t *testing.T) {
	storetest.RunCustomers(t, func(t *testing.T) (storetest.CustomerStore, storetest.Tables) { s := open(t); return s, s.Tables })
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

func TestVectorSearchHNSW(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	const dim, n = 16, 400
	rng := rand.New(rand.NewPCG(1, 2))
	var docs []chat.Document
	var chunks [][]chat.Chunk
	var es []chat.Embedding
	vecs := map[string][]float32{}
	for i := range n {
		id := fmt.Sprintf("d%03d", i)
		coll, lang := "a", "en"
		if i%4 == 0 {
			coll, lang = "b", "zh"
		}
		docs = append(docs, chat.Document{ID: id, Collection: coll, Title: id, Body: id, Hash: "1", UpdatedAt: time.Now()})
		chunks = append(chunks, []chat.Chunk{{ID: id + "#0", DocID: id, Text: id, Lang: lang, Hash: "h"}})
		v := make([]float32, dim)
		for j := range v {
			v[j] = float32(rng.NormFloat64())
		}
		retrieval.Normalize(v)
		vecs[id+"#0"] = v
		es = append(es, chat.Embedding{ChunkID: id + "#0", Hash: "h", Vector: v})
	}
	if _, err := s.PutDocuments(ctx, docs, chunks); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureVectorIndex(ctx, "test-16", dim); err != nil {
		t.Fatal(err)
	}
	if err := s.PutEmbeddings(ctx, "test-16", es); err != nil {
		t.Fatal(err)
	}
	q := vecs["d008#0"]
	hits, err := s.SearchVectors(ctx, "test-16", q, 5, retrieval.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 5 || hits[0].ChunkID != "d008#0" || hits[0].Score < 0.999 {
		t.Fatalf("hits = %+v, want d008#0 first with cosine 1", hits)
	}
	// A filter that passes a quarter of the rows still fills k (iterative scans).
	hits, err = s.SearchVectors(ctx, "test-16", q, 20, retrieval.Filter{Collection: "b", Lang: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 20 || hits[0].ChunkID != "d008#0" {
		t.Fatalf("filtered: %d hits, first %+v", len(hits), hits[0])
	}
	for _, h := range hits {
		var i int
		fmt.Sscanf(h.ChunkID, "d%03d", &i)
		if i%4 != 0 {
			t.Fatalf("filter let %s through", h.ChunkID)
		}
	}
	if err := s.EnsureVectorIndex(ctx, "bad'name", dim); err == nil {
		t.Fatal("a model name with a quote was accepted")
	}
}

func TestComplaintConformance(t *testing.T) {
	storetest.RunComplaints(t, func(t *testing.T) storetest.ComplaintStore { return open(t) })
}

func TestFollowUpConformance(t *testing.T) {
	storetest.RunFollowUps(t, func(t *testing.T) storetest.FollowUpStore { return open(t) })
}

// TestVectorSearchUsesIndexAndChecksModel sends binary query vectors many times (past the five
// custom plans after which Postgres may switch to a generic one) over enough rows that a
// sequential scan loses, and checks every search went
// through the model's partial HNSW index, whose name is the one earlier versions created; model
// names outside the strict pattern never reach a statement.
func TestVectorSearchUsesIndexAndChecksModel(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	const dim, n, searches = 8, 3000, 12
	rng := rand.New(rand.NewPCG(3, 4))
	var docs []chat.Document
	var chunks [][]chat.Chunk
	var es []chat.Embedding
	for i := range n {
		id := fmt.Sprintf("v%03d", i)
		docs = append(docs, chat.Document{ID: id, Collection: "a", Title: id, Body: id, Hash: "1", UpdatedAt: time.Now()})
		chunks = append(chunks, []chat.Chunk{{ID: id + "#0", DocID: id, Text: id, Lang: "en", Hash: "h"}})
		v := make([]float32, dim)
		for j := range v {
			v[j] = float32(rng.NormFloat64())
		}
		retrieval.Normalize(v)
		es = append(es, chat.Embedding{ChunkID: id + "#0", Hash: "h", Vector: v})
	}
	if _, err := s.PutDocuments(ctx, docs, chunks); err != nil {
		t.Fatal(err)
	}
	const model = "org/model-8:v1.2"
	if err := s.EnsureVectorIndex(ctx, model, dim); err != nil {
		t.Fatal(err)
	}
	if err := s.PutEmbeddings(ctx, model, es); err != nil {
		t.Fatal(err)
	}
	if err := s.Analyze(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range searches {
		hits, err := s.SearchVectors(ctx, model, es[i].Vector, 3, retrieval.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 3 || hits[0].ChunkID != es[i].ChunkID || hits[0].Score < 0.9999 {
			t.Fatalf("search %d: hits %+v, want %s first with cosine 1", i, hits, es[i].ChunkID)
		}
	}
	// The index name depends on the model name alone: FNV-1a 32 of "org/model-8:v1.2".
	const stable = `"embeddings_hnsw_d569bae5"`
	deadline := time.Now().Add(5 * time.Second)
	for {
		name, scans, err := s.VectorIndexScans(ctx, model)
		if err != nil {
			t.Fatal(err)
		}
		if name != stable {
			t.Fatalf("index name %s, want %s", name, stable)
		}
		if scans >= searches {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d index scans after %d searches: some searches did not use the HNSW index", scans, searches)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, bad := range []string{"bad'name", `a\b`, "a b", "x') OR ('1'='1", strings.Repeat("m", 65), ""} {
		if err := s.EnsureVectorIndex(ctx, bad, dim); err == nil {
			t.Errorf("EnsureVectorIndex accepted model %q", bad)
		}
		if _, err := s.SearchVectors(ctx, bad, es[0].Vector, 3, retrieval.Filter{}); err == nil {
			t.Errorf("SearchVectors accepted model %q", bad)
		}
	}
}

func TestBusPublishReply(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	got := make(chan chat.Event, 16)
	bus := postgres.NewBus(s, func(ev chat.Event) { got <- ev }, log)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- bus.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done })
	publishUntil(t, bus, chat.Event{Type: "owner", ConversationID: "listening"}, got)

	now := time.Now().UTC().Truncate(time.Millisecond)
	cu, err := s.UpsertCustomer(ctx, chat.Customer{ID: "cu1", Channel: "api", ExternalID: "x1", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	conv := chat.Conversation{ID: "conv1", CustomerID: cu.ID, Channel: "api", Owner: chat.OwnerBot, CreatedAt: now, UpdatedAt: now}
	if err := s.CreateConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	next := func() chat.Event { // the next event of conv or the marker (the listening probes may repeat)
		t.Helper()
		for {
			select {
			case ev := <-got:
				if ev.ConversationID == conv.ID || ev.ConversationID == "marker" {
					return ev
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no event within 10s")
			}
		}
	}
	reply := func(text string) (chat.Message, bool) {
		t.Helper()
		conf := 0.9
		m := chat.Message{ConversationID: conv.ID, Author: chat.AuthorBot, Text: text, Confidence: &conf, Decision: chat.DecisionAnswer,
			Channel: "api", CreatedAt: now, Sources: []chat.Source{{ID: "doc1", Title: "Claims \"quoted\" <b>"}}}
		customer := chat.Message{ID: 7, ConversationID: conv.ID, Author: chat.AuthorCustomer, Text: `say "message":{"id":0}`, CreatedAt: now}
		out, stored, err := bus.PublishReply(ctx, m, false, []chat.Event{
			{Type: "message", ConversationID: conv.ID, Message: &customer},
			{Type: "message", ConversationID: conv.ID, Message: &m},
		})
		if err != nil {
			t.Fatal(err)
		}
		return out, stored
	}

	m, stored := reply("File it in the app.")
	if !stored || m.ID == 0 {
		t.Fatalf("reply stored %v with id %d, want stored with an id", stored, m.ID)
	}
	first, second := next(), next()
	if first.Message == nil || first.Message.ID != 7 || first.Message.Text != `say "message":{"id":0}` {
		t.Fatalf("first event %+v, want the customer's message", first.Message)
	}
	if second.Message == nil || second.Message.ID != m.ID || second.Message.Text != "File it in the app." ||
		len(second.Message.Sources) != 1 || second.Message.Sources[0].Title != `Claims "quoted" <b>` {
		t.Fatalf("second event %+v, want the reply with id %d", second.Message, m.ID)
	}
	if stored, err := s.Recent(ctx, conv.ID, 5); err != nil || len(stored) != 1 || stored[0].ID != m.ID {
		t.Fatalf("stored messages %+v (%v), want the reply", stored, err)
	}

	// Too big for one notification: a sync instead.
	if _, stored := reply(strings.Repeat("x", 7000)); !stored {
		t.Fatal("long reply not stored")
	}
	if ev := next(); ev.Type != "sync" || ev.ConversationID != conv.ID || ev.Message != nil {
		t.Fatalf("oversized reply's event %+v, want sync", ev)
	}

	// A person took the conversation: nothing is stored, nothing published.
	if err := s.SetOwner(ctx, chat.Transition{ConversationID: conv.ID, From: chat.OwnerBot, To: chat.OwnerWaiting, At: now}); err != nil {
		t.Fatal(err)
	}
	if _, stored := reply("too late"); stored {
		t.Fatal("reply stored in a conversation the bot no longer owns")
	}
	if err := bus.Publish(ctx, chat.Event{Type: "owner", ConversationID: "marker"}); err != nil {
		t.Fatal(err)
	}
	if ev := next(); ev.ConversationID != "marker" {
		t.Fatalf("got %+v before the marker, want nothing from the dropped reply", ev)
	}
}
