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
