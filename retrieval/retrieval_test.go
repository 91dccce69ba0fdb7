package retrieval

import (
	"slices"
	"testing"
	"time"
)

func TestTokens(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"How do I file Claims?", []string{"file", "claim"}},
		{"如何报案", []string{"如", "何", "如何", "报", "何报", "案", "报案"}},
		{"ＡＢＣ１２３ policies", []string{"abc123", "polici"}},
		{"policy renewing renewals", []string{"polici", "renew", "renew"}},
		{"App报案", []string{"app", "报", "案", "报案"}},
	} {
		if got := Tokens(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseMarkdown(t *testing.T) {
	d, err := ParseMarkdown("a.md", []byte("---\nid: en-a\ntitle: A title\ncategory: claims\nlang: en\n---\n\nBody text.\n"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != "en-a" || d.Title != "A title" || d.Lang != "en" || d.Category != "claims" || d.Body != "Body text." || d.URL != "/kb/en-a" || d.Hash == "" {
		t.Fatalf("parsed %+v", d)
	}
	for _, bad := range []string{"no front matter", "---\nid: x\n", "---\ntitle: t\n---\nbody", "---\nid: x\ntitle: t\n---\n"} {
		if _, err := ParseMarkdown("bad.md", []byte(bad), time.Now()); err == nil {
			t.Errorf("ParseMarkdown(%q) accepted", bad)
		}
	}
}

func FuzzParseMarkdown(f *testing.F) {
	f.Add("---\nid: a\ntitle: b\n---\nbody")
	f.Add("---\n---\n")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseMarkdown("f.md", []byte(s), time.Now())
		if err == nil && (d.ID == "" || d.Title == "" || d.Body == "") {
			t.Fatalf("accepted document without id, title or body: %+v", d)
		}
	})
}

func FuzzTokens(f *testing.F) {
	f.Add("How do I file a claim? 如何报案？")
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range Tokens(s) {
			if tok == "" {
				t.Fatal("empty token")
			}
		}
	})
}

func FuzzParseFile(f *testing.F) {
	f.Add("a.md", "# Title\n\nbody")
	f.Add("b.jsonl", `{"id":"x","title":"t","text":"y"}`)
	f.Add("c.txt", "---\nid: z\ntitle: t\n---\nbody")
	f.Fuzz(func(t *testing.T, name, s string) {
		docs, err := ParseFile(name, []byte(s), time.Now())
		if err != nil {
			return
		}
		for _, d := range docs {
			if d.ID == "" || d.Hash == "" || d.URL == "" || (d.Lang != "en" && d.Lang != "zh" && d.Lang == "") {
				t.Fatalf("accepted incomplete document %+v", d)
			}
		}
	})
}
