package intent

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"time"

	"tandem/chat"
	"tandem/retrieval"
)

// Putter stores intents.
type Putter interface {
	PutIntent(ctx context.Context, in chat.Intent) error
}

// SyncStore is what Sync reads: the stored intents, their version, and the knowledge whose titles
// and phrasings are the router's out-of-scope examples.
type SyncStore interface {
	Intents(ctx context.Context) ([]chat.Intent, error)
	IntentsVersion(ctx context.Context) (string, error)
	Documents(ctx context.Context) ([]chat.Document, error)
}

// Import stores the intents of a JSONL file, all checked before any is stored.
func Import(ctx context.Context, st Putter, data []byte) (int, error) {
	ins, err := ParseJSONL(bytes.NewReader(data), time.Now().UTC())
	if err != nil {
		return 0, err
	}
	for _, in := range ins {
		if err := st.PutIntent(ctx, in); err != nil {
			return 0, err
		}
	}
	return len(ins), nil
}

// Sync retrains the intent router whenever the stored intents change.
type Sync struct {
	Store   SyncStore
	Live    *Live
	Log     *slog.Logger
	mu      sync.Mutex // the loop and API changes retrain one at a time
	version string
}

// Loaded reports whether the intents have been trained (or found empty) at least once.
func (s *Sync) Loaded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version != ""
}

// Load trains a router from the stored intents, with the knowledge questions as out-of-scope.
func (s *Sync) Load(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.Store.IntentsVersion(ctx)
	if err != nil || v == s.version {
		return err
	}
	ins, err := s.Store.Intents(ctx)
	if err != nil {
		return err
	}
	if len(ins) == 0 {
		s.Live.Set(nil)
		s.version = v
		return nil
	}
	docs, err := s.Store.Documents(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	r, err := NewRouter(ins, knowledgeNegatives(ins, docs))
	if err != nil {
		return err
	}
	s.Live.Set(r)
	s.version = v
	s.Log.Info("intents trained", "intents", len(ins), "seconds", time.Since(start).Seconds())
	return nil
}

// nearExample is the share of shared words (of the shorter text) from which a knowledge phrasing
// counts as saying what an intent's example says. Chinese words are character pairs, so a short
// Chinese phrasing shares few of them: 0.4 keeps "我的理赔进度怎么样" from teaching the router to
// refuse the claim-status action, while "How do I pay my premium?" stays a negative for the
// next-premium action (both checked with the demo's action eval set and the answers eval).
const nearExample = 0.4

// knowledgeNegatives are the router's out-of-scope examples: the articles' titles and customer
// phrasings, except phrasings that say what an intent's own example says ("where is my claim"
// beside the claim-status action's "where is my claim CL…"): as negatives they would teach the
// router to refuse its own intents.
func knowledgeNegatives(ins []chat.Intent, docs []chat.Document) []string {
	var examples []map[string]bool
	for _, in := range ins {
		for _, ex := range in.Examples {
			examples = append(examples, wordSet(ex))
		}
	}
	var out []string
	for _, d := range docs {
		out = append(out, d.Title)
		for _, q := range d.Questions {
			if !nearAny(wordSet(q), examples) {
				out = append(out, q)
			}
		}
	}
	return out
}

func wordSet(text string) map[string]bool {
	set := map[string]bool{}
	for _, w := range retrieval.Tokens(text) {
		set[w] = true
	}
	return set
}

// nearAny reports whether words share at least nearExample of the smaller set with any example.
func nearAny(words map[string]bool, examples []map[string]bool) bool {
	for _, ex := range examples {
		shared := 0
		for w := range words {
			if ex[w] {
				shared++
			}
		}
		if n := min(len(words), len(ex)); n > 0 && float64(shared) >= nearExample*float64(n) {
			return true
		}
	}
	return false
}
