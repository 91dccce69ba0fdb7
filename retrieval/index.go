package retrieval

import (
	"context"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"tandem/chat"
)

// Params tune BM25 scoring. Title tokens count TitleWeight times (titles are written as the
// customer's question); single Chinese characters count UnigramWeight of a bigram.
type Params struct {
	K1, B         float64
	TitleWeight   float64
	UnigramWeight float64
	// SeparateTitle scores the title as its own BM25 field (weighted TitleWeight) instead of
	// folding its tokens into the body.
	SeparateTitle bool
	// Exhaustive turns pruning off (see pruneMinItems), for measuring what pruning costs.
	Exhaustive bool
}

// DefaultParams were chosen on the cmrc2018-zh dev split and the demo knowledge base.
var DefaultParams = Params{K1: 1.2, B: 0.75, TitleWeight: 1, UnigramWeight: 1, SeparateTitle: true}

// Hit is one lexical result: a chunk, its document and its raw BM25 score.
type Hit struct {
	Doc   chat.Document
	Chunk chat.Chunk
	Score float64
}

type posting struct {
	doc int32
	tf  float32
}

// Index is an in-memory BM25 index (an inverted index of Tokens) over chunks, with the chunks'
// vectors under one embedding model when the store cannot search vectors itself. Safe for
// concurrent use; Replace and SetVectors swap contents atomically.
type Index struct {
	mu     sync.RWMutex
	p      Params
	items  []item
	byID   map[string]int32          // chunk id → position in items
	docs   map[string]*chat.Document // document id → document (of the indexed chunks)
	fields []*field                  // body (with the title folded in unless SeparateTitle), then the title alone
	model  string
	vecs   [][]float32 // aligned with items; nil where a chunk has no vector
	pool   sync.Pool   // *[]float64 score accumulators
	// phrases are the documents' titles and similar questions, matched question to question.
	phrases  []phrase
	pidf     map[string]float64
	ppost    phrasePostings
	pmodel   string  // the model of the phrasings' vectors
	pvmax    float64 // the largest norm of a phrasing's vector
	pdims    phraseDims
	pscratch sync.Pool // *phraseScratch
	pdots    sync.Pool // *[][4]float32 (see phraseDims.dots)
	synonyms []chat.SynonymGroup
	synlow   [][]string               // the synonym groups' words, lower-cased, as queries are matched
	stems    stemMemo                 // the words queries used
	owners   map[string]string        // token → the document that has it (see vocabulary)
	spell    atomic.Pointer[spelling] // the words as written, for Correct; nil until used
}

type item struct {
	doc   *chat.Document
	chunk chat.Chunk
}

// field is the inverted index of one text field.
type field struct {
	weight   float64
	length   []float32
	avgLen   float64
	postings map[string][]posting
}

// NewIndex returns an index with DefaultParams over whole documents (each chunked).
func NewIndex(docs []chat.Document) *Index { return NewIndexWith(DefaultParams, docs) }

// NewIndexWith returns an index over docs with the given parameters.
func NewIndexWith(p Params, docs []chat.Document) *Index {
	ix := &Index{p: p}
	var chunks []chat.Chunk
	for _, d := range docs {
		chunks = append(chunks, Chunks(d, DefaultChunkOptions)...)
	}
	ix.Replace(docs, chunks)
	return ix
}

// Replace rebuilds the index from documents and their chunks (chunks of unknown documents are
// skipped). Vectors of chunks that are still there, unchanged, are kept.
func (ix *Index) Replace(docs []chat.Document, chunks []chat.Chunk) {
	byDoc := make(map[string]*chat.Document, len(docs))
	for i := range docs {
		byDoc[docs[i].ID] = &docs[i]
	}
	items := make([]item, 0, len(chunks))
	byID := make(map[string]int32, len(chunks))
	indexed := map[string]*chat.Document{}
	for _, c := range chunks {
		if d := byDoc[c.DocID]; d != nil {
			byID[c.ID] = int32(len(items))
			items = append(items, item{doc: d, chunk: c})
			indexed[d.ID] = d
		}
	}
	fields := ix.buildFields(items)
	first := map[string]int32{}
	for i, it := range items {
		if j, ok := first[it.doc.ID]; !ok || it.chunk.Ord < items[j].chunk.Ord {
			first[it.doc.ID] = int32(i)
		}
	}
	phrases, pidf, ppost := buildPhrases(indexed)
	for i := range phrases {
		phrases[i].first = -1
		if j, ok := first[phrases[i].doc.ID]; ok {
			phrases[i].first = j
		}
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	old := map[string][]float32{}
	for _, p := range ix.phrases {
		if p.vec != nil {
			old[p.text] = p.vec
		}
	}
	for i := range phrases {
		phrases[i].vec = old[phrases[i].text]
	}
	ix.phrases, ix.pidf, ix.ppost, ix.pvmax, ix.pdims = phrases, pidf, ppost, maxNorm(phrases), newPhraseDims(phrases)
	vecs := make([][]float32, len(items))
	for i, it := range items {
		if j, ok := ix.byID[it.chunk.ID]; ok && ix.vecs != nil && ix.items[j].chunk.Hash == it.chunk.Hash {
			vecs[i] = ix.vecs[j]
		}
	}
	ix.items, ix.byID, ix.docs, ix.fields, ix.vecs = items, byID, indexed, fields, vecs
	ix.setOwners(vocabulary(items, bodyField(fields), phrases, ix.synonyms))
}

// titleText is what a chunk's title field holds: the document title, the section heading and the
// document's similar questions (each also matched on its own, question to question: see
// MatchPhrasings).
func titleText(it item) string {
	t := it.doc.Title + "\n" + it.chunk.Heading
	for _, q := range Phrasings(*it.doc) {
		t += "\n" + q
	}
	return t
}

func (ix *Index) buildFields(items []item) []*field {
	folded := ix.p.TitleWeight
	if ix.p.SeparateTitle {
		folded = 0
	}
	fields := []*field{newField(items, 1, func(it item) map[string]float64 {
		tf := map[string]float64{}
		if folded > 0 {
			for _, t := range Tokens(titleText(it)) {
				tf[t] += folded
			}
		}
		for _, t := range Tokens(it.chunk.Text) {
			tf[t]++
		}
		return tf
	})}
	if ix.p.SeparateTitle {
		fields = append(fields, newField(items, ix.p.TitleWeight, func(it item) map[string]float64 {
			tf := map[string]float64{}
			for _, t := range Tokens(titleText(it)) {
				tf[t]++
			}
			return tf
		}))
	}
	return fields
}

func newField(items []item, weight float64, terms func(item) map[string]float64) *field {
	f := &field{weight: weight, length: make([]float32, len(items)), postings: map[string][]posting{}}
	total := 0.0
	for i, it := range items {
		for t, n := range terms(it) {
			f.postings[t] = append(f.postings[t], posting{int32(i), float32(n)})
			f.length[i] += float32(n)
		}
		total += float64(f.length[i])
	}
	f.avgLen = max(1, total/float64(max(1, len(items))))
	return f
}

// SetVectors replaces the in-memory vectors (for stores without vector search).
func (ix *Index) SetVectors(model string, vecs map[string][]float32) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.model = model
	ix.vecs = make([][]float32, len(ix.items))
	var flat []float32 // one backing array: rows next to each other in memory
	for i, it := range ix.items {
		v := vecs[it.chunk.ID]
		if v == nil {
			continue
		}
		if flat == nil {
			flat = make([]float32, 0, len(v)*len(ix.items))
		}
		if len(flat)+len(v) > cap(flat) {
			ix.vecs[i] = v
			continue
		}
		flat = append(flat, v...)
		ix.vecs[i] = flat[len(flat)-len(v) : len(flat) : len(flat)]
	}
}

// Len returns the number of indexed chunks.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.items)
}

// Documents returns the number of distinct indexed documents.
func (ix *Index) Documents() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.docs)
}

// weight is the query-side weight of a token: unigrams of Chinese characters count less.
func (ix *Index) weight(t string) float64 {
	if r, n := utf8.DecodeRuneInString(t); n == len(t) && r >= 0x2E80 {
		return ix.p.UnigramWeight
	}
	return 1
}

func (ix *Index) idf(f *field, t string) float64 {
	n, df := float64(len(ix.items)), float64(len(f.postings[t]))
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// Pruning: in an index of at least pruneMinItems chunks, query tokens found in more than
// 1/pruneCommonShare of them are "common". Chunks are first scored on the rare tokens only; the
// best pruneCandidates (at least 10·k) then get the common tokens' contributions by binary search
// instead of walking those long posting lists. A chunk matching only common tokens cannot enter
// the results unless rare tokens match fewer than k chunks, when the search is exhaustive.
const (
	pruneMinItems    = 5000
	pruneCommonShare = 20
	pruneCandidates  = 500
)

// qterm is one query token in one field.
type qterm struct {
	f        *field
	postings []posting
	w        float64 // field weight × idf × token weight
}

// Search returns up to k chunks by BM25 score, best first, that pass the filter; chunks with no
// shared token are not returned.
func (ix *Index) Search(query string, k int, f Filter) []Hit {
	out := make([]Hit, 0, k)
	ix.search(query, k, f, func(it *item, score float64) {
		out = append(out, Hit{Doc: *it.doc, Chunk: it.chunk, Score: score})
	})
	return out
}

// search is Search handing each hit, best first, to add, which runs under the index's read lock
// (it must not call the index).
func (ix *Index) search(query string, k int, f Filter, add func(it *item, score float64)) {
	q := unique(ix.tokens(query))
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	rare, common := ix.split(q)
	scores, touched := ix.accumulate(rare)
	defer ix.release(scores)
	top := newTopK(k)
	if len(common) > 0 && len(touched) >= k {
		cands := newTopK(max(pruneCandidates, 10*k))
		for _, d := range touched {
			if it := ix.items[d]; f.Allows(it.doc, &it.chunk) {
				cands.push(d, scores[d])
			}
		}
		for _, c := range cands.h {
			top.push(c.id, c.score+ix.lookup(common, c.id))
		}
	} else {
		if len(common) > 0 { // too few chunks match rare tokens: score everything
			clear(scores)
			scores, touched = ix.accumulateInto(scores, append(rare, common...))
		}
		for _, d := range touched {
			if it := ix.items[d]; f.Allows(it.doc, &it.chunk) {
				top.push(d, scores[d])
			}
		}
	}
	for _, e := range top.sorted(ix.less) {
		add(&ix.items[e.id], e.score)
	}
}

// split turns query tokens into per-field terms, separating common ones (see pruning).
func (ix *Index) split(q []string) (rare, common []qterm) {
	limit := len(ix.items) / pruneCommonShare
	for _, fl := range ix.fields {
		for _, t := range q {
			ps := fl.postings[t]
			if len(ps) == 0 {
				continue
			}
			qt := qterm{f: fl, postings: ps, w: fl.weight * ix.idf(fl, t) * ix.weight(t)}
			if !ix.p.Exhaustive && len(ix.items) >= pruneMinItems && len(ps) > limit {
				common = append(common, qt)
			} else {
				rare = append(rare, qt)
			}
		}
	}
	return rare, common
}

// bm25 is one term's contribution for a chunk with term frequency tf.
func (ix *Index) bm25(qt qterm, doc int32, tf float32) float64 {
	f := float64(tf)
	return qt.w * f * (ix.p.K1 + 1) / (f + ix.p.K1*(1-ix.p.B+ix.p.B*float64(qt.f.length[doc])/qt.f.avgLen))
}

// lookup adds up the contributions of terms for one chunk by binary search in their postings.
func (ix *Index) lookup(terms []qterm, doc int32) float64 {
	s := 0.0
	for _, qt := range terms {
		ps := qt.postings
		i := sort.Search(len(ps), func(i int) bool { return ps[i].doc >= doc })
		if i < len(ps) && ps[i].doc == doc {
			s += ix.bm25(qt, doc, ps[i].tf)
		}
	}
	return s
}

// accumulate adds up the BM25 contributions of terms in a pooled dense array and lists the
// chunks it touched.
func (ix *Index) accumulate(terms []qterm) ([]float64, []int32) {
	sp, _ := ix.pool.Get().(*[]float64)
	if sp == nil || len(*sp) < len(ix.items) {
		s := make([]float64, len(ix.items))
		sp = &s
	}
	return ix.accumulateInto((*sp)[:len(ix.items)], terms)
}

func (ix *Index) accumulateInto(scores []float64, terms []qterm) ([]float64, []int32) {
	var touched []int32
	for _, qt := range terms {
		for _, p := range qt.postings {
			if scores[p.doc] == 0 {
				touched = append(touched, p.doc)
			}
			scores[p.doc] += ix.bm25(qt, p.doc, p.tf)
		}
	}
	return scores, touched
}

// release zeroes and returns a score array to the pool.
func (ix *Index) release(scores []float64) {
	clear(scores)
	ix.pool.Put(&scores)
}

// less orders equal scores by chunk id so results are deterministic.
func (ix *Index) less(a, b int32) bool { return ix.items[a].chunk.ID < ix.items[b].chunk.ID }

// QueryWeight is the largest BM25 score any chunk could get for query: the sum of its tokens'
// weighted idf times the saturated term weight. Scores divided by it fall in [0,1].
func (ix *Index) QueryWeight(query string) float64 {
	q := unique(ix.tokens(query))
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	w := 0.0
	for _, fl := range ix.fields {
		for _, t := range q {
			w += fl.weight * ix.idf(fl, t) * ix.weight(t) * (ix.p.K1 + 1)
		}
	}
	return w
}

// Doc returns the indexed document with id.
func (ix *Index) Doc(id string) (chat.Document, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if d, ok := ix.docs[id]; ok {
		return *d, true
	}
	return chat.Document{}, false
}

// item returns the chunk with id and its document.
func (ix *Index) item(id string) (item, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	i, ok := ix.byID[id]
	if !ok {
		return item{}, false
	}
	return ix.items[i], true
}

// SearchVectors is exact nearest-neighbour search over the in-memory vectors of model.
func (ix *Index) SearchVectors(_ context.Context, model string, v []float32, k int, f Filter) ([]VectorHit, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if model != ix.model {
		return nil, nil
	}
	dot := Dot
	if nz := nonZero(v); len(nz) < len(v)/2 { // short queries under the local embedder are sparse
		dot = func(u, v []float32) float32 { return sparseDot(u, v, nz) }
	}
	top := newTopK(k)
	for i, u := range ix.vecs {
		if len(u) == len(v) && f.Allows(ix.items[i].doc, &ix.items[i].chunk) {
			top.push(int32(i), float64(dot(u, v)))
		}
	}
	var out []VectorHit
	for _, e := range top.sorted(ix.less) {
		out = append(out, VectorHit{ChunkID: ix.items[e.id].chunk.ID, Score: e.score})
	}
	return out, nil
}

func unique(ts []string) []string {
	seen := map[string]bool{}
	out := ts[:0:0]
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// ChunkCounts returns how many chunks each indexed document has.
func (ix *Index) ChunkCounts() map[string]int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := map[string]int{}
	for _, it := range ix.items {
		out[it.doc.ID]++
	}
	return out
}

// bodyField is the chunks' text field (nil for an index with no fields yet).
func bodyField(fields []*field) *field {
	if len(fields) == 0 {
		return nil
	}
	return fields[0]
}

// tokens is Tokens for a query, with the index's memory of stems.
func (ix *Index) tokens(query string) []string { return tokens(query, ix.stems.stem) }
