package retrieval

import (
	"context"
	"log/slog"
	"time"

	"tandem/chat"
)

// DefaultSyncInterval is how often a server checks the store for knowledge changes.
const DefaultSyncInterval = 2 * time.Second

// Source is where the knowledge lives: the store.
type Source interface {
	Documents(ctx context.Context) ([]chat.Document, error)
	KnowledgeVersion(ctx context.Context) (string, error)
}

// Sync keeps an Index equal to the store's documents, so an import by the CLI, the trainer API or
// another replica reaches the bot without a restart.
type Sync struct {
	Source   Source
	Index    *Index
	Interval time.Duration
	Log      *slog.Logger
	version  string
}

// Load fills the index from the store now.
func (s *Sync) Load(ctx context.Context) error {
	v, err := s.Source.KnowledgeVersion(ctx)
	if err != nil {
		return err
	}
	docs, err := s.Source.Documents(ctx)
	if err != nil {
		return err
	}
	s.Index.Replace(docs)
	s.version = v
	return nil
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
		v, err := s.Source.KnowledgeVersion(ctx)
		if err != nil || v == s.version {
			if err != nil && ctx.Err() == nil {
				s.Log.Warn("knowledge version check failed", "err", err)
			}
			continue
		}
		if err := s.Load(ctx); err != nil && ctx.Err() == nil {
			s.Log.Warn("knowledge reload failed", "err", err)
			continue
		}
		s.Log.Info("knowledge reloaded", "articles", s.Index.Len())
	}
}
