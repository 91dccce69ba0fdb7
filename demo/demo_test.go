package demo

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"tandem/retrieval"
)

// TestKB checks every demo article parses, ids are unique and the languages are balanced.
func TestKB(t *testing.T) {
	ids := map[string]bool{}
	perLang := map[string]int{}
	categories := map[string]bool{}
	err := fs.WalkDir(KB, "kb", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := KB.ReadFile(path)
		doc, err := retrieval.ParseMarkdown(path, data, time.Now())
		if err != nil {
			t.Error(err)
			return nil
		}
		if ids[doc.ID] {
			t.Errorf("%s: duplicate id %s", path, doc.ID)
		}
		ids[doc.ID] = true
		if !strings.HasPrefix(path, "kb/"+doc.Lang+"/") || !strings.HasPrefix(doc.ID, doc.Lang+"-") {
			t.Errorf("%s: lang %q does not match its folder or id", path, doc.Lang)
		}
		perLang[doc.Lang]++
		categories[doc.Category] = true
		if qs := retrieval.Phrasings(doc); len(qs) < 6 {
			t.Errorf("%s: %d similar questions, want at least 6", path, len(qs))
		} else {
			for _, q := range qs {
				if retrieval.HasHan(q) != (doc.Lang == "zh") {
					t.Errorf("%s: similar question %q is not in %s", path, q, doc.Lang)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) < 40 || perLang["en"] < 20 || perLang["zh"] < 20 {
		t.Fatalf("%d articles (%v); want at least 40, 20 per language", len(ids), perLang)
	}
	for _, c := range []string{"policies", "claims", "payments", "renewals", "account", "complaints", "business-hours", "contact"} {
		if !categories[c] {
			t.Errorf("no article in category %s", c)
		}
	}
}

// TestSynonyms checks the demo's synonym groups are valid in both languages.
func TestSynonyms(t *testing.T) {
	byLang, _, err := retrieval.ParseSynonyms(Synonyms)
	if err != nil {
		t.Fatal(err)
	}
	if len(byLang["en"]) < 10 || len(byLang["zh"]) < 10 {
		t.Fatalf("demo synonyms: %d en and %d zh groups", len(byLang["en"]), len(byLang["zh"]))
	}
}
