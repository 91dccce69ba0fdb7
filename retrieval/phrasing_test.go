package retrieval

import (
	"context"
	"strings"
	"testing"
	"time"

	"tandem/chat"
)

// TestImportPhrasings: every import format carries similar questions — Markdown front matter
// (a "- …" list or inline with |), JSONL articles' "questions" and FAQ CSV "variants" — and a bad
// phrasing fails the file with an error naming it.
func TestImportPhrasings(t *testing.T) {
	md := "---\nid: pay\ntitle: What payment methods can I use?\nquestions:\n  - how do I pay my bill\n  - \"can I pay with alipay\"\nlang: en\n---\n\nCards and Alipay.\n"
	inline := "---\nid: pay2\ntitle: Payment\nquestions: how do I pay | pay by card?\n---\n\nCards.\n"
	jsonl := `{"id":"ded","title":"What is a deductible?","text":"The part you pay yourself.","questions":["what's an excess","how much do I pay myself"]}` + "\n"
	csv := "question,answer,variants\nHow do I pay?,By card.,how to pay|pay my premium\n"
	cases := []struct {
		name, data string
		want       []string
	}{
		{"pay.md", md, []string{"how do I pay my bill", "can I pay with alipay"}},
		{"pay2.md", inline, []string{"how do I pay", "pay by card?"}},
		{"kb.jsonl", jsonl, []string{"what's an excess", "how much do I pay myself"}},
		{"faq.csv", csv, []string{"how to pay", "pay my premium"}},
	}
	for _, c := range cases {
		docs, err := ParseFile(c.name, []byte(c.data), time.Now())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := Phrasings(docs[0]); strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s: phrasings %q, want %q", c.name, got, c.want)
		}
		if c.name == "kb.jsonl" && docs[0].Kind == "faq" {
			t.Errorf("a JSONL article with questions became an FAQ entry")
		}
	}
	bad := []struct{ name, data, want string }{
		{"dup.md", "---\nid: a\ntitle: T\nquestions:\n  - how do I pay\n  - How do I pay?\n---\n\nBody.\n", `phrasing 2 "How do I pay?" repeats phrasing 1`},
		{"long.jsonl", `{"id":"a","title":"T","text":"x","questions":["` + strings.Repeat("a", 201) + `"]}`, "has 201 characters; the limit is 200"},
		{"faq.csv", "question,answer,variants\nHow do I pay?,By card.,pay|PAY\n", "line 2: phrasing 2 \"PAY\" repeats phrasing 1"},
		{"title.md", "---\nid: a\ntitle: How do I pay?\nquestions: how do I pay\n---\n\nBody.\n", "repeats the title"},
	}
	for _, b := range bad {
		if _, err := ParseFile(b.name, []byte(b.data), time.Now()); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: err %v, want one naming %q", b.name, err, b.want)
		}
	}
}

// TestPhrasingMatch: a customer's wording is matched to the closest similar question, the hit
// names it, and synonyms apply to both legs.
func TestPhrasingMatch(t *testing.T) {
	docs, err := ParseFile("kb.jsonl", []byte(strings.Join([]string{
		`{"id":"fail","title":"What happens if my payment fails?","text":"We retry after 3 days.","questions":["card declined for my premium","the direct debit bounced"]}`,
		`{"id":"tow","title":"How do I get roadside assistance?","text":"Call 400-800-1234.","questions":["car broke down","flat tyre on the road"]}`,
		`{"id":"ded","title":"What is a deductible?","text":"The deductible is the part you pay.","questions":["what do I pay myself on a claim"]}`,
	}, "\n")), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := NewMemory(ctx, docs, NewLocal(256))
	if err != nil {
		t.Fatal(err)
	}
	rs := s.Search(ctx, Query{Text: "my card was declined paying the premium", K: 3})
	if len(rs) == 0 || rs[0].Doc.ID != "fail" || rs[0].Phrase == nil || rs[0].Phrase.Text != "card declined for my premium" || rs[0].Phrase.Rank != 1 {
		t.Fatalf("top = %+v", rs)
	}
	for _, r := range s.Search(ctx, Query{Text: "excess", K: 3}) {
		if r.Lexical != nil {
			t.Fatalf("excess matched %s lexically without a synonym", r.Doc.ID)
		}
	}
	s.Index.SetSynonyms([]chat.SynonymGroup{{Lang: "en", Words: []string{"excess", "deductible"}}})
	rs = s.Search(ctx, Query{Text: "what is the excess", K: 3})
	if len(rs) == 0 || rs[0].Doc.ID != "ded" || rs[0].Lexical == nil || rs[0].Phrase == nil || rs[0].Phrase.Text != "What is a deductible?" {
		t.Fatalf("with excess ~ deductible: %+v", rs)
	}
}

// TestCleanSynonyms: a group needs two different words, and a word belongs to one group.
func TestCleanSynonyms(t *testing.T) {
	if _, err := CleanSynonyms("en", [][]string{{"excess", "Excess "}}); err == nil || !strings.Contains(err.Error(), "only one word") {
		t.Errorf("one word twice: %v", err)
	}
	if _, err := CleanSynonyms("zh", [][]string{{"保费", "缴费"}, {"交钱", "缴费"}}); err == nil || !strings.Contains(err.Error(), `"缴费" is in synonym group 1 and in group 2`) {
		t.Errorf("word in two groups: %v", err)
	}
	if _, err := CleanSynonyms("en", [][]string{{"a", ""}}); err == nil || !strings.Contains(err.Error(), "empty word") {
		t.Errorf("empty word: %v", err)
	}
	gs, err := CleanSynonyms("zh", [][]string{{"保费", "缴费", "交钱"}})
	if err != nil || len(gs) != 1 || len(gs[0].Words) != 3 || gs[0].Lang != "zh" {
		t.Fatalf("good group: %+v %v", gs, err)
	}
}
