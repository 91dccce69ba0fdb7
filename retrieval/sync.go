package retrieval

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"tandem/chat"
)

// DefaultSyncInterval is how often a server checks the store for knowledge changes.
const DefaultSyncInterval = 2 * time.Second

// Source is where the knowledge lives: the store.
type Source interface {
	Documents(ctx context.Context) ([]chat.Document, error)
	Chunks(ctx context.Context, docID string) ([]chat.Chunk, error)
	KnowledgeVersion(ctx context.Context) (string, error)
}

// SynonymSource gives the trainer's synonym groups (stores that keep them).
type SynonymSource interface {
	Synonyms(ctx context.Context) ([]chat.SynonymGroup, error)
}

// VectorSource gives a store's vectors to an in-memory index (stores without vector search).
type VectorSource interface {
	EmbeddingStats(ctx context.Context, model string) (chunks, embedded int, err error)
	Embeddings(ctx context.Context, model string) (map[string][]float32, error)
}

// Sync keeps an Index equal to the store's documents and chunks (and, with Vectors, their
// vectors under Model), so an import by the CLI, the trainer API or another replica reaches the
// bot without a restart.
type Sync struct {
	Source  Source
	Index   *Index
	Vectors VectorSource // nil when the store searches vectors itself
	Model   string
	// Embedder, when set, embeds the documents' phrasings for the question-to-question leg.
	Embedder Embedder
	Interval time.Duration
	Log      *slog.Logger
	mu       sync.Mutex // one load at a time (the loop and Refresh after an API change)
	version  string
	phrases  map[string][]float32 // phrasing vectors already computed, by text
	pmu      sync.Mutex           // guards phrases while embedding
}

// EmbedPhrasings gives the loaded phrasings that have none their vectors (through Embedder), so the
// question-to-question leg compares meaning as well as words. It runs apart from Load, which
// must not wait for a remote embedder.
func (s *Sync) EmbedPhrasings(ctx context.Context) error {
	if s.Embedder == nil {
		return nil
	}
	s.pmu.Lock()
	defer s.pmu.Unlock()
	if s.phrases == nil {
		s.phrases = map[string][]float32{}
	}
	return EmbedPhrasings(ctx, s.Index, s.Embedder, s.phrases)
}

// PhrasingsEmbedded reports whether every loaded phrasing has its vector.
func (s *Sync) PhrasingsEmbedded() bool {
	return s.Embedder == nil || len(s.Index.PhraseVectorTexts(s.Embedder.Model())) == 0
}

// Load fills the index from the store now.
func (s *Sync) Load(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.currentVersion(ctx)
	if err != nil {
		return err
	}
	docs, err := s.Source.Documents(ctx)
	if err != nil {
		return err
	}
	chunks, err := s.Source.Chunks(ctx, "")
	if err != nil {
		return err
	}
	var groups []chat.SynonymGroup
	if ss, ok := s.Source.(SynonymSource); ok {
		if groups, err = ss.Synonyms(ctx); err != nil {
			return err
		}
	}
	s.Index.Replace(docs, s.withChunks(ctx, docs, chunks))
	s.Index.SetSynonyms(groups)
	if s.Vectors != nil && s.Model != "" {
		vecs, err := s.Vectors.Embeddings(ctx, s.Model)
		if err != nil {
			return err
		}
		s.Index.SetVectors(s.Model, vecs)
	}
	s.version = v
	return nil
}

// Version is the knowledge version last loaded ("" before the first load).
func (s *Sync) Version() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

// withChunks chunks documents stored without any (before chunking existed) and, when the source
// can store them, stores the chunks so they get vectors too.
func (s *Sync) withChunks(ctx context.Context, docs []chat.Document, chunks []chat.Chunk) []chat.Chunk {
	has := map[string]bool{}
	for _, c := range chunks {
		has[c.DocID] = true
	}
	var todo []chat.Document
	var parts [][]chat.Chunk
	for _, d := range docs {
		if !has[d.ID] {
			todo = append(todo, d)
			parts = append(parts, Chunks(d, DefaultChunkOptions))
			chunks = append(chunks, parts[len(parts)-1]...)
		}
	}
	if st, ok := s.Source.(DocumentStore); ok && len(todo) > 0 {
		if _, err := st.PutDocuments(ctx, todo, parts); err != nil && s.Log != nil {
			s.Log.Warn("storing chunks of older documents failed; searching them from memory", "err", err)
		}
	}
	return chunks
}

// currentVersion combines the knowledge version with the number of vectors loaded in memory.
func (s *Sync) currentVersion(ctx context.Context) (string, error) {
	v, err := s.Source.KnowledgeVersion(ctx)
	if err != nil || s.Vectors == nil || s.Model == "" {
		return v, err
	}
	_, n, err := s.Vectors.EmbeddingStats(ctx, s.Model)
	return fmt.Sprintf("%s/%d", v, n), err
}

// Run reloads the index whenever the store's knowledge version changes, until ctx ends.
func (s *Sync) Run(ctx context.Context) error {
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := s.EmbedPhrasings(ctx); err != nil && ctx.Err() == nil {
			s.Log.Warn("embedding phrasings failed; matching them by words until it succeeds", "err", err)
		}
		v, err := s.currentVersion(ctx)
		if err != nil || v == s.loaded() {
			if err != nil && ctx.Err() == nil {
				s.Log.Warn("knowledge version check failed", "err", err)
			}
			continue
		}
		if err := s.Load(ctx); err != nil && ctx.Err() == nil {
			s.Log.Warn("knowledge reload failed", "err", err)
			continue
		}
		s.Log.Info("knowledge reloaded", "documents", s.Index.Documents(), "chunks", s.Index.Len())
	}
}

func (s *Sync) loaded() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}
