package retrieval

import "sort"

// MatchPhrasingsBrute is MatchPhrasings as it was before the phrasings' inverted index: every
// phrasing scored against every wording of the query (unchanged but for the document's first
// chunk, now kept in the phrasing instead of a map by document id). It is the reference the
// indexed MatchPhrasings must agree with exactly (see phrase_index_test.go).
func (ix *Index) MatchPhrasingsBrute(query, model string, qvec []float32, k int, f Filter) []DocPhrase {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	variants := ix.variants(query)
	var qs []qphrase
	for _, v := range variants {
		qs = append(qs, ix.qphrase(v))
	}
	useVec := qvec != nil && model == ix.pmodel
	best := map[string]DocPhrase{}
	for _, p := range ix.phrases {
		first := p.first
		if first < 0 || !f.Allows(p.doc, &ix.items[first].chunk) {
			continue
		}
		lex := 0.0
		for _, q := range qs {
			lex = max(lex, ix.cosine(q, p))
		}
		vec := 0.0
		if useVec && len(p.vec) == len(qvec) {
			vec = max(0, float64(Dot(p.vec, qvec)))
		}
		m := PhraseMatch{Text: p.text, Title: p.title, Bare: p.bare, Lexical: round3(lex), Vector: round3(vec), Score: lex}
		if useVec {
			m.Score = (1-phraseVectorWeight)*lex + phraseVectorWeight*vec
		}
		m.Score = round3(m.Score)
		if m.Score <= 0 {
			continue
		}
		if b, ok := best[p.doc.ID]; !ok || m.Score > b.Match.Score {
			best[p.doc.ID] = DocPhrase{DocID: p.doc.ID, ChunkID: ix.items[first].chunk.ID, Match: m}
		}
	}
	out := make([]DocPhrase, 0, len(best))
	for _, b := range best {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Match.Score != out[j].Match.Score {
			return out[i].Match.Score > out[j].Match.Score
		}
		return out[i].DocID < out[j].DocID
	})
	if len(out) > k {
		out = out[:k]
	}
	for i := range out {
		out[i].Match.Rank = i + 1
	}
	return out
}

// cosine is the idf-weighted cosine of a query wording's and a phrasing's token sets, as the
// reference computes it (MatchPhrasings computes it for every wording at once: see phraseLexical).
func (ix *Index) cosine(q qphrase, p phrase) float64 {
	if q.norm == 0 || p.norm == 0 {
		return 0
	}
	dot := 0.0
	for _, t := range p.toks {
		if w, ok := q.toks[t]; ok {
			dot += w * w
		}
	}
	return dot / (q.norm * p.norm)
}
