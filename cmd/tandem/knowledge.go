package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"tandem/bot"
	"tandem/chat"
	"tandem/config"
	"tandem/httpapi"
	"tandem/intent"
	"tandem/llm"
	"tandem/postgres"
	"tandem/progress"
	"tandem/retrieval"
	"tandem/settings"
)

// knowledgeStore is what the knowledge base needs of a store.
type knowledgeStore interface {
	retrieval.Source
	retrieval.DocumentStore
	retrieval.EmbedStore
	PutDocument(ctx context.Context, d chat.Document, chunks []chat.Chunk) (bool, error)
	DeleteDocument(ctx context.Context, id string) error
	Synonyms(ctx context.Context) ([]chat.SynonymGroup, error)
	PutSynonyms(ctx context.Context, byLang map[string][]chat.SynonymGroup, at time.Time) error
}

// knowledge wires the knowledge base: the in-memory index kept in sync with the store, hybrid
// search, the importer and the background embedding job.
type knowledge struct {
	index    *retrieval.Index
	search   *retrieval.Searcher
	sync     *retrieval.Sync
	embed    *retrieval.EmbedJob
	importer *retrieval.Importer
	fetch    *http.Client // URL imports, under the outbound policy
}

// newEmbedder returns the configured embedder.
func newEmbedder(cfg config.Config) retrieval.Embedder {
	if cfg.Embedder == "openai" {
		return llm.NewEmbedder(llm.EmbedConfig{BaseURL: cfg.EmbedBaseURL, APIKey: cfg.EmbedAPIKey, Model: cfg.EmbedModel, Dim: cfg.EmbedDim,
			HTTPClient: cfg.Outbound().Client(0)})
	}
	return retrieval.NewLocal(cfg.EmbedDim)
}

// newKnowledge sets the knowledge base up over st without loading it (see load). Postgres
// searches vectors with its HNSW index; SQLite's vectors are searched exactly in memory.
func newKnowledge(ctx context.Context, cfg config.Config, st knowledgeStore, log *slog.Logger) (*knowledge, error) {
	emb := newEmbedder(cfg)
	index := retrieval.NewIndex(nil)
	k := &knowledge{
		index:    index,
		search:   &retrieval.Searcher{Index: index, Embedder: emb, Log: log},
		sync:     &retrieval.Sync{Source: st, Index: index, Embedder: emb, Interval: knowledgeSyncInterval, Log: log},
		embed:    &retrieval.EmbedJob{Store: st, Embedder: emb, Log: log},
		importer: &retrieval.Importer{Store: st},
		fetch:    cfg.Outbound().Client(importTimeout),
	}
	if cfg.Embedder == "openai" {
		k.search.Params = retrieval.SemanticHybridParams
	}
	if pg, ok := st.(*postgres.Store); ok {
		if err := pg.EnsureVectorIndex(ctx, emb.Model(), emb.Dim()); err != nil {
			return nil, err
		}
		k.search.Vectors = pg
	} else if vs, ok := st.(retrieval.VectorSource); ok {
		k.sync.Vectors, k.sync.Model = vs, emb.Model()
	}
	return k, nil
}

// embedNow embeds whatever is pending, with a progress bar on a terminal. A failing embedder is
// reported but is not fatal: search falls back to the lexical leg.
func (k *knowledge) embedNow(ctx context.Context, stderr io.Writer) error {
	p, err := k.embed.Status(ctx)
	if err != nil {
		return err
	}
	if p.Embedded >= p.Chunks {
		return nil
	}
	bar := progress.New(stderr, "embedding", p.Chunks)
	_, err = k.embed.Pending(ctx, func(p retrieval.Progress) { bar.Set(p.Embedded) })
	bar.Done()
	if err != nil {
		fmt.Fprintf(stderr, "warning: %v; vector search covers only the chunks embedded so far\n", err)
	}
	return nil
}

// ready embeds pending chunks and loads the index: what a one-shot command does before searching.
func (k *knowledge) ready(ctx context.Context, stderr io.Writer) error {
	if err := k.embedNow(ctx, stderr); err != nil {
		return err
	}
	if err := k.sync.Load(ctx); err != nil {
		return err
	}
	if err := k.sync.EmbedPhrasings(ctx); err != nil {
		fmt.Fprintf(stderr, "warning: %v; similar questions are matched by their words only\n", err)
	}
	return nil
}

// api is the knowledge base as the trainer API sees it.
func (k *knowledge) api(st knowledgeStore) *httpapi.KnowledgeBase {
	return &httpapi.KnowledgeBase{Store: st, Index: k.index, Search: k.search, Importer: k.importer, Embed: k.embed, Refresh: k.sync.Load,
		ImportURLs: func(ctx context.Context, urls []string, sitemap, collection string) []retrieval.Report {
			return importURLs(ctx, k.fetch, k.importer, urls, sitemap, collection, io.Discard)
		}}
}

// importURLs fetches pages (and the pages a sitemap lists) and imports each; one report per page.
func importURLs(ctx context.Context, client *http.Client, im *retrieval.Importer, urls []string, sitemap, collection string, stderr io.Writer) []retrieval.Report {
	var reports []retrieval.Report
	if sitemap != "" {
		pages, err := retrieval.Sitemap(ctx, client, sitemap, retrieval.MaxImportPages-len(urls))
		if err != nil {
			reports = append(reports, retrieval.Report{Name: sitemap, Error: err.Error()})
		}
		urls = append(urls, pages...)
	}
	if len(urls) > retrieval.MaxImportPages {
		return append(reports, retrieval.Report{Name: "urls", Error: fmt.Sprintf("over %d pages in one import", retrieval.MaxImportPages)})
	}
	// Each page is stored as soon as it is parsed and then let go, so memory does not grow with
	// the number of pages.
	bar := progress.New(stderr, "fetching", len(urls))
	pages, done := make([]retrieval.Report, len(urls)), 0
	retrieval.FetchEach(ctx, client, urls, retrieval.FetchOptions{}, func(i int, r retrieval.FetchResult) {
		if r.Err != nil {
			pages[i] = retrieval.Report{Name: r.URL, Error: r.Err.Error()}
		} else {
			pages[i] = im.Documents(ctx, r.URL, r.Docs, collection)
		}
		done++
		bar.Set(done)
	})
	bar.Done()
	return append(reports, pages...)
}

// importTimeout bounds one request of a URL import.
const importTimeout = 30 * time.Second

// newBot returns the bot: grounded generation through the configured LLM, extractive otherwise.
func newBot(cfg config.Config, kb *knowledge, intents *intent.Live, tune *settings.Tuning, log *slog.Logger) *bot.Bot {
	b := &bot.Bot{Knowledge: kb.search, Intents: intents, TargetPrecision: cfg.TargetPrecision, Target: tune.TargetPrecision,
		Calibrator: tune.Calibrator, Log: log}
	if cfg.LLMBaseURL != "" {
		b.LLM = llm.NewChat(llm.ChatConfig{BaseURL: cfg.LLMBaseURL, APIKey: cfg.LLMAPIKey, Model: cfg.LLMModel, LogProbs: cfg.LLMLogProbs, Timeout: cfg.LLMTimeout, Log: log,
			HTTPClient: cfg.Outbound().Client(0)})
	}
	return b
}

// knowledgeSyncInterval is how often a replica checks the store for knowledge changes (a cheap
// count and maximum): a phrasing or synonym saved on one replica is searchable on all within 2 s.
const knowledgeSyncInterval = time.Second

// vectorsReady reports whether every chunk and similar question has its vector under the
// configured embedder and, where vectors are searched in memory (SQLite), this replica has loaded
// them all.
func (k *knowledge) vectorsReady(ctx context.Context) bool {
	p, err := k.embed.Status(ctx)
	if err != nil || p.Embedded < p.Chunks || !k.sync.PhrasingsEmbedded() {
		return false
	}
	if k.sync.Vectors != nil {
		return k.index.VectorCount() >= k.index.Len()
	}
	return true
}
