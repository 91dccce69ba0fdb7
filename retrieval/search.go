package retrieval

import (
	"context"
	"log/slog"
	"sort"
	"time"

	"tandem/chat"
)

// Filter narrows a search; empty fields match everything.
type Filter struct {
	Collection string
	Lang       string
	// ExcludeDoc leaves one document out (fitting confidence: the question whose article is gone).
	ExcludeDoc string
}

// Allows reports whether a chunk of d passes the filter.
func (f Filter) Allows(d *chat.Document, c *chat.Chunk) bool {
	return (f.Collection == "" || d.Collection == f.Collection) && (f.Lang == "" || c.Lang == f.Lang) &&
		(f.ExcludeDoc == "" || d.ID != f.ExcludeDoc)
}

// VectorHit is a chunk found by vector search with its cosine similarity.
type VectorHit struct {
	ChunkID string
	Score   float64
}

// VectorSearcher finds the chunks nearest to a vector under an embedding model.
type VectorSearcher interface {
	SearchVectors(ctx context.Context, model string, v []float32, k int, f Filter) ([]VectorHit, error)
}

// Leg is one search leg's view of a result: its 1-based rank, raw score and the score
// normalised to [0,1] (lexical: BM25 over the query's largest possible BM25; vector: cosine,
// floored at 0).
type Leg struct {
	Rank int     `json:"rank"`
	Raw  float64 `json:"raw"`
	Norm float64 `json:"norm"`
}

// Result is one fused search result. Lexical or Vector is nil when that leg missed the chunk.
type Result struct {
	Doc     chat.Document `json:"-"`
	Chunk   chat.Chunk    `json:"-"`
	Lexical *Leg          `json:"lexical"`
	Vector  *Leg          `json:"vector"`
	// Phrase is the document's best-matching phrasing (its title or a similar question), nil when
	// none shares a word with the query or, with vectors, is among the closest in vector space.
	Phrase *PhraseMatch `json:"phrase"`
	Fused  float64      `json:"fused"`
}

// Query is a search request.
type Query struct {
	Text string
	K    int
	Filter
}

// HybridParams tune reciprocal rank fusion: each leg adds Weight/(RRFK+rank) for the chunks in
// its top Candidates.
type HybridParams struct {
	Candidates    int
	RRFK          float64
	LexicalWeight float64
	VectorWeight  float64
	// PhraseWeight weighs the question-to-question leg: customer text against documents' titles
	// and similar questions (phrasings scoring under PhraseFloor do not take part).
	PhraseWeight float64
	PhraseFloor  float64
}

// DefaultHybridParams suit the local embedder, chosen on the cmrc2018-zh dev split: the local
// vectors alone find only 51% of answers first (BM25: 98%), and equal-weight RRF drops recall@1
// to 0.75, so the lexical leg leads and the vector leg breaks ties and fills in when the
// lexical leg finds nothing (typos, partial words).
var DefaultHybridParams = HybridParams{Candidates: 50, RRFK: 10, LexicalWeight: 1, VectorWeight: 0.05, PhraseWeight: 0.6, PhraseFloor: 0.6}

// SemanticHybridParams are the usual equal-weight RRF (k = 60), for a semantic embedding model.
var SemanticHybridParams = HybridParams{Candidates: 50, RRFK: 60, LexicalWeight: 1, VectorWeight: 1, PhraseWeight: 0.6, PhraseFloor: 0.6}

// Searcher is hybrid search: BM25 over the in-memory index and vector search (the store's index
// when it has one, else exact over the index's vectors), fused by reciprocal rank fusion.
type Searcher struct {
	Index    *Index
	Embedder Embedder       // nil: lexical only
	Vectors  VectorSearcher // nil: exact search over Index's vectors
	Params   HybridParams
	Log      *slog.Logger
}

// Search returns up to q.K fused results, best first. A failing vector leg is logged and the
// lexical results are returned alone.
func (s *Searcher) Search(ctx context.Context, q Query) []Result {
	p := s.params()
	qw := s.Index.QueryWeight(q.Text)
	fu := &fused{rs: make([]Result, 0, p.Candidates), byID: make(map[string]int, p.Candidates)}
	rank := 0
	s.Index.search(s.Index.Expand(q.Text), p.Candidates, q.Filter, func(it *item, score float64) {
		rank++
		r := fu.get(it.chunk.ID)
		r.Doc, r.Chunk = *it.doc, it.chunk
		r.Lexical = &Leg{Rank: rank, Raw: score, Norm: ratio(score, qw)}
		r.Fused += p.LexicalWeight / (p.RRFK + float64(rank))
	})
	vec, qvec := s.vectorLeg(ctx, q, p.Candidates)
	for i, h := range vec {
		it, ok := s.Index.item(h.ChunkID)
		if !ok || !q.Filter.Allows(it.doc, &it.chunk) {
			continue // a chunk the index has not loaded yet, or one the store could not filter out
		}
		r := fu.get(h.ChunkID)
		r.Doc, r.Chunk = *it.doc, it.chunk
		r.Vector = &Leg{Rank: i + 1, Raw: h.Score, Norm: max(0, min(1, h.Score))}
		r.Fused += p.VectorWeight / (p.RRFK + float64(i+1))
	}
	s.phraseLeg(q, qvec, p, fu)
	out := fu.rs
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Fused != out[b].Fused {
			return out[a].Fused > out[b].Fused
		}
		return rawLexical(out[a]) > rawLexical(out[b])
	})
	if q.K > 0 && len(out) > q.K {
		out = out[:q.K]
	}
	return out
}

// fused collects a search's results, one per chunk, in the order they were first found.
type fused struct {
	rs   []Result
	byID map[string]int // chunk id → position in rs
}

// get returns the chunk's result, new if it has none yet; the pointer holds until the next get.
func (f *fused) get(id string) *Result {
	i, ok := f.byID[id]
	if !ok {
		i = len(f.rs)
		f.byID[id] = i
		f.rs = append(f.rs, Result{})
	}
	return &f.rs[i]
}

// bareTitleFloor is how close a question must be to the title of a document without similar
// questions for the title to count in the question-to-question leg's ranking: nearly the same
// question. (Titles are in the lexical leg already; a loosely similar one would only add noise.)
const bareTitleFloor = 0.7

// phraseLeg adds each document's best phrasing: to the document's best chunk already found, else to
// its first chunk.
func (s *Searcher) phraseLeg(q Query, qvec []float32, p HybridParams, fu *fused) {
	if p.PhraseWeight == 0 {
		return
	}
	model := ""
	if s.Embedder != nil {
		model = s.Embedder.Model()
	}
	bestOf := map[string]string{} // document id → its best chunk so far
	for i := range fu.rs {
		r := &fu.rs[i]
		if b, ok := bestOf[r.Doc.ID]; !ok || r.Fused > fu.rs[fu.byID[b]].Fused {
			bestOf[r.Doc.ID] = r.Chunk.ID
		}
	}
	for _, h := range s.Index.MatchPhrasings(q.Text, model, qvec, p.Candidates, q.Filter) {
		id := h.ChunkID
		if b, ok := bestOf[h.DocID]; ok {
			id = b
		}
		it, ok := s.Index.item(id)
		if !ok {
			continue
		}
		r := fu.get(id)
		r.Doc, r.Chunk = *it.doc, it.chunk
		m := h.Match
		r.Phrase = &m
		if m.Score >= p.PhraseFloor && (!m.Bare || m.Score >= bareTitleFloor) {
			r.Fused += p.PhraseWeight * m.Score / (p.RRFK + float64(m.Rank))
		}
	}
}

// Fold returns a searcher like s over a copy of its index without the phrasings drop selects
// (see Index.Without).
func (s *Searcher) Fold(drop func(docID, phrasing string) bool) *Searcher {
	c := *s
	c.Index = s.Index.Without(drop)
	return &c
}

func (s *Searcher) params() HybridParams {
	if s.Params.Candidates == 0 {
		return DefaultHybridParams
	}
	return s.Params
}

// vectorLeg returns the vector leg's hits and the query's vector (nil when it has none).
func (s *Searcher) vectorLeg(ctx context.Context, q Query, k int) ([]VectorHit, []float32) {
	if s.Embedder == nil || s.params().VectorWeight == 0 && s.params().PhraseWeight == 0 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second) // a slow embedder must not hold up the answer
	defer cancel()
	vs, err := s.Embedder.Embed(ctx, []string{q.Text})
	if err == nil && len(vs) == 1 {
		var src VectorSearcher = s.Index
		if s.Vectors != nil {
			src = s.Vectors
		}
		if s.params().VectorWeight == 0 {
			return nil, vs[0]
		}
		var hits []VectorHit
		if hits, err = src.SearchVectors(ctx, s.Embedder.Model(), vs[0], k, q.Filter); err == nil {
			return hits, vs[0]
		}
	}
	if s.Log != nil && ctx.Err() == nil {
		s.Log.Warn("vector search failed; lexical results only", "err", err)
	}
	return nil, nil
}

// QueryWeight is the lexical leg's largest possible score for query (see Index.QueryWeight).
func (s *Searcher) QueryWeight(query string) float64 { return s.Index.QueryWeight(query) }

// Correct is Index.Correct.
func (s *Searcher) Correct(text string) string { return s.Index.Correct(text) }

// Unseen is Index.Unseen.
func (s *Searcher) Unseen(query, without string) (float64, int) {
	return s.Index.Unseen(query, without)
}

func rawLexical(r Result) float64 {
	if r.Lexical == nil {
		return 0
	}
	return r.Lexical.Raw
}

func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return min(1, a/b)
}

// TopDocuments keeps each document's best result, in order, up to k documents.
func TopDocuments(rs []Result, k int) []Result {
	seen := map[string]bool{}
	var out []Result
	for _, r := range rs {
		if seen[r.Doc.ID] {
			continue
		}
		seen[r.Doc.ID] = true
		out = append(out, r)
		if len(out) == k {
			break
		}
	}
	return out
}

// NewMemory returns a hybrid searcher over docs held only in memory (tests, evaluation), with
// vectors from emb (nil: lexical only).
func NewMemory(ctx context.Context, docs []chat.Document, emb Embedder) (*Searcher, error) {
	ix := NewIndex(docs)
	s := &Searcher{Index: ix}
	if emb == nil {
		return s, nil
	}
	texts := make([]string, len(ix.items))
	for i, it := range ix.items {
		texts[i] = EmbedText(it.doc.Title, it.chunk.Heading, it.chunk.Text)
	}
	vs, err := emb.Embed(ctx, texts)
	if err != nil {
		return nil, err
	}
	vecs := make(map[string][]float32, len(vs))
	for i, v := range vs {
		vecs[ix.items[i].chunk.ID] = v
	}
	ix.SetVectors(emb.Model(), vecs)
	s.Embedder = emb
	if err := EmbedPhrasings(ctx, ix, emb, nil); err != nil {
		return nil, err
	}
	return s, nil
}

// Shown is a result as clients see it (tandem kb search --json, the trainer's search API).
type Shown struct {
	DocID   string       `json:"doc_id"`
	ChunkID string       `json:"chunk_id"`
	Title   string       `json:"title"`
	Heading string       `json:"heading"`
	Text    string       `json:"text"`
	URL     string       `json:"url"`
	Kind    string       `json:"kind"`
	Lang    string       `json:"lang"`
	Lexical *Leg         `json:"lexical"`
	Vector  *Leg         `json:"vector"`
	Phrase  *PhraseMatch `json:"phrase"`
	Fused   float64      `json:"fused"`
}

// Show lists results for clients.
func Show(rs []Result) []Shown {
	out := make([]Shown, len(rs))
	for i, r := range rs {
		kind := r.Doc.Kind
		if kind == "" {
			kind = "article"
		}
		out[i] = Shown{DocID: r.Doc.ID, ChunkID: r.Chunk.ID, Title: r.Doc.Title, Heading: r.Chunk.Heading, Text: r.Chunk.Text,
			URL: r.Doc.URL, Kind: kind, Lang: r.Chunk.Lang, Lexical: r.Lexical, Vector: r.Vector, Phrase: r.Phrase, Fused: r.Fused}
	}
	return out
}
