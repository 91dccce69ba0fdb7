package retrieval

import (
	"container/heap"
	"math"
	"math/bits"
	"slices"
	"sort"
)

// DocPhrase is a document's best-matching phrasing and the chunk a phrasing match points to.
type DocPhrase struct {
	DocID   string
	ChunkID string
	Match   PhraseMatch
}

// MatchPhrasings scores the query's wordings (the text and its synonym variants) against the
// phrasings, with qvec the query's vector under model (nil: words only), and returns each
// document's best phrasing, best first (equal scores by document id; within a document the first
// of equal phrasings, title first), up to k documents passing the filter.
//
// Words are compared only with the phrasings that share a token with a wording (found through
// the inverted index); every other phrasing has a lexical similarity of 0. With a vector, those
// can still score by their vector alone: they are scored too unless k documents already score
// more than any of them could (see vectorBound).
func (ix *Index) MatchPhrasings(query, model string, qvec []float32, k int, f Filter) []DocPhrase {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var qs []qphrase
	for _, v := range ix.variants(query) {
		qs = append(qs, ix.qphrase(v))
	}
	if qvec != nil && model != ix.pmodel {
		qvec = nil
	}
	qv := ix.queryVec(qvec)
	defer ix.releaseDots(qv)
	cs := ix.candidates(qs, qv, f)
	bests := docBests(cs)
	if qvec != nil && !ix.bounded(bests, qvec, k) {
		bests = ix.allBests(cs, qv, f)
	}
	return ix.topPhrases(bests, k)
}

// queryVec is qvec with, when it and the phrasings' vectors are sparse, its dot product with
// every phrasing's vector, computed dimension by dimension.
func (ix *Index) queryVec(qvec []float32) queryVec {
	q := newQueryVec(qvec)
	if q.nz == nil || ix.pdims.at == nil || len(q.v) != len(ix.pdims.at) {
		return q
	}
	dots, _ := ix.pdots.Get().(*[][4]float32)
	if dots == nil || len(*dots) != len(ix.phrases) {
		d := make([][4]float32, len(ix.phrases))
		dots = &d
	}
	ix.pdims.dots(q, *dots)
	q.dots = dots
	return q
}

func (ix *Index) releaseDots(q queryVec) {
	if q.dots != nil {
		ix.pdots.Put(q.dots)
	}
}

// scoredPhrase is a phrasing with its lexical, vector and (rounded) blended similarity.
type scoredPhrase struct {
	p             *phrase
	lex, vec, sim float64
}

// score blends the similarity of the phrasing at pos, p, lexical with its vector's (q without a
// vector: none), as PhraseMatch.Score.
func score(p *phrase, pos int, lex float64, q queryVec) scoredPhrase {
	if q.v == nil {
		return scoredPhrase{p, lex, 0, round3(lex)}
	}
	vec := 0.0
	if len(p.vec) == len(q.v) {
		vec = max(0, float64(q.dot(pos, p.vec)))
	}
	return scoredPhrase{p, lex, vec, round3((1-phraseVectorWeight)*lex + phraseVectorWeight*vec)}
}

// sparseShare is the largest share of non-zero entries a query vector has for its dot products
// to visit only those: the local embedder hashes a question's few words and trigrams into a
// small part of its dimensions, while a semantic model's vectors are dense.
const sparseShare = 0.25

// queryVec is the query's vector and, when it is sparse, the positions of its non-zero entries,
// ascending (nil: dense), and when the phrasings' vectors are sparse too, the partial sums of its
// dot product with each (by phrasing position; see phraseDims). A sparse query over dense
// phrasings is multiplied by Dot as a dense one.
type queryVec struct {
	v    []float32
	nz   []int
	dots *[][4]float32
}

func newQueryVec(v []float32) queryVec {
	q := queryVec{v: v}
	n := 0
	for _, x := range v {
		if x != 0 {
			n++
		}
	}
	if float64(n) > sparseShare*float64(len(v)) {
		return q
	}
	q.nz = make([]int, 0, n)
	for i, x := range v {
		if x != 0 {
			q.nz = append(q.nz, i)
		}
	}
	return q
}

// dot is Dot(p, q.v) for the phrasing at pos with vector p, bit for bit: read off the partial sums
// phraseDims computed when there are some (each the same products added in the same order as
// Dot's loop), else Dot itself.
func (q queryVec) dot(pos int, p []float32) float32 {
	if q.dots != nil {
		s := (*q.dots)[pos]
		return s[0] + s[1] + s[2] + s[3]
	}
	return Dot(p, q.v)
}

// phrasePostings is the phrasings' inverted index: every token of theirs has an id, and at[id]
// lists the positions in phrases of those that have it, ascending.
type phrasePostings struct {
	ids map[string]int32
	at  [][]int32
}

// phraseScratch is MatchPhrasings' per-call scratch, kept in a pool: a slot per token id and per
// phrasing, all -1 between calls.
type phraseScratch struct{ tok, pos []int32 }

func (ix *Index) scratch() *phraseScratch {
	if s, ok := ix.pscratch.Get().(*phraseScratch); ok && len(s.tok) == len(ix.ppost.at) && len(s.pos) == len(ix.phrases) {
		return s
	}
	s := &phraseScratch{tok: make([]int32, len(ix.ppost.at)), pos: make([]int32, len(ix.phrases))}
	for i := range s.tok {
		s.tok[i] = -1
	}
	for i := range s.pos {
		s.pos[i] = -1
	}
	return s
}

// qtoken is a token of the query's wordings that some phrasing has: its weight and the wordings
// that have it (bits).
type qtoken struct {
	id int32
	w  float64
	in uint32
}

// The query's wordings are bits of a uint32.
var _ uint32 = 1 << (maxVariants - 1)

// candidates returns the phrasings of documents passing f that share a token with any of the
// query's wordings, in phrase order, scored.
func (ix *Index) candidates(qs []qphrase, qvec queryVec, f Filter) []scoredPhrase {
	sc := ix.scratch()
	defer ix.pscratch.Put(sc)
	var qt []qtoken
	for v, q := range qs {
		for t, w := range q.toks {
			id, ok := ix.ppost.ids[t]
			if !ok {
				continue
			}
			if sc.tok[id] < 0 {
				sc.tok[id] = int32(len(qt))
				qt = append(qt, qtoken{id: id, w: w})
			}
			qt[sc.tok[id]].in |= 1 << v
		}
	}
	// A candidate is its position (high 32 bits) and the wordings it shares a token with (low),
	// sorted into phrase order.
	var cs []uint64
	for _, t := range qt {
		for _, pos := range ix.ppost.at[t.id] {
			if j := sc.pos[pos]; j >= 0 {
				cs[j] |= uint64(t.in)
				continue
			}
			sc.pos[pos] = int32(len(cs))
			cs = append(cs, uint64(pos)<<32|uint64(t.in))
		}
	}
	for _, c := range cs {
		sc.pos[c>>32] = -1
	}
	slices.Sort(cs)
	out := make([]scoredPhrase, 0, len(cs))
	docs := docFilter{ix: ix, f: f}
	for _, c := range cs {
		if p := &ix.phrases[c>>32]; docs.allows(p) {
			out = append(out, score(p, int(c>>32), phraseLexical(p, qs, qt, sc.tok, uint32(c)), qvec))
		}
	}
	for _, t := range qt {
		sc.tok[t.id] = -1
	}
	return out
}

// phraseLexical is the best idf-weighted cosine of a phrasing's and the query's wordings' token sets,
// over the wordings it shares a token with (the others' is 0): each wording's dot product summed
// in the phrasing's token order, as one wording's alone would be. slot maps a token id to its
// position in qt (-1: no wording has it).
func phraseLexical(p *phrase, qs []qphrase, qt []qtoken, slot []int32, with uint32) float64 {
	if p.norm == 0 {
		return 0
	}
	var dot [maxVariants]float64
	for _, id := range p.tids {
		j := slot[id]
		if j < 0 {
			continue
		}
		w := qt[j].w
		for in := qt[j].in; in != 0; in &= in - 1 {
			dot[bits.TrailingZeros32(in)] += w * w
		}
	}
	lex := 0.0
	for ; with != 0; with &= with - 1 {
		v := bits.TrailingZeros32(with)
		if q := qs[v]; q.norm != 0 {
			lex = max(lex, dot[v]/(q.norm*p.norm))
		}
	}
	return lex
}

// docFilter asks the filter once per document of phrasings visited in phrase order.
type docFilter struct {
	ix      *Index
	f       Filter
	last    *phrase
	allowed bool
}

func (d *docFilter) allows(p *phrase) bool {
	if d.last == nil || d.last.doc != p.doc {
		d.last = p
		d.allowed = p.first >= 0 && d.f.Allows(p.doc, &d.ix.items[p.first].chunk)
	}
	return d.allowed
}

// docBests returns each document's best phrasing of ps (in phrase order, so grouped by
// document): the first with the highest score, if positive.
func docBests(ps []scoredPhrase) []scoredPhrase {
	var out []scoredPhrase
	for _, s := range ps {
		out = addBest(out, s)
	}
	return out
}

func addBest(bests []scoredPhrase, s scoredPhrase) []scoredPhrase {
	if s.sim <= 0 {
		return bests
	}
	if n := len(bests) - 1; n >= 0 && bests[n].p.doc == s.p.doc {
		if s.sim > bests[n].sim {
			bests[n] = s
		}
		return bests
	}
	return append(bests, s)
}

// allBests is docBests over every phrasing of the documents passing f: the candidates (cs, in
// phrase order) as scored, the others by their vector alone.
func (ix *Index) allBests(cs []scoredPhrase, qvec queryVec, f Filter) []scoredPhrase {
	var out []scoredPhrase
	docs := docFilter{ix: ix, f: f}
	for i := range ix.phrases {
		p := &ix.phrases[i]
		if len(cs) > 0 && cs[0].p == p {
			out = addBest(out, cs[0])
			cs = cs[1:]
		} else if docs.allows(p) {
			out = addBest(out, score(p, i, 0, qvec))
		}
	}
	return out
}

// bounded reports whether k of the documents' best candidates score more than any phrasing
// sharing no token with the query could by its vector alone: then none of those can change the
// top k nor its order.
func (ix *Index) bounded(bests []scoredPhrase, qvec []float32, k int) bool {
	b := ix.vectorBound(qvec)
	n := 0
	for _, s := range bests {
		if s.sim > b {
			n++
		}
	}
	return n >= k
}

// vectorBound is the highest score a phrasing with no word in common with the query can have:
// its vector weight times the largest cosine, |qvec|·max|p.vec| (Cauchy–Schwarz), with room for
// Dot's float32 rounding (at most n·2⁻²⁴ relative for n terms; twice that is allowed).
func (ix *Index) vectorBound(qvec []float32) float64 {
	var q float64
	for _, x := range qvec {
		q += float64(x) * float64(x)
	}
	slack := 1 + float64(len(qvec))*0x1p-23
	return round3(phraseVectorWeight * math.Sqrt(q) * ix.pvmax * slack)
}

// maxNorm is the largest norm of the phrasings' vectors.
func maxNorm(ps []phrase) float64 {
	m := 0.0
	for _, p := range ps {
		s := 0.0
		for _, x := range p.vec {
			s += float64(x) * float64(x)
		}
		m = max(m, math.Sqrt(s))
	}
	return m
}

// topPhrases returns the k best of the documents' best phrasings (in document id order), best
// first, equal scores by document id.
func (ix *Index) topPhrases(bests []scoredPhrase, k int) []DocPhrase {
	k = max(k, 0)
	h := make(phraseHeap, 0, min(k, len(bests)))
	for _, s := range bests {
		switch {
		case len(h) < k:
			if h = append(h, s); len(h) == k {
				heap.Init(&h)
			}
		case k > 0 && worse(h[0], s):
			h[0] = s
			heap.Fix(&h, 0)
		}
	}
	sort.Slice(h, func(a, b int) bool { return worse(h[b], h[a]) })
	out := make([]DocPhrase, len(h))
	for i, s := range h {
		p := s.p
		out[i] = DocPhrase{DocID: p.doc.ID, ChunkID: ix.items[p.first].chunk.ID, Match: PhraseMatch{
			Text: p.text, Title: p.title, Bare: p.bare, Lexical: round3(s.lex), Vector: round3(s.vec), Score: s.sim, Rank: i + 1,
		}}
	}
	return out
}

// worse reports whether a ranks after b: a lower score, or the same and a later document id.
func worse(a, b scoredPhrase) bool {
	if a.sim != b.sim {
		return a.sim < b.sim
	}
	return a.p.doc.ID > b.p.doc.ID
}

// phraseHeap keeps the worst of the best phrasings kept on top.
type phraseHeap []scoredPhrase

func (h phraseHeap) Len() int           { return len(h) }
func (h phraseHeap) Less(i, j int) bool { return worse(h[i], h[j]) }
func (h phraseHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *phraseHeap) Push(x any)        { *h = append(*h, x.(scoredPhrase)) }
func (h *phraseHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// phraseDims holds the phrasings' vectors by dimension when they are sparse (the local
// embedder's) and all of one length: at[d] lists the phrasings whose vector is non-zero in
// dimension d, by position, ascending (nil: dense or mixed vectors).
type phraseDims struct{ at [][]dimEntry }

type dimEntry struct {
	pos int32
	x   float32
}

func newPhraseDims(ps []phrase) phraseDims {
	dim, nz, n := -1, 0, 0
	for _, p := range ps {
		if p.vec == nil {
			continue
		}
		if dim >= 0 && len(p.vec) != dim {
			return phraseDims{}
		}
		dim, n = len(p.vec), n+1
		for _, x := range p.vec {
			if x != 0 {
				nz++
			}
		}
	}
	if dim <= 0 || float64(nz) > sparseShare*float64(n*dim) {
		return phraseDims{}
	}
	at := make([][]dimEntry, dim)
	for pos, p := range ps {
		for d, x := range p.vec {
			if x != 0 {
				at[d] = append(at[d], dimEntry{int32(pos), x})
			}
		}
	}
	return phraseDims{at: at}
}

// dots fills out (one per phrasing) with Dot's four partial sums of each phrasing's vector and
// q's: dimension by dimension, ascending, so each sum gets the same products in the same order as
// Dot's loop (q.v's length is the vectors').
func (pd phraseDims) dots(q queryVec, out [][4]float32) {
	clear(out)
	unrolled := len(q.v) &^ 3
	for _, d := range q.nz {
		lane, y := d&3, q.v[d]
		if d >= unrolled {
			lane = 0
		}
		for _, e := range pd.at[d] {
			out[e.pos][lane] += e.x * y
		}
	}
}
