package retrieval

import (
	"strings"
	"testing"
	"time"

	"tandem/chat"
)

func TestOneEdit(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"claim", "cliam", true}, {"password", "pasword", true}, {"renew", "renewl", true}, {"period", "perod", true},
		{"change", "chnage", true}, {"claim", "clain", true}, {"claim", "claim", false}, {"claim", "clams", false},
		{"document", "documants", false}, {"abc", "abcde", false}, {"ab", "ba", true}, {"abcd", "badc", false},
	} {
		if got := oneEdit(c.a, c.b); got != c.want {
			t.Errorf("oneEdit(%q, %q) = %v", c.a, c.b, got)
		}
		if got := oneEdit(c.b, c.a); got != c.want {
			t.Errorf("oneEdit(%q, %q) = %v", c.b, c.a, got)
		}
	}
}

// spellIndex is a small index whose articles use the words the tests misspell.
func spellIndex() *Index {
	now := time.Now()
	return NewIndex([]chat.Document{
		{ID: "claim", Title: "How do I file a claim?", Body: "File your claim online with a police report and photos.", Lang: "en", UpdatedAt: now},
		{ID: "password", Title: "Reset your password", Body: "Choose a new password from the sign-in page.", Lang: "en", UpdatedAt: now},
		{ID: "renewal", Title: "Renewal price", Body: "Your renewal price depends on your claims. Documents arrive by post.", Lang: "en", UpdatedAt: now},
		{ID: "zh", Title: "如何报案", Body: "在线报案。理赔需要材料。", Lang: "zh", UpdatedAt: now},
		{ID: "zh2", Title: "如何投诉", Body: "投诉请在线提交。忘记密码可以重置。保障继续有效。不要担心。", Lang: "zh", UpdatedAt: now},
	})
}

func TestCorrect(t *testing.T) {
	ix := spellIndex()
	for in, want := range map[string]string{
		"How do I file a CLIAM?":  "How do I file a claim?", // the misspelt word only, as the index has it
		"forgot my pasword!!":     "forgot my password!!",
		"my renewl price":         "my renewal price",
		"wat documants do i need": "what documents do i need", // the stemmer would miss it: "documants" → "docum"
		"please be polite":        "please be polite",         // English, although "police" is one edit away
		"my claim was paid":       "my claim was paid",        // known words stay
		"a clam":                  "a clam",                   // too short to correct
		"code ab12cliam":          "code ab12cliam",           // part of a product code
		"cliam理赔":                 "cliam理赔",                  // glued to Chinese: not a word on its own
		"my spotify bill":         "my spotify bill",          // nothing one edit away
		"":                        "",
		"报案 cliam":                "报案 claim",
	} {
		if got := ix.Correct(in); got != want {
			t.Errorf("Correct(%q) = %q, want %q", in, got, want)
		}
	}
	// The corrected question finds its article and no longer counts the typo as unseen.
	if hits := ix.Search(ix.Correct("how to file a cliam"), 1, Filter{}); len(hits) == 0 || hits[0].Doc.ID != "claim" {
		t.Errorf("corrected search: %v", hits)
	}
	if share, _ := ix.Unseen(ix.Correct("cliam"), ""); share != 0 {
		t.Errorf("unseen share of the corrected typo = %v", share)
	}
}

// TestCorrectFollowsVocabulary: a word the index learns later (here as a synonym) is no longer
// corrected away.
func TestCorrectFollowsVocabulary(t *testing.T) {
	ix := spellIndex()
	if got := ix.Correct("pasword"); got != "password" {
		t.Fatalf("Correct(pasword) = %q before the synonym", got)
	}
	ix.SetSynonyms([]chat.SynonymGroup{{Lang: "en", Words: []string{"pasword", "passcode"}}})
	if got := ix.Correct("pasword"); got != "pasword" {
		t.Errorf("Correct(pasword) = %q after the index learnt the word", got)
	}
}

func FuzzCorrect(f *testing.F) {
	ix := spellIndex()
	for _, s := range []string{"how do i file a cliam", "pasword 重置", "ab12cliam", "ÇLIAM", "\xff\xfecliam", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := ix.Correct(s)
		if len(strings.Fields(got)) != len(strings.Fields(s)) {
			t.Fatalf("Correct(%q) = %q: words were added or lost", s, got)
		}
	})
}

// BenchmarkCorrect: a question with a word that is neither English nor the index's, so every
// word one edit from it is stemmed (the slowest case).
func BenchmarkCorrect(b *testing.B) {
	ix := spellIndex()
	ix.Correct("warm")
	for b.Loop() {
		ix.Correct("my spotifyy payment was declined")
	}
}
