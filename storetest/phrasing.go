package storetest

import (
	"context"
	"testing"
	"time"

	"tandem/chat"
	"tandem/retrieval"
)

// phrasingDoc is an article that carries similar questions.
func phrasingDoc(t *testing.T, id, title, body string, qs ...string) chat.Document {
	t.Helper()
	d, err := retrieval.WithPhrasings(chat.Document{ID: id, Title: title, Body: body, Lang: "en", Collection: "c", UpdatedAt: t0}, qs)
	must(t, err)
	return d
}

// loaded searches the store's knowledge the way a server does: synced into an index.
func loaded(t *testing.T, s Store) *retrieval.Searcher {
	t.Helper()
	ix := retrieval.NewIndex(nil)
	sy := &retrieval.Sync{Source: s, Index: ix, Embedder: retrieval.NewLocal(64)}
	must(t, sy.Load(context.Background()))
	must(t, sy.EmbedPhrasings(context.Background()))
	return &retrieval.Searcher{Index: ix, Embedder: retrieval.NewLocal(64)}
}

// testPhrasings: similar questions are stored with their article and matched question to question
// after a sync; the hit names the phrasing that matched.
func testPhrasings(t *testing.T, s Store) {
	ctx := context.Background()
	pay := phrasingDoc(t, "pay", "What payment methods can I use?", "Bank card, direct debit, Alipay and WeChat Pay are accepted.",
		"my card got declined for the premium", "how do I pay my bill")
	fix := phrasingDoc(t, "fix", "How do I get roadside assistance?", "Call 400-800-1234 and choose option 1.",
		"car broke down on the motorway", "flat tyre, send help")
	for _, d := range []chat.Document{pay, fix} {
		must(t, errOf(s.PutDocument(ctx, d, retrieval.Chunks(d, retrieval.DefaultChunkOptions))))
	}
	docs, err := s.Documents(ctx)
	must(t, err)
	if len(docs) != 2 || len(docs[0].Questions) != 2 || docs[0].Questions[1] != "flat tyre, send help" {
		t.Fatalf("stored phrasings = %+v", docs)
	}
	rs := loaded(t, s).Search(ctx, retrieval.Query{Text: "tyre went flat, can you send someone", K: 3})
	if len(rs) == 0 || rs[0].Doc.ID != "fix" || rs[0].Phrase == nil || rs[0].Phrase.Text != "flat tyre, send help" {
		t.Fatalf("top hit = %+v, want fix matched by its phrasing %q", rs, "flat tyre, send help")
	}
	// Editing the phrasings is a document change: the knowledge version moves and the new wording
	// is found after the next load.
	before, err := s.KnowledgeVersion(ctx)
	must(t, err)
	edited, err := retrieval.WithPhrasings(pay, []string{"the premium charge bounced"})
	must(t, err)
	edited.UpdatedAt = t0.Add(time.Minute)
	must(t, errOf(s.PutDocument(ctx, edited, retrieval.Chunks(edited, retrieval.DefaultChunkOptions))))
	after, err := s.KnowledgeVersion(ctx)
	must(t, err)
	if after == before {
		t.Fatal("knowledge version did not change with the phrasings")
	}
	rs = loaded(t, s).Search(ctx, retrieval.Query{Text: "premium charge bounced", K: 3})
	if len(rs) == 0 || rs[0].Doc.ID != "pay" || rs[0].Phrase == nil || rs[0].Phrase.Text != "the premium charge bounced" {
		t.Fatalf("after the edit top hit = %+v", rs)
	}
}

// testSynonyms: groups round-trip per language in order, replacing a language is one change that
// moves the knowledge version, and a synced index applies them to queries.
func testSynonyms(t *testing.T, s Store) {
	ctx := context.Background()
	d := phrasingDoc(t, "ded", "What is a deductible?", "The deductible is the part of each claim you pay yourself.")
	must(t, errOf(s.PutDocument(ctx, d, retrieval.Chunks(d, retrieval.DefaultChunkOptions))))
	v0, err := s.KnowledgeVersion(ctx)
	must(t, err)
	en, err := retrieval.CleanSynonyms("en", [][]string{{"excess", "deductible"}, {"premium", "payment"}})
	must(t, err)
	zh, err := retrieval.CleanSynonyms("zh", [][]string{{"保费", "缴费", "交钱"}})
	must(t, err)
	must(t, s.PutSynonyms(ctx, map[string][]chat.SynonymGroup{"en": en, "zh": zh}, t0))
	gs, err := s.Synonyms(ctx)
	must(t, err)
	if len(gs) != 3 || gs[0].Lang != "en" || gs[0].Words[0] != "excess" || gs[1].Words[1] != "payment" || gs[2].Lang != "zh" || len(gs[2].Words) != 3 {
		t.Fatalf("synonyms = %+v", gs)
	}
	v1, err := s.KnowledgeVersion(ctx)
	must(t, err)
	if v1 == v0 {
		t.Fatal("knowledge version did not change with the synonyms")
	}
	rs := loaded(t, s).Search(ctx, retrieval.Query{Text: "how big is my excess", K: 3})
	if len(rs) == 0 || rs[0].Doc.ID != "ded" || rs[0].Lexical == nil {
		t.Fatalf("excess did not find the deductible article lexically: %+v", rs)
	}
	must(t, s.PutSynonyms(ctx, map[string][]chat.SynonymGroup{"en": nil}, t0.Add(time.Second)))
	gs, err = s.Synonyms(ctx)
	must(t, err)
	if len(gs) != 1 || gs[0].Lang != "zh" {
		t.Fatalf("after clearing en: %+v", gs)
	}
	if v2, _ := s.KnowledgeVersion(ctx); v2 == v1 {
		t.Fatal("knowledge version did not change when a language's synonyms were cleared")
	}
}
