// Package knowledge puts the knowledge base together from retrieval's parts: the in-memory index
// kept in sync with the store, hybrid search, the importer and the background embedding job.
package knowledge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tandem/chat"
	"tandem/config"
	"tandem/llm"
	"tandem/progress"
	"tandem/retrieval"
)

// VectorIndex is a store that searches vectors with its own index (Postgres: HNSW), created for
// the embedder's model and dimensions.
type VectorIndex interface {
	retrieval.VectorSearcher
	EnsureVectorIndex(ctx context.Context, model string, dim int) error
}

// Store is what the knowledge base needs of a store.
type Store interface {
	retrieval.Source
	retrieval.DocumentStore
	retrieval.EmbedStore
	PutDocument(ctx context.Context, d chat.Document, chunks []chat.Chunk) (bool, error)
	DeleteDocument(ctx context.Context, id string) error
	Synonyms(ctx context.Context) ([]chat.SynonymGroup, error)
	PutSynonyms(ctx context.Context, byLang map[string][]chat.SynonymGroup, at time.Time) error
}

// Base is the knowledge base: the in-memory index kept in sync with the store, hybrid
// search, the importer and the background embedding job.
type Base struct {
	Index    *retrieval.Index
	Search   *retrieval.Searcher
	Sync     *retrieval.Sync
	Embed    *retrieval.EmbedJob
	Importer *retrieval.Importer
	Fetch    *http.Client // URL imports, under the outbound policy
}

// NewEmbedder returns the configured embedder.
func NewEmbedder(cfg config.Config) retrieval.Embedder {
	if cfg.Embedder == "openai" {
		return llm.NewEmbedder(llm.EmbedConfig{BaseURL: cfg.EmbedBaseURL, APIKey: cfg.EmbedAPIKey, Model: cfg.EmbedModel, Dim: cfg.EmbedDim,
			HTTPClient: cfg.Outbound().Client(0)})
	}
	return retrieval.NewLocal(cfg.EmbedDim)
}

// New sets the knowledge base up over st without loading it (see Ready, and Base.Sync). Postgres
// searches vectors with its HNSW index; SQLite's vectors are searched exactly in memory.
func New(ctx context.Context, cfg config.Config, st Store, log *slog.Logger) (*Base, error) {
	emb := NewEmbedder(cfg)
	index := retrieval.NewIndex(nil)
	k := &Base{
		Index:    index,
		Search:   &retrieval.Searcher{Index: index, Embedder: emb, Log: log},
		Sync:     &retrieval.Sync{Source: st, Index: index, Embedder: emb, Interval: syncInterval, Log: log},
		Embed:    &retrieval.EmbedJob{Store: st, Embedder: emb, Log: log},
		Importer: &retrieval.Importer{Store: st},
		Fetch:    cfg.Outbound().Client(importTimeout),
	}
	if cfg.Embedder == "openai" {
		k.Search.Params = retrieval.SemanticHybridParams
	}
	if vi, ok := st.(VectorIndex); ok {
		if err := vi.EnsureVectorIndex(ctx, emb.Model(), emb.Dim()); err != nil {
			return nil, err
		}
		k.Search.Vectors = vi
	} else if vs, ok := st.(retrieval.VectorSource); ok {
		k.Sync.Vectors, k.Sync.Model = vs, emb.Model()
	}
	return k, nil
}

// EmbedNow embeds whatever is pending, with a progress bar on a terminal. A failing embedder is
// reported but is not fatal: search falls back to the lexical leg.
func (k *Base) EmbedNow(ctx context.Context, stderr io.Writer) error {
	p, err := k.Embed.Status(ctx)
	if err != nil {
		return err
	}
	if p.Embedded >= p.Chunks {
		return nil
	}
	bar := progress.New(stderr, "embedding", p.Chunks)
	_, err = k.Embed.Pending(ctx, func(p retrieval.Progress) { bar.Set(p.Embedded) })
	bar.Done()
	if err != nil {
		fmt.Fprintf(stderr, "warning: %v; vector search covers only the chunks embedded so far\n", err)
	}
	return nil
}

// Ready embeds pending chunks and loads the index: what a one-shot command does before searching.
func (k *Base) Ready(ctx context.Context, stderr io.Writer) error {
	if err := k.EmbedNow(ctx, stderr); err != nil {
		return err
	}
	if err := k.Sync.Load(ctx); err != nil {
		return err
	}
	if err := k.Sync.EmbedPhrasings(ctx); err != nil {
		fmt.Fprintf(stderr, "warning: %v; similar questions are matched by their words only\n", err)
	}
	return nil
}

// ImportURLs fetches pages (and the pages a sitemap lists) and imports each; one report per page.
func (k *Base) ImportURLs(ctx context.Context, urls []string, sitemap, collection string, stderr io.Writer) []retrieval.Report {
	var reports []retrieval.Report
	if sitemap != "" {
		pages, err := retrieval.Sitemap(ctx, k.Fetch, sitemap, retrieval.MaxImportPages-len(urls))
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
	retrieval.FetchEach(ctx, k.Fetch, urls, retrieval.FetchOptions{}, func(i int, r retrieval.FetchResult) {
		if r.Err != nil {
			pages[i] = retrieval.Report{Name: r.URL, Error: r.Err.Error()}
		} else {
			pages[i] = k.Importer.Documents(ctx, r.URL, r.Docs, collection)
		}
		done++
		bar.Set(done)
	})
	bar.Done()
	return append(reports, pages...)
}

// importTimeout bounds one request of a URL import.
const importTimeout = 30 * time.Second

// syncInterval is how often a replica checks the store for knowledge changes (a cheap
// count and maximum): a phrasing or synonym saved on one replica is searchable on all within 2 s.
const syncInterval = time.Second

// VectorsReady reports whether every chunk and similar question has its vector under the
// configured embedder and, where vectors are searched in memory (SQLite), this replica has loaded
// them all.
func (k *Base) VectorsReady(ctx context.Context) bool {
	p, err := k.Embed.Status(ctx)
	if err != nil || p.Embedded < p.Chunks || !k.Sync.PhrasingsEmbedded() {
		return false
	}
	if k.Sync.Vectors != nil {
		return k.Index.VectorCount() >= k.Index.Len()
	}
	return true
}

// ExpandPaths turns files and folders into the list of files to import.
func ExpandPaths(paths []string) ([]string, error) {
	if len(paths) == 0 {
		return nil, errors.New("give files or folders to import")
	}
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// ImportFile reads and imports one file; the size limit is checked before reading.
func (k *Base) ImportFile(ctx context.Context, path, collection string) retrieval.Report {
	info, err := os.Stat(path)
	if err != nil {
		return retrieval.Report{Name: path, Error: err.Error()}
	}
	if info.Size() > retrieval.MaxFileBytes {
		return retrieval.Report{Name: path, Error: fmt.Sprintf("%s: %d bytes; the limit is %d", path, info.Size(), retrieval.MaxFileBytes)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return retrieval.Report{Name: path, Error: err.Error()}
	}
	return k.Importer.File(ctx, path, data, collection)
}
