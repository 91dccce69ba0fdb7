package retrieval

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"tandem/chat"
)

// phrase is one question an indexed document answers: its title or one of its similar questions,
// matched question to question against the customer's text.
type phrase struct {
	doc   *chat.Document
	text  string
	title bool
	bare  bool     // the document has no similar questions: its title is matched for the signal only
	toks  []string // unique tokens
	tids  []int32  // their ids (see buildPhrases)
	norm  float64  // √Σ idf² of toks
	vec   []float32
	first int32 // the position in items of its document's first chunk (-1: none)
}

// PhraseMatch is the best phrasing of a document for a query: its text, whether it is the
// document's title, and its similarity to the query — lexical (idf-weighted cosine of their token
// sets, with synonyms), vector (cosine of their embeddings, 0 without vectors) and their blend.
type PhraseMatch struct {
	Text    string  `json:"text"`
	Title   bool    `json:"title,omitempty"`
	Lexical float64 `json:"lexical"`
	Vector  float64 `json:"vector"`
	Score   float64 `json:"score"`
	Rank    int     `json:"rank"`
	// Bare is set for a document without similar questions: its title's closeness is a confidence
	// signal, and moves it in the ranking only when the question is nearly the title.
	Bare bool `json:"-"`
}

// phraseVectorWeight is the share of the vector similarity in a phrasing's blended score: the
// local embedder's hashed trigrams add typo tolerance, not meaning, so the words lead.
const phraseVectorWeight = 0.35

// buildPhrases indexes every document's title and similar questions, in document id order, the
// title first: their idf and their inverted index (a token's id → positions in the returned
// phrasings, ascending).
func buildPhrases(docs map[string]*chat.Document) ([]phrase, map[string]float64, phrasePostings) {
	var ps []phrase
	ids := make([]string, 0, len(docs))
	for id := range docs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		d := docs[id]
		qs := Phrasings(*d)
		ps = append(ps, phrase{doc: d, text: d.Title, title: true, bare: len(qs) == 0})
		for _, q := range qs {
			ps = append(ps, phrase{doc: d, text: q})
		}
	}
	post := phrasePostings{ids: map[string]int32{}}
	for i := range ps {
		ps[i].toks = unique(Tokens(ps[i].text))
		ps[i].tids = make([]int32, len(ps[i].toks))
		for j, t := range ps[i].toks {
			id, ok := post.ids[t]
			if !ok {
				id = int32(len(post.at))
				post.ids[t] = id
				post.at = append(post.at, nil)
			}
			ps[i].tids[j] = id
			post.at[id] = append(post.at[id], int32(i))
		}
	}
	idf := make(map[string]float64, len(post.ids))
	n := float64(len(ps))
	for t, id := range post.ids {
		idf[t] = math.Log(1 + n/float64(len(post.at[id])))
	}
	for i := range ps {
		s := 0.0
		for _, t := range ps[i].toks {
			w := idf[t] * frameWeight(t)
			s += w * w
		}
		ps[i].norm = math.Sqrt(s)
	}
	return ps, idf, post
}

// phraseIDF is a token's weight among phrasings: its idf (a token no phrasing has weighs most),
// less for a single Chinese character and for the words that frame any question.
func (ix *Index) phraseIDF(t string) float64 {
	w, ok := ix.pidf[t]
	if !ok {
		w = math.Log(1 + float64(len(ix.phrases)))
	}
	return w * frameWeight(t)
}

// Question-to-question weights: a single Chinese character says less than a pair, and the words
// that frame a question (怎么, 可以, please, anyone) little about what it asks.
const (
	hanUnigramWeight = 0.35
	frameTokenWeight = 0.2
)

func frameWeight(t string) float64 {
	if frameTokens[t] {
		return frameTokenWeight
	}
	if r, n := utf8.DecodeRuneInString(t); n == len(t) && unicode.Is(unicode.Han, r) {
		return hanUnigramWeight
	}
	return 1
}

// frameTokens are tokens (as Tokens makes them) that frame a question rather than say what it is
// about.
var frameTokens = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{"怎么", "么办", "什么", "么回", "回事", "是怎", "可以", "能不", "不能", "一下", "请问", "你们", "我们",
		"我的", "现在", "是不", "不是", "有没", "没有", "怎样", "如何", "要怎", "么弄", "咋办", "咋弄", "么样", "的话", "这个", "那个",
		"now", "there", "have", "has", "get", "got", "will", "would", "should", "please", "someone", "somebody", "anybody",
		"anyone", "any", "so", "just", "need", "want", "like", "know", "tell", "im", "if", "was", "were", "been", "from", "about",
		"still", "all", "some", "there", "here", "they", "us", "am", "did", "way", "ways", "again", "else",
		"whats", "hows", "wheres", "whos", "u", "ur", "pls", "plz", "guys", "hi", "hello", "hey", "thanks", "thx", "ok", "okay",
		"cant", "dont", "doesnt", "didnt", "wont", "isnt", "ive", "youre", "theres", "could", "may", "might", "really"} {
		for _, t := range Tokens(w) {
			if utf8.RuneCountInString(t) > 1 || !HasHan(t) {
				m[t] = true
			}
		}
	}
	return m
}()

// PhraseVectorTexts returns the phrasings that have no vector under model yet.
func (ix *Index) PhraseVectorTexts(model string) []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var out []string
	for _, p := range ix.phrases {
		if p.vec == nil || ix.pmodel != model {
			out = append(out, p.text)
		}
	}
	return out
}

// SetPhraseVectors gives the phrasings their vectors under model (text → vector).
func (ix *Index) SetPhraseVectors(model string, vecs map[string][]float32) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.pmodel = model
	for i := range ix.phrases {
		if v, ok := vecs[ix.phrases[i].text]; ok {
			ix.phrases[i].vec = v
		}
	}
	ix.pvmax, ix.pdims = maxNorm(ix.phrases), newPhraseDims(ix.phrases)
}

// qphrase is a query wording as a weighted token set.
type qphrase struct {
	toks map[string]float64
	norm float64
}

func (ix *Index) qphrase(text string) qphrase {
	q := qphrase{toks: map[string]float64{}}
	s := 0.0
	for _, t := range unique(ix.tokens(text)) {
		w := ix.phraseIDF(t)
		q.toks[t] = w
		s += w * w
	}
	q.norm = math.Sqrt(s)
	return q
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// Synonyms are trainer-defined groups of words that mean the same to customers, per language.
type Synonyms []chat.SynonymGroup

// variants returns the query and, for each synonym group one of whose words it contains, the
// query with that word replaced by each other word of the group (at most maxVariants).
func (ix *Index) variants(query string) []string {
	out := []string{query}
	if len(ix.synonyms) == 0 {
		return out
	}
	low := strings.ToLower(foldWidth(query))
	for gi, g := range ix.synonyms {
		for wi, w := range g.Words {
			at := wordAt(low, ix.synlow[gi][wi])
			if at < 0 {
				continue
			}
			for _, alt := range g.Words {
				if alt != w && len(out) < maxVariants {
					out = append(out, low[:at]+alt+low[at+len(w):])
				}
			}
			break
		}
	}
	return out
}

// maxVariants bounds the synonym variants of one query.
const maxVariants = 16

// wordAt finds word in text: anywhere for Chinese, at word boundaries otherwise; -1 when absent.
func wordAt(text, word string) int {
	if word == "" {
		return -1
	}
	from := 0
	for {
		i := strings.Index(text[from:], word)
		if i < 0 {
			return -1
		}
		i += from
		if HasHan(word) || (boundary(text, i-1) && boundary(text, i+len(word))) {
			return i
		}
		from = i + 1
	}
}

func boundary(text string, i int) bool {
	if i < 0 || i >= len(text) {
		return true
	}
	c := text[i]
	return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80)
}

// Expand returns the query with the other words of every synonym group it mentions appended: what
// the lexical leg searches.
func (ix *Index) Expand(query string) string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	vs := ix.variants(query)
	if len(vs) == 1 {
		return query
	}
	low := strings.ToLower(foldWidth(query))
	var extra []string
	for gi, g := range ix.synonyms {
		for wi, w := range g.Words {
			if wordAt(low, ix.synlow[gi][wi]) >= 0 {
				for _, alt := range g.Words {
					if alt != w {
						extra = append(extra, alt)
					}
				}
				break
			}
		}
	}
	return query + "\n" + strings.Join(extra, " ")
}

// SetSynonyms replaces the synonym groups applied to queries.
func (ix *Index) SetSynonyms(groups []chat.SynonymGroup) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.synonyms = groups
	ix.synlow = make([][]string, len(groups))
	for i, g := range groups {
		ix.synlow[i] = make([]string, len(g.Words))
		for j, w := range g.Words {
			ix.synlow[i][j] = strings.ToLower(w)
		}
	}
	ix.setOwners(vocabulary(ix.items, bodyField(ix.fields), ix.phrases, groups))
}

// EmbedPhrasings embeds the phrasings that have no vector under emb's model yet, reusing cache
// (text → vector, may be nil) and adding to it.
func EmbedPhrasings(ctx context.Context, ix *Index, emb Embedder, cache map[string][]float32) error {
	if emb == nil {
		return nil
	}
	texts := ix.PhraseVectorTexts(emb.Model())
	if cache == nil {
		cache = map[string][]float32{}
	}
	var todo []string
	for _, t := range texts {
		if _, ok := cache[t]; !ok {
			todo = append(todo, t)
		}
	}
	for len(todo) > 0 {
		n := min(len(todo), phraseEmbedBatch)
		vs, err := emb.Embed(ctx, todo[:n])
		if err != nil {
			return fmt.Errorf("embed phrasings with %s: %w", emb.Model(), err)
		}
		if len(vs) != n {
			return fmt.Errorf("embed phrasings with %s: %d vectors for %d texts", emb.Model(), len(vs), n)
		}
		for i, v := range vs {
			cache[todo[i]] = v
		}
		todo = todo[n:]
	}
	ix.SetPhraseVectors(emb.Model(), cache)
	return nil
}

// phraseEmbedBatch is how many phrasings one embedding request carries.
const phraseEmbedBatch = 64

// AllDocuments returns the indexed documents, by id.
func (ix *Index) AllDocuments() []chat.Document {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([]chat.Document, 0, len(ix.docs))
	for _, d := range ix.docs {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// VectorCount returns how many indexed chunks have an in-memory vector.
func (ix *Index) VectorCount() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := 0
	for _, v := range ix.vecs {
		if v != nil {
			n++
		}
	}
	return n
}

// Without returns a copy of the index whose documents lack the phrasings drop selects, sharing
// chunks, vectors and synonyms (fitting confidence: similar questions asked as if not stored).
func (ix *Index) Without(drop func(docID, phrasing string) bool) *Index {
	ix.mu.RLock()
	docs := make([]chat.Document, 0, len(ix.docs))
	for _, d := range ix.docs {
		c := *d
		kept := c.Questions[:0:0]
		for i, q := range c.Questions {
			if (i == 0 && q == c.Title) || !drop(c.ID, q) {
				kept = append(kept, q)
			}
		}
		c.Questions = kept
		docs = append(docs, c)
	}
	chunks := make([]chat.Chunk, len(ix.items))
	vecs := map[string][]float32{}
	for i, it := range ix.items {
		chunks[i] = it.chunk
		if i < len(ix.vecs) && ix.vecs[i] != nil {
			vecs[it.chunk.ID] = ix.vecs[i]
		}
	}
	pvecs := map[string][]float32{}
	for _, p := range ix.phrases {
		if p.vec != nil {
			pvecs[p.text] = p.vec
		}
	}
	model, pmodel, syn, params := ix.model, ix.pmodel, ix.synonyms, ix.p
	ix.mu.RUnlock()
	out := &Index{p: params}
	out.Replace(docs, chunks)
	if len(vecs) > 0 {
		out.SetVectors(model, vecs)
	}
	out.SetPhraseVectors(pmodel, pvecs)
	out.SetSynonyms(syn)
	return out
}

// Unseen is the share of the query's weight (as phrasings weigh their tokens) carried by tokens
// that no indexed body, title, similar question or synonym contains — a question about something
// the knowledge base never mentions ("my spotify payment failed", "帮我订一张去上海的高铁票") —
// counting, when without is set, the tokens only that document has as unseen too (fitting
// confidence: the question asked as if its article were not there).
//
// words is how many of those unseen tokens are whole words (not a single Chinese character nor
// a word that only frames the question).
func (ix *Index) Unseen(query, without string) (share float64, words int) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var unseen, all float64
	for _, t := range unique(ix.tokens(query)) {
		w := frameWeight(t)
		all += w
		if owner, ok := ix.owners[t]; !ok || (without != "" && owner == without) {
			unseen += w
			if w == 1 {
				words++
			}
		}
	}
	if all == 0 {
		return 0, 0
	}
	return unseen / all, words
}

// manyOwners marks a token in owners that more than one document has.
const manyOwners = "\x00"

// vocabulary maps every token of the chunks (read off the body field's postings, not tokenized
// again), of the titles and similar questions, and of the synonym groups, to the one document
// that has it (manyOwners: several, or a synonym).
func vocabulary(items []item, body *field, phrases []phrase, synonyms []chat.SynonymGroup) map[string]string {
	owners := map[string]string{}
	add := func(t, doc string) {
		if o, ok := owners[t]; ok && o != doc {
			doc = manyOwners
		}
		owners[t] = doc
	}
	if body != nil {
		for t, ps := range body.postings {
			for _, p := range ps {
				add(t, items[p.doc].doc.ID)
			}
		}
	}
	for _, p := range phrases {
		for _, t := range p.toks {
			add(t, p.doc.ID)
		}
	}
	for _, g := range synonyms {
		for _, w := range g.Words {
			for _, t := range Tokens(w) {
				owners[t] = manyOwners
			}
		}
	}
	return owners
}
