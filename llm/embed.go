// Package llm talks to OpenAI-compatible servers (OpenAI, Azure, vLLM, llama.cpp, Ollama):
// embeddings now, chat generation with the bot's brain. It is the only package importing go-openai.
package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// EmbedConfig configures an OpenAI-compatible embedder.
type EmbedConfig struct {
	BaseURL string // e.g. https://api.openai.com/v1
	APIKey  string
	Model   string // e.g. text-embedding-3-small
	Dim     int    // dimensions asked for and expected back
	Batch   int    // texts per request (64 when 0)
	Retries int    // extra attempts on 429, 5xx and network errors (3 when 0)
	Timeout time.Duration
	// HTTPClient makes the requests (the server passes one under its outbound policy); nil is a
	// plain client. Its timeout is replaced by Timeout.
	HTTPClient *http.Client
}

// Embedder embeds texts through /v1/embeddings, in batches, retrying transient failures with
// exponential backoff. It implements retrieval.Embedder.
type Embedder struct {
	client  *openai.Client
	cfg     EmbedConfig
	breaker *breaker
}

// NewEmbedder returns an embedder for cfg.
func NewEmbedder(cfg EmbedConfig) *Embedder {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 64
	}
	if cfg.Retries <= 0 {
		cfg.Retries = 3
	}
	return &Embedder{client: newClient(cfg.BaseURL, cfg.APIKey, cfg.HTTPClient, cfg.Timeout), cfg: cfg, breaker: newBreaker(3, 30*time.Second)}
}

// newClient returns a go-openai client for an OpenAI-compatible server, making its requests
// with hc's transport and redirect policy (a plain client when nil); timeout 0 leaves the
// deadline to each call's context.
func newClient(baseURL, apiKey string, hc *http.Client, timeout time.Duration) *openai.Client {
	c := openai.DefaultConfig(apiKey)
	c.BaseURL = baseURL
	own := &http.Client{}
	if hc != nil {
		*own = *hc
	}
	own.Timeout = timeout
	c.HTTPClient = sniffingDoer{own}
	return openai.NewClientWithConfig(c)
}

// Model names the model and its dimension, e.g. "openai:text-embedding-3-small:256".
func (e *Embedder) Model() string { return fmt.Sprintf("openai:%s:%d", e.cfg.Model, e.cfg.Dim) }

// Dim is the vector dimension.
func (e *Embedder) Dim() int { return e.cfg.Dim }

// Embed returns one vector per text, in order. After three failed calls in a row it fails at once
// for 30 s (ErrOpen), so searches fall back to the lexical leg without waiting.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if !e.breaker.allow() {
		return nil, ErrOpen
	}
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += e.cfg.Batch {
		batch := texts[start:min(start+e.cfg.Batch, len(texts))]
		vs, err := e.embedBatch(ctx, batch)
		e.breaker.record(err)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

func (e *Embedder) embedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	wait := 500 * time.Millisecond
	for attempt := 0; ; attempt++ {
		vs, err := e.request(ctx, texts)
		if err == nil || attempt >= e.cfg.Retries || !transient(err) {
			return vs, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func (e *Embedder) request(ctx context.Context, texts []string) ([][]float32, error) {
	res, err := e.client.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{
		Input: texts, Model: openai.EmbeddingModel(e.cfg.Model), Dimensions: e.cfg.Dim,
	})
	if err != nil {
		return nil, fmt.Errorf("embeddings: %w", err)
	}
	if len(res.Data) != len(texts) {
		return nil, fmt.Errorf("embeddings: %d vectors for %d texts", len(res.Data), len(texts))
	}
	out := make([][]float32, len(texts))
	for _, d := range res.Data {
		if d.Index < 0 || d.Index >= len(texts) || len(d.Embedding) != e.cfg.Dim {
			return nil, fmt.Errorf("embeddings: vector %d has %d dimensions, want %d", d.Index, len(d.Embedding), e.cfg.Dim)
		}
		out[d.Index] = d.Embedding
	}
	for i, v := range out {
		if v == nil {
			return nil, fmt.Errorf("embeddings: no vector for text %d", i)
		}
	}
	return out, nil
}

// transient reports whether a failed call may succeed when retried: rate limits, server errors
// and network failures; not bad requests or authentication errors.
func transient(err error) bool {
	var api *openai.APIError
	if errors.As(err, &api) {
		return api.HTTPStatusCode == http.StatusTooManyRequests || api.HTTPStatusCode >= 500
	}
	var req *openai.RequestError
	if errors.As(err, &req) {
		return req.HTTPStatusCode == http.StatusTooManyRequests || req.HTTPStatusCode >= 500 || req.HTTPStatusCode == 0
	}
	var inc *Incomplete
	if errors.As(err, &inc) || refused(err) {
		return false // the same request would end the same way
	}
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}
