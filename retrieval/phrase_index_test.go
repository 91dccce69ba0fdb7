package retrieval_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"tandem/chat"
	"tandem/demo"
	"tandem/retrieval"
)

// demoSearcher is the demo knowledge base with its synonyms, searched in memory with the local
// embedder (as bot's tests search it).
func demoSearcher(tb testing.TB) (*retrieval.Searcher, []chat.Document) {
	tb.Helper()
	docs, err := demo.Documents(time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	s, err := retrieval.NewMemory(context.Background(), docs, retrieval.NewLocal(256))
	if err != nil {
		tb.Fatal(err)
	}
	s.Index.SetSynonyms(demoSynonyms(tb))
	return s, docs
}

// demoSynonyms are the demo's synonym groups, English then Chinese.
func demoSynonyms(tb testing.TB) []chat.SynonymGroup {
	tb.Helper()
	byLang, _, err := retrieval.ParseSynonyms(demo.Synonyms)
	if err != nil {
		tb.Fatal(err)
	}
	var groups []chat.SynonymGroup
	for _, l := range []string{"en", "zh"} {
		groups = append(groups, byLang[l]...)
	}
	return groups
}

// phraseQuery is a question asked of the phrasings, in its language, with the article it is about
// ("" when none).
type phraseQuery struct{ text, lang, doc string }

// naturalQuestions are the demo's natural questions (demo/evals/answers.jsonl).
func naturalQuestions(tb testing.TB) []phraseQuery {
	tb.Helper()
	var qs []phraseQuery
	sc := bufio.NewScanner(bytes.NewReader(demo.Questions))
	for sc.Scan() {
		var v struct {
			Lang, Question string
			Expect         *string
		}
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			tb.Fatal(err)
		}
		q := phraseQuery{text: v.Question, lang: v.Lang}
		if v.Expect != nil {
			q.doc = *v.Expect
		}
		qs = append(qs, q)
	}
	return qs
}

// phraseQueries are the natural questions, the same with their longer words misspelt (so that the
// local embedder's trigrams find phrasings no token of theirs is in), every article's title and
// similar questions, and a few questions about nothing in the knowledge base.
func phraseQueries(tb testing.TB, docs []chat.Document) []phraseQuery {
	natural := naturalQuestions(tb)
	qs := append([]phraseQuery(nil), natural...)
	for _, q := range natural {
		q.text = misspell(q.text)
		qs = append(qs, q)
	}
	for _, d := range docs {
		qs = append(qs, phraseQuery{d.Title, d.Lang, d.ID})
		for _, p := range retrieval.Phrasings(d) {
			qs = append(qs, phraseQuery{p, d.Lang, d.ID})
		}
	}
	for _, q := range []string{"", "???", "how", "的", "tell me a joke", "book me a flight to tokyo", "明天会下雨吗", "推荐一部好看的电影"} {
		qs = append(qs, phraseQuery{text: q, lang: "en"})
	}
	return qs
}

// misspell swaps the middle two letters of every word of five letters or more.
func misspell(s string) string {
	ws := strings.Fields(s)
	for i, w := range ws {
		if r := []rune(w); len(r) >= 5 {
			m := len(r) / 2
			r[m-1], r[m] = r[m], r[m-1]
			ws[i] = string(r)
		}
	}
	return strings.Join(ws, " ")
}

// samePhrasings checks that MatchPhrasings returns exactly what scoring every phrasing returns
// (MatchPhrasingsBrute): the same documents, phrasings, scores, order and ranks, for every query,
// with and without the query's vector (and with a vector of another model), under several filters
// and for several k. It returns how many results were found by their vector alone (no word in
// common with the query).
func samePhrasings(t *testing.T, s *retrieval.Searcher, qs []phraseQuery) (vectorOnly int) {
	t.Helper()
	ctx := context.Background()
	model := s.Embedder.Model()
	all := len(s.Index.AllDocuments()) + 1
	for _, q := range qs {
		vs, err := s.Embedder.Embed(ctx, []string{q.text})
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range []struct {
			model string
			vec   []float32
		}{{model, vs[0]}, {"", nil}, {"other-model", vs[0]}} {
			for _, f := range []retrieval.Filter{{Lang: q.lang}, {}, {Lang: q.lang, ExcludeDoc: q.doc}, {Collection: "none"}} {
				// The reference truncates its sorted list to k: its answer for k is a prefix of
				// its answer for every document.
				ref := s.Index.MatchPhrasingsBrute(q.text, mode.model, mode.vec, all, f)
				for _, m := range ref {
					if m.Match.Lexical == 0 {
						vectorOnly++
					}
				}
				for _, k := range []int{0, 1, 3, 10, 50, all} {
					want := ref[:min(k, len(ref))]
					if got := s.Index.MatchPhrasings(q.text, mode.model, mode.vec, k, f); !reflect.DeepEqual(got, want) {
						t.Fatalf("MatchPhrasings(%q, %q, k=%d, %+v):\n got %+v\nwant %+v", q.text, mode.model, k, f, got, want)
					}
				}
			}
		}
	}
	return vectorOnly
}

// TestMatchPhrasingsSameAsAll: matching only the phrasings that share a token with the query
// (and the others by their vectors) finds exactly what scoring every phrasing found, on the demo
// knowledge base, on its fold copies (as the calibrator is fitted on) and after a phrasing is
// added and not yet embedded.
func TestMatchPhrasingsSameAsAll(t *testing.T) {
	s, docs := demoSearcher(t)
	qs := phraseQueries(t, docs)
	if n := samePhrasings(t, s, qs); n == 0 {
		t.Errorf("no result was found by its vector alone: the test does not cover that case")
	}
	t.Logf("%d queries", len(qs))

	natural := naturalQuestions(t)
	for name, drop := range map[string]func(docID, phrasing string) bool{
		"half": func(_, p string) bool { return len(p)%2 == 0 },
		"article": func(docID, _ string) bool {
			return strings.HasSuffix(docID, "-a-claim") || strings.HasSuffix(docID, "reset-password")
		},
	} {
		t.Run("fold "+name, func(t *testing.T) {
			fold := s.Fold(drop)
			samePhrasings(t, fold, natural)
			// The copy's words are those of an index built afresh from its documents.
			fresh := retrieval.NewIndex(fold.Index.AllDocuments())
			fresh.SetSynonyms(demoSynonyms(t))
			for _, q := range append(natural, phraseQueries(t, docs)...) {
				for _, without := range []string{"", q.doc} {
					gs, gw := fold.Index.Unseen(q.text, without)
					ws, ww := fresh.Unseen(q.text, without)
					if gs != ws || gw != ww {
						t.Fatalf("fold %s: Unseen(%q, %q) = %v, %d; built afresh %v, %d", name, q.text, without, gs, gw, ws, ww)
					}
				}
				if got, want := fold.Index.MatchPhrasings(q.text, "", nil, 50, retrieval.Filter{}), fresh.MatchPhrasings(q.text, "", nil, 50, retrieval.Filter{}); !reflect.DeepEqual(got, want) {
					t.Fatalf("fold %s: MatchPhrasings(%q) = %+v; built afresh %+v", name, q.text, got, want)
				}
			}
			for _, q := range natural {
				for _, m := range fold.Index.MatchPhrasings(q.text, "", nil, 50, retrieval.Filter{}) {
					if !m.Match.Title && drop(m.DocID, m.Match.Text) {
						t.Fatalf("fold %s matched the dropped phrasing %q of %s", name, m.Match.Text, m.DocID)
					}
				}
			}
		})
	}

	t.Run("added phrasing", func(t *testing.T) {
		s, docs := demoSearcher(t)
		docs[0].Questions = append(docs[0].Questions, "where is my parcel from the warehouse")
		var chunks []chat.Chunk
		for _, d := range docs {
			chunks = append(chunks, retrieval.Chunks(d, retrieval.DefaultChunkOptions)...)
		}
		s.Index.Replace(docs, chunks)
		q := phraseQuery{"my parcel is late", docs[0].Lang, docs[0].ID}
		samePhrasings(t, s, append([]phraseQuery{q}, natural...))
		got := s.Index.MatchPhrasings(q.text, "", nil, 1, retrieval.Filter{})
		if len(got) != 1 || got[0].Match.Text != "where is my parcel from the warehouse" {
			t.Fatalf("the added phrasing is not matched first: %+v", got)
		}
	})
}

// BenchmarkMatchPhrasings matches the demo's natural questions, in their language, with the
// query's local vector ("vector", as the bot asks) and without it ("words").
func BenchmarkMatchPhrasings(b *testing.B) {
	benchPhrasings(b, (*retrieval.Index).MatchPhrasings)
}

// BenchmarkMatchPhrasingsBrute is BenchmarkMatchPhrasings for the reference that scores every
// phrasing.
func BenchmarkMatchPhrasingsBrute(b *testing.B) {
	benchPhrasings(b, (*retrieval.Index).MatchPhrasingsBrute)
}

type matchFunc func(ix *retrieval.Index, query, model string, qvec []float32, k int, f retrieval.Filter) []retrieval.DocPhrase

func benchPhrasings(b *testing.B, match matchFunc) {
	s, _ := demoSearcher(b)
	qs := naturalQuestions(b)
	vecs := make([][]float32, len(qs))
	for i, q := range qs {
		vs, _ := s.Embedder.Embed(context.Background(), []string{q.text})
		vecs[i] = vs[0]
	}
	k := retrieval.DefaultHybridParams.Candidates
	for _, withVec := range []bool{true, false} {
		name := map[bool]string{true: "vector", false: "words"}[withVec]
		b.Run(name, func(b *testing.B) {
			model := s.Embedder.Model()
			for i := 0; i < b.N; i++ {
				q := qs[i%len(qs)]
				var v []float32
				if withVec {
					v = vecs[i%len(qs)]
				}
				match(s.Index, q.text, model, v, k, retrieval.Filter{Lang: q.lang})
			}
		})
	}
}
