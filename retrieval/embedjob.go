package retrieval

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"tandem/chat"
)

// EmbedStore is where chunks wait for vectors and vectors are kept.
type EmbedStore interface {
	MissingEmbeddings(ctx context.Context, model string, limit int) ([]chat.Chunk, error)
	PutEmbeddings(ctx context.Context, model string, es []chat.Embedding) error
	EmbeddingStats(ctx context.Context, model string) (chunks, embedded int, err error)
}

// EmbedJob gives every chunk a vector under the embedder's model. Imports only write documents
// and chunks; this job fills the vectors, so a new or changed embedder re-embeds in the
// background while search goes on (the vector leg covers what is embedded so far).
type EmbedJob struct {
	Store    EmbedStore
	Embedder Embedder
	Batch    int           // chunks per Embed call (64 when 0)
	Interval time.Duration // between checks when idle (2 s when 0)
	Log      *slog.Logger
}

// Progress is how far embedding under a model has come.
type Progress struct {
	Model    string `json:"model"`
	Dim      int    `json:"dim"`
	Chunks   int    `json:"chunks"`
	Embedded int    `json:"embedded"`
}

// Status reports the job's progress.
func (j *EmbedJob) Status(ctx context.Context) (Progress, error) {
	n, e, err := j.Store.EmbeddingStats(ctx, j.Embedder.Model())
	return Progress{Model: j.Embedder.Model(), Dim: j.Embedder.Dim(), Chunks: n, Embedded: e}, err
}

// Pending embeds every chunk that lacks a current vector, calling progress after each batch,
// and returns how many it embedded.
func (j *EmbedJob) Pending(ctx context.Context, progress func(Progress)) (int, error) {
	batch := j.Batch
	if batch <= 0 {
		batch = 64
	}
	model, done := j.Embedder.Model(), 0
	for {
		cs, err := j.Store.MissingEmbeddings(ctx, model, batch)
		if err != nil || len(cs) == 0 {
			return done, err
		}
		texts := make([]string, len(cs))
		for i, c := range cs {
			texts[i] = EmbedText(c.Title, c.Heading, c.Text)
		}
		vs, err := j.Embedder.Embed(ctx, texts)
		if err != nil {
			return done, fmt.Errorf("embed with %s: %w", model, err)
		}
		if len(vs) != len(cs) {
			return done, fmt.Errorf("embed with %s: %d vectors for %d texts", model, len(vs), len(cs))
		}
		es := make([]chat.Embedding, len(cs))
		for i, c := range cs {
			es[i] = chat.Embedding{ChunkID: c.ID, Hash: c.Hash, Vector: vs[i]}
		}
		if err := j.Store.PutEmbeddings(ctx, model, es); err != nil {
			return done, err
		}
		done += len(cs)
		if progress != nil {
			if p, err := j.Status(ctx); err == nil {
				progress(p)
			}
		}
	}
}

// Run embeds pending chunks until ctx ends, checking every Interval and backing off (up to a
// minute) while the embedder fails.
func (j *EmbedJob) Run(ctx context.Context) error {
	interval := j.Interval
	if interval <= 0 {
		interval = 2 * time.Second
	}
	wait := interval
	for {
		n, err := j.Pending(ctx, nil)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			wait = min(2*wait, time.Minute)
			j.Log.Warn("embedding failed; retrying", "model", j.Embedder.Model(), "err", err, "retry_in", wait)
		default:
			wait = interval
			if n > 0 {
				j.Log.Info("chunks embedded", "model", j.Embedder.Model(), "chunks", n)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}
