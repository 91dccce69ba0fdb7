package intent

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"tandem/chat"
	"tandem/demo"
)

// memIntents is an intent store in memory; its version is bumped on every change.
type memIntents struct {
	ins     []chat.Intent
	docs    []chat.Document
	version int
	reads   int
}

func (m *memIntents) PutIntent(ctx context.Context, in chat.Intent) error {
	m.ins = slices.DeleteFunc(m.ins, func(s chat.Intent) bool { return s.Name == in.Name })
	m.ins = append(m.ins, in)
	m.version++
	return nil
}

func (m *memIntents) Intents(ctx context.Context) ([]chat.Intent, error) {
	m.reads++
	return m.ins, nil
}

func (m *memIntents) IntentsVersion(ctx context.Context) (string, error) {
	return strings.Repeat("v", m.version+1), nil
}

func (m *memIntents) Documents(ctx context.Context) ([]chat.Document, error) { return m.docs, nil }

func TestImportChecksAllFirst(t *testing.T) {
	ctx := context.Background()
	st := &memIntents{}
	bad := append(bytes.Clone(demo.Intents), []byte("{\"text\": \"\", \"intent\": \"x\"}\n")...)
	if _, err := Import(ctx, st, bad); err == nil || len(st.ins) != 0 {
		t.Fatalf("a file with a bad line: err %v, %d intents stored; want an error and none", err, len(st.ins))
	}
	n, err := Import(ctx, st, demo.Intents)
	if err != nil || n == 0 || len(st.ins) != n {
		t.Fatalf("Import = %d, %v; %d stored", n, err, len(st.ins))
	}
}

func TestSyncRetrainsOnChange(t *testing.T) {
	ctx := context.Background()
	st := &memIntents{docs: []chat.Document{{Title: "How do I file a claim?"}}}
	s := &Sync{Store: st, Live: &Live{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if s.Loaded() {
		t.Fatal("loaded before Load")
	}
	if err := s.Load(ctx); err != nil || !s.Loaded() {
		t.Fatalf("no intents: loaded %v, err %v", s.Loaded(), err)
	}
	if _, _, ok := s.Live.Route("hello"); ok {
		t.Fatal("routed without intents")
	}
	if _, err := Import(ctx, st, demo.Intents); err != nil {
		t.Fatal(err)
	}
	if err := s.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if in, _, ok := s.Live.Route("hello!"); !ok || in.Name != "greeting" {
		t.Errorf(`Route("hello!") = %q, %v; want greeting`, in.Name, ok)
	}
	reads := st.reads
	if err := s.Load(ctx); err != nil || st.reads != reads {
		t.Errorf("an unchanged version retrained (reads %d → %d, err %v)", reads, st.reads, err)
	}
}

func TestKnowledgeNegatives(t *testing.T) {
	ins := []chat.Intent{{Name: "claim_status", Examples: []string{"where is my claim CL-1234"}}}
	docs := []chat.Document{{Title: "Filing a claim", Questions: []string{"where is my claim", "how do I pay my premium"}}}
	got := knowledgeNegatives(ins, docs)
	want := []string{"Filing a claim", "how do I pay my premium"}
	if !slices.Equal(got, want) {
		t.Errorf("negatives = %q, want %q (a phrasing saying what an example says is left out)", got, want)
	}
}
