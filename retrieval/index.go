package retrieval

import (
	"math"
	"sort"
	"sync"

	"tandem/chat"
)

// BM25 parameters; titleWeight counts title tokens this many times, since titles are written
// as the customer's question.
const (
	bm25K1      = 1.2
	bm25B       = 0.75
	titleWeight = 3
)

// Hit is one search result with its raw BM25 score.
type Hit struct {
	Doc   chat.Document
	Score float64
}

// Index is an in-memory BM25 index over whole documents. Safe for concurrent use; Replace swaps
// the contents atomically.
type Index struct {
	mu     sync.RWMutex
	docs   []chat.Document
	tf     []map[string]int
	length []int
	df     map[string]int
	avgLen float64
}

// NewIndex returns an index over docs.
func NewIndex(docs []chat.Document) *Index {
	ix := &Index{}
	ix.Replace(docs)
	return ix
}

// Replace rebuilds the index from docs.
func (ix *Index) Replace(docs []chat.Document) {
	tf := make([]map[string]int, len(docs))
	length := make([]int, len(docs))
	df := map[string]int{}
	total := 0
	for i, d := range docs {
		m := map[string]int{}
		for range titleWeight {
			for _, t := range Tokens(d.Title) {
				m[t]++
				length[i]++
			}
		}
		for _, t := range Tokens(d.Body) {
			m[t]++
			length[i]++
		}
		for t := range m {
			df[t]++
		}
		tf[i] = m
		total += length[i]
	}
	avg := 1.0
	if len(docs) > 0 {
		avg = float64(total) / float64(len(docs))
	}
	ix.mu.Lock()
	ix.docs, ix.tf, ix.length, ix.df, ix.avgLen = docs, tf, length, df, avg
	ix.mu.Unlock()
}

// Len returns the number of indexed documents.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.docs)
}

// Search returns up to k documents by BM25 score, best first; documents with no shared token
// are not returned.
func (ix *Index) Search(query string, k int) []Hit {
	q := unique(Tokens(query))
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := float64(len(ix.docs))
	var hits []Hit
	for i, tf := range ix.tf {
		score := 0.0
		for _, t := range q {
			f := float64(tf[t])
			if f == 0 {
				continue
			}
			idf := math.Log(1 + (n-float64(ix.df[t])+0.5)/(float64(ix.df[t])+0.5))
			norm := f * (bm25K1 + 1) / (f + bm25K1*(1-bm25B+bm25B*float64(ix.length[i])/ix.avgLen))
			score += idf * norm
		}
		if score > 0 {
			hits = append(hits, Hit{Doc: ix.docs[i], Score: score})
		}
	}
	sort.Slice(hits, func(a, b int) bool { return hits[a].Score > hits[b].Score })
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits
}

// QueryWeight is the largest BM25 score any document could get for query: the sum of its
// tokens' idf times the saturated term weight. Scores divided by it fall in [0,1].
func (ix *Index) QueryWeight(query string) float64 {
	q := unique(Tokens(query))
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := float64(len(ix.docs))
	w := 0.0
	for _, t := range q {
		df := float64(ix.df[t])
		w += math.Log(1+(n-df+0.5)/(df+0.5)) * (bm25K1 + 1)
	}
	return w
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
