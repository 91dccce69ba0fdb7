package bot

import (
	"context"
	"math"
	"testing"
	"time"

	"tandem/chat"
	"tandem/demo"
	"tandem/retrieval"
)

// demoSearcher is the demo knowledge base with its synonyms, searched in memory with the local
// embedder.
func demoSearcher(t *testing.T) (*retrieval.Searcher, []chat.Document) {
	t.Helper()
	docs, err := demo.Documents(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := retrieval.NewMemory(ctx, docs, retrieval.NewLocal(256))
	if err != nil {
		t.Fatal(err)
	}
	byLang, _, err := retrieval.ParseSynonyms(demo.Synonyms)
	if err != nil {
		t.Fatal(err)
	}
	var groups []chat.SynonymGroup
	for _, l := range []string{"en", "zh"} {
		groups = append(groups, byLang[l]...)
	}
	s.Index.SetSynonyms(groups)
	return s, docs
}

// TestDefaultCalibrator: the shipped default is FitDefault on the demo knowledge base (English and
// Chinese, with and without its similar questions), and each language's own fit is checked on
// questions it was not fitted on.
func TestDefaultCalibrator(t *testing.T) {
	s, docs := demoSearcher(t)
	fold := func(drop func(string, string) bool) Searcher { return s.Fold(drop) }
	f, err := FitKnowledge(context.Background(), fold, docs, DefaultTargetPrecision, nil)
	if err != nil {
		t.Fatal(err)
	}
	def, err := FitDefault(context.Background(), fold, docs)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range def.W {
		if math.Abs(w-DefaultCalibrator.W[i]) > 1e-3 || math.Abs(def.B-DefaultCalibrator.B) > 1e-3 {
			t.Fatalf("refitted default %#v differs from DefaultCalibrator", def)
		}
	}
	if got, want := def.Threshold(DefaultTargetPrecision), DefaultCalibrator.Threshold(DefaultTargetPrecision); got != want {
		t.Fatalf("refitted default's threshold at the default target is %.2f, DefaultCalibrator's %.2f (curve %#v)", got, want, def.Curve)
	}
	for _, l := range []string{"en", "zh"} {
		lf := f.Langs[l]
		if lf == nil || lf.Questions < 6*24 || lf.ECE > 0.2 || lf.Precision < DefaultTargetPrecision {
			t.Errorf("%s fit: %+v", l, lf)
		}
		t.Logf("%s: %d questions, found first %.2f, held-out ECE %.3f, coverage %.2f at precision %.2f", l, lf.Questions, lf.Found, lf.ECE, lf.Coverage, lf.Precision)
	}
}

// TestOutOfScopeHeld: questions about nothing in the knowledge base get a low probability from
// the language's own fit even when they share everyday words with an article, and stay under the
// target with the default.
func TestOutOfScopeHeld(t *testing.T) {
	s, docs := demoSearcher(t)
	ctx := context.Background()
	f, err := FitKnowledge(ctx, func(drop func(string, string) bool) Searcher { return s.Fold(drop) }, docs, DefaultTargetPrecision, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"what's the weather like tomorrow", "tell me a joke", "book me a flight to tokyo", "明天会下雨吗", "给我讲个笑话", "推荐一部好看的电影"} {
		lang := Lang(q)
		hits := retrieval.TopDocuments(s.Search(ctx, retrieval.Query{Text: q, K: 20, Filter: retrieval.Filter{Lang: lang}}), searchK)
		sig := Measure(hits, s.QueryWeight(q))
		if p := f.For(lang).P(sig); p >= DefaultTargetPrecision/2 {
			t.Errorf("%q: P(right) %.2f with the %s fit", q, p, lang)
		}
		if p := DefaultCalibrator.P(sig); p >= DefaultTargetPrecision {
			t.Errorf("%q: P(right) %.2f with the default", q, p)
		}
	}
}
