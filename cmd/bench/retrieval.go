package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/cjk" // registers the "cjk" analyzer
	bleveindex "github.com/blevesearch/bleve_index_api"

	"tandem/bot"
	"tandem/chat"
	"tandem/postgres"
	"tandem/retrieval"
	"tandem/sqlite"
)

// Retrieval benchmark sizes.
const (
	kbQuestions = 1000
	kbSeed      = 7
	kbBatch     = 1000
)

// phaseResult is what one system measured, printed as JSON by a child process.
type phaseResult struct {
	System       string  `json:"system"`
	Chunks       int     `json:"chunks"`
	ImportSec    float64 `json:"import_s"`
	P50          float64 `json:"p50_ms"`
	P99          float64 `json:"p99_ms"`
	Recall10     float64 `json:"recall_at_10"`
	Recall1      float64 `json:"recall_at_1"`
	HNSWRecall   float64 `json:"hnsw_recall_at_10,omitempty"`
	PeakRSSMB    float64 `json:"peak_rss_mb"`
	ChunksPerSec float64 `json:"chunks_per_s"`
}

// retrievalBench runs each system in its own child process (so peak memory is its own) and
// returns the report section.
func retrievalBench(o options) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	tp50, tp99, err := botTurnBench()
	if err != nil {
		return "", err
	}
	fmt.Printf("bot turn overhead (2,000 articles, offline): p50 %.2f ms p99 %.2f ms\n", tp50, tp99)
	var rs []phaseResult
	for _, sys := range []string{"bleve", "sqlite", "postgres"} {
		fmt.Printf("retrieval: %s, %d chunks…\n", sys, o.kbChunks)
		out, err := exec.Command(self, "-kb-phase", sys, "-kb-chunks", strconv.Itoa(o.kbChunks), "-db", o.db).Output()
		if err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				return "", fmt.Errorf("%s phase: %v\n%s", sys, err, ee.Stderr)
			}
			return "", err
		}
		var r phaseResult
		if err := json.Unmarshal(out, &r); err != nil {
			return "", fmt.Errorf("%s phase printed %q: %w", sys, out, err)
		}
		fmt.Printf("  %+v\n", r)
		rs = append(rs, r)
	}
	return retrievalReport(o, rs[0], rs[1], rs[2]) + fmt.Sprintf(`
Bot turn overhead — offline bot (hybrid retrieval, confidence, extractive answer) over 2,000 generated
articles in memory, one turn at a time, no network or store: p50 %.2f ms  p99 %.2f ms (aim p99 ≤ 15 ms)
`, tp50, tp99), nil
}

func retrievalReport(o options, bl, lite, pg phaseResult) string {
	line := func(r phaseResult) string {
		return fmt.Sprintf("%-22s import %7.0f chunks/s  top-10 p50 %6.2f ms  p99 %6.2f ms  recall@1 %.3f  recall@10 %.3f  peak RSS %5.0f MB",
			r.System, r.ChunksPerSec, r.P50, r.P99, r.Recall1, r.Recall10, r.PeakRSSMB)
	}
	return fmt.Sprintf(`
Retrieval benchmark — %d generated chunks (half English, half Chinese, Zipf words), %d questions
(a window of 6–11 words of one chunk with one word replaced), top 10, one query at a time
%s
%s
%s
HNSW recall@10 against exact search (Postgres, local-256 vectors): %.3f
ratios to bleve: p99 sqlite %.2f×, postgres %.2f×; recall@10 sqlite %.3f, postgres %.3f
aim: Postgres hybrid p99 ≤ 20 ms, HNSW recall@10 ≥ 0.95, quality ≥ bleve's
`, o.kbChunks, kbQuestions, line(bl), line(lite), line(pg), pg.HNSWRecall,
		lite.P99/bl.P99, pg.P99/bl.P99, lite.Recall10/bl.Recall10, pg.Recall10/bl.Recall10)
}

// runPhase is the child process: it measures one system and prints JSON.
func runPhase(system string, n int, db string) error {
	ctx := context.Background()
	if system == "turns" { // only the bot-turn overhead
		p50, p99, err := botTurnBench()
		fmt.Printf("{\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n", p50, p99)
		return err
	}
	c := newCorpus(n, kbQuestions, kbSeed)
	var r phaseResult
	var err error
	switch system {
	case "bleve":
		r, err = blevePhase(c)
	case "sqlite":
		r, err = sqlitePhase(ctx, c)
	case "postgres":
		r, err = postgresPhase(ctx, c, db)
	default:
		return fmt.Errorf("unknown phase %q", system)
	}
	if err != nil {
		return err
	}
	r.System, r.Chunks, r.PeakRSSMB = system, n, peakRSSMB()
	r.ChunksPerSec = float64(n) / r.ImportSec
	return json.NewEncoder(os.Stdout).Encode(r)
}

// measure runs every question through search and fills latency and recall. With
// BENCH_CPUPROFILE set it writes a CPU profile of the queries there.
func measure(c *corpus, r *phaseResult, search func(q string) []string) {
	for _, q := range c.questions[:20] { // warm up
		search(q.text)
	}
	if path := os.Getenv("BENCH_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	lat := make([]float64, 0, len(c.questions))
	for _, q := range c.questions {
		start := time.Now()
		ids := search(q.text)
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
		if i := slices.Index(ids, q.answer); i >= 0 {
			r.Recall10++
			if i == 0 {
				r.Recall1++
			}
		}
	}
	nq := float64(len(c.questions))
	r.Recall10 /= nq
	r.Recall1 /= nq
	slices.Sort(lat)
	r.P50, r.P99 = lat[len(lat)/2], lat[len(lat)*99/100]
}

func blevePhase(c *corpus) (phaseResult, error) {
	var r phaseResult
	dir, err := os.MkdirTemp("", "bench-bleve-*")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	im := bleve.NewIndexMapping()
	im.ScoringModel = bleveindex.BM25Scoring
	field := bleve.NewTextFieldMapping()
	field.Analyzer, field.Store, field.IncludeTermVectors, field.DocValues = "cjk", false, false, false
	dm := bleve.NewDocumentMapping()
	dm.AddFieldMappingsAt("title", field)
	dm.AddFieldMappingsAt("text", field)
	im.DefaultMapping = dm
	start := time.Now()
	idx, err := bleve.New(filepath.Join(dir, "kb.bleve"), im)
	if err != nil {
		return r, err
	}
	defer idx.Close()
	for i := 0; i < len(c.docs); i += kbBatch {
		b := idx.NewBatch()
		for _, d := range c.docs[i:min(i+kbBatch, len(c.docs))] {
			if err := b.Index(d.ID, map[string]string{"title": d.Title, "text": d.Body}); err != nil {
				return r, err
			}
		}
		if err := idx.Batch(b); err != nil {
			return r, err
		}
	}
	r.ImportSec = time.Since(start).Seconds()
	measure(c, &r, func(q string) []string {
		title, text := bleve.NewMatchQuery(q), bleve.NewMatchQuery(q)
		title.SetField("title")
		text.SetField("text")
		res, err := idx.Search(bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(title, text), 10, 0, false))
		if err != nil {
			return nil
		}
		ids := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.ID
		}
		return ids
	})
	return r, nil
}

// tandemStore is what the Tandem phases need of a store.
type tandemStore interface {
	retrieval.Source
	retrieval.DocumentStore
	retrieval.EmbedStore
}

// importTandem imports the corpus like `tandem kb import` does (chunk, store, embed) and returns
// the seconds it took.
func importTandem(ctx context.Context, st tandemStore, c *corpus, emb retrieval.Embedder) (float64, error) {
	start := time.Now()
	im := &retrieval.Importer{Store: st}
	for i := 0; i < len(c.docs); i += kbBatch {
		if r := im.Documents(ctx, "bench", c.docs[i:min(i+kbBatch, len(c.docs))], "bench"); r.Error != "" {
			return 0, fmt.Errorf("import: %s", r.Error)
		}
	}
	job := &retrieval.EmbedJob{Store: st, Embedder: emb, Batch: kbBatch}
	if _, err := job.Pending(ctx, nil); err != nil {
		return 0, err
	}
	return time.Since(start).Seconds(), nil
}

func searchIDs(ctx context.Context, s *retrieval.Searcher) func(string) []string {
	return func(q string) []string {
		rs := retrieval.TopDocuments(s.Search(ctx, retrieval.Query{Text: q, K: 20}), 10)
		ids := make([]string, len(rs))
		for i, r := range rs {
			ids[i] = r.Doc.ID
		}
		return ids
	}
}

func sqlitePhase(ctx context.Context, c *corpus) (phaseResult, error) {
	var r phaseResult
	dir, err := os.MkdirTemp("", "bench-sqlite-*")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(filepath.Join(dir, "kb.db"))
	if err != nil {
		return r, err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return r, err
	}
	emb := retrieval.NewLocal(0)
	if r.ImportSec, err = importTandem(ctx, st, c, emb); err != nil {
		return r, err
	}
	ix := retrieval.NewIndex(nil)
	sync := &retrieval.Sync{Source: st, Index: ix, Vectors: st, Model: emb.Model()}
	if err := sync.Load(ctx); err != nil {
		return r, err
	}
	measure(c, &r, searchIDs(ctx, &retrieval.Searcher{Index: ix, Embedder: emb}))
	return r, nil
}

func postgresPhase(ctx context.Context, c *corpus, admin string) (phaseResult, error) {
	var r phaseResult
	db, err := freshDatabase(admin, "tandem_bench_kb")
	if err != nil {
		return r, err
	}
	st, err := postgres.Open(ctx, db)
	if err != nil {
		return r, err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return r, err
	}
	emb := retrieval.NewLocal(0)
	if err := st.EnsureVectorIndex(ctx, emb.Model(), emb.Dim()); err != nil {
		return r, err
	}
	if r.ImportSec, err = importTandem(ctx, st, c, emb); err != nil {
		return r, err
	}
	if err := st.Analyze(ctx); err != nil {
		return r, err
	}
	ix := retrieval.NewIndex(nil)
	if err := (&retrieval.Sync{Source: st, Index: ix}).Load(ctx); err != nil {
		return r, err
	}
	measure(c, &r, searchIDs(ctx, &retrieval.Searcher{Index: ix, Embedder: emb, Vectors: st}))
	r.HNSWRecall, err = hnswRecall(ctx, st, c, emb)
	return r, err
}

// hnswRecall compares the HNSW index's top 10 with exact search over the same vectors.
func hnswRecall(ctx context.Context, st *postgres.Store, c *corpus, emb retrieval.Embedder) (float64, error) {
	texts := make([]string, len(c.docs))
	for i, d := range c.docs {
		cs := retrieval.Chunks(d, retrieval.DefaultChunkOptions)
		texts[i] = retrieval.EmbedText(d.Title, cs[0].Heading, cs[0].Text)
	}
	vecs, _ := emb.Embed(ctx, texts)
	exact := retrieval.NewIndex(nil)
	exact.Replace(c.docs, firstChunks(c.docs))
	m := map[string][]float32{}
	for i, d := range c.docs {
		m[d.ID+"#0"] = vecs[i]
	}
	exact.SetVectors(emb.Model(), m)
	total := 0.0
	qs := c.questions[:200]
	for _, q := range qs {
		qv, _ := emb.Embed(ctx, []string{q.text})
		want, _ := exact.SearchVectors(ctx, emb.Model(), qv[0], 10, retrieval.Filter{})
		got, err := st.SearchVectors(ctx, emb.Model(), qv[0], 10, retrieval.Filter{})
		if err != nil {
			return 0, err
		}
		in := map[string]bool{}
		for _, h := range got {
			in[h.ChunkID] = true
		}
		for _, h := range want {
			if in[h.ChunkID] {
				total++
			}
		}
	}
	return total / float64(10*len(qs)), nil
}

func firstChunks(docs []chat.Document) []chat.Chunk {
	out := make([]chat.Chunk, 0, len(docs))
	for _, d := range docs {
		out = append(out, retrieval.Chunks(d, retrieval.DefaultChunkOptions)[0])
	}
	return out
}

// peakRSSMB reads this process's peak resident memory (VmHWM) on Linux, else the Go heap.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
				return kb / 1024
			}
		}
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.Sys) / (1 << 20)
}

// botTurnBench measures one offline bot turn (retrieval, confidence, extractive answer) over a
// 2,000-article knowledge base in memory, without network or store: the bot's own overhead.
func botTurnBench() (p50, p99 float64, err error) {
	ctx := context.Background()
	c := newCorpus(2000, 1000, kbSeed+1)
	s, err := retrieval.NewMemory(ctx, c.docs, retrieval.NewLocal(0))
	if err != nil {
		return 0, 0, err
	}
	b := &bot.Bot{Knowledge: s}
	lat := make([]float64, 0, len(c.questions))
	for i, q := range c.questions {
		start := time.Now()
		if _, err := b.Turn(ctx, chat.Conversation{}, nil, q.text, nil); err != nil {
			return 0, 0, err
		}
		if i >= 20 { // warm-up
			lat = append(lat, float64(time.Since(start).Microseconds())/1000)
		}
	}
	slices.Sort(lat)
	return lat[len(lat)/2], lat[len(lat)*99/100], nil
}
