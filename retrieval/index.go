package retrieval

import (
	"math"
	"sort"
	"sync"
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
}

// DefaultParams were chosen on the cmrc2018-zh dev split and the demo knowledge base.
var DefaultParams = Params{K1: 1.2, B: 0.75, TitleWeight: 1, UnigramWeight: 1, SeparateTitle: true}

// Hit is one search result with its raw BM25 score.
type Hit struct {
	Doc   chat.Document
	Score float64
}

type posting struct {
	doc int32
	tf  float32
}

// Index is an in-memory BM25 index (an inverted index of Tokens) over whole documents. Safe for
// concurrent use; Replace swaps the contents atomically.
type Index struct {
	mu     sync.RWMutex
	p      Params
	docs   []chat.Document
	fields []*field // body with title folded in, then (when SeparateTitle) the title alone
}

// field is the inverted index of one text field.
type field struct {
	weight   float64
	length   []float32
	avgLen   float64
	postings map[string][]posting
}

// NewIndex returns an index over docs with DefaultParams.
func NewIndex(docs []chat.Document) *Index { return NewIndexWith(DefaultParams, docs) }

// NewIndexWith returns an index over docs with the given parameters.
func NewIndexWith(p Params, docs []chat.Document) *Index {
	ix := &Index{p: p}
	ix.Replace(docs)
	return ix
}

// Replace rebuilds the index from docs.
func (ix *Index) Replace(docs []chat.Document) {
	folded := ix.p.TitleWeight
	if ix.p.SeparateTitle {
		folded = 0
	}
	fields := []*field{newField(docs, 1, func(d chat.Document) map[string]float64 {
		tf := map[string]float64{}
		if folded > 0 {
			for _, t := range Tokens(d.Title) {
				tf[t] += folded
			}
		}
		for _, t := range Tokens(d.Body) {
			tf[t]++
		}
		return tf
	})}
	if ix.p.SeparateTitle {
		fields = append(fields, newField(docs, ix.p.TitleWeight, func(d chat.Document) map[string]float64 {
			tf := map[string]float64{}
			for _, t := range Tokens(d.Title) {
				tf[t]++
			}
			return tf
		}))
	}
	ix.mu.Lock()
	ix.docs, ix.fields = docs, fields
	ix.mu.Unlock()
}

func newField(docs []chat.Document, weight float64, terms func(chat.Document) map[string]float64) *field {
	f := &field{weight: weight, length: make([]float32, len(docs)), postings: map[string][]posting{}}
	total := 0.0
	for i, d := range docs {
		for t, n := range terms(d) {
			f.postings[t] = append(f.postings[t], posting{int32(i), float32(n)})
			f.length[i] += float32(n)
		}
		total += float64(f.length[i])
	}
	f.avgLen = max(1, total/float64(max(1, len(docs))))
	return f
}

// Len returns the number of indexed documents.
func (ix *Index) Len() int {
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
	n, df := float64(len(ix.docs)), float64(len(f.postings[t]))
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// Search returns up to k documents by BM25 score, best first; documents with no shared token
// are not returned.
func (ix *Index) Search(query string, k int) []Hit {
	q := unique(Tokens(query))
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	scores := map[int32]float64{}
	for _, fl := range ix.fields {
		for _, t := range q {
			w := fl.weight * ix.idf(fl, t) * ix.weight(t)
			for _, p := range fl.postings[t] {
				f := float64(p.tf)
				norm := f * (ix.p.K1 + 1) / (f + ix.p.K1*(1-ix.p.B+ix.p.B*float64(fl.length[p.doc])/fl.avgLen))
				scores[p.doc] += w * norm
			}
		}
	}
	hits := make([]Hit, 0, len(scores))
	for d, s := range scores {
		hits = append(hits, Hit{Doc: ix.docs[d], Score: s})
	}
	sort.Slice(hits, func(a, b int) bool {
		if hits[a].Score != hits[b].Score {
			return hits[a].Score > hits[b].Score
		}
		return hits[a].Doc.ID < hits[b].Doc.ID
	})
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits
}

// QueryWeight is the largest BM25 score any document could get for query: the sum of its
// tokens' weighted idf times the saturated term weight. Scores divided by it fall in [0,1].
func (ix *Index) QueryWeight(query string) float64 {
	q := unique(Tokens(query))
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
	for _, d := range ix.docs {
		if d.ID == id {
			return d, true
		}
	}
	return chat.Document{}, false
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
