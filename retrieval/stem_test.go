package retrieval

import (
	"slices"
	"testing"
)

// TestIndexTokensAreTokens: a query tokenized with the index's memory of stems has Tokens' tokens,
// the first time and the next, also once the memory is full.
func TestIndexTokensAreTokens(t *testing.T) {
	ix := NewIndex(nil)
	texts := []string{"How do I file a claim?", "Filing claims, claimed, CLAIMING", "如何报案？ ＡＢＣ payments 2024", "running runs ran"}
	for range 2 {
		for _, text := range texts {
			if got, want := ix.tokens(text), Tokens(text); !slices.Equal(got, want) {
				t.Fatalf("tokens(%q) = %q, want %q", text, got, want)
			}
		}
	}
	ix.stems.n.Store(maxStemMemo)
	if got, want := ix.tokens("unremembered wordings"), Tokens("unremembered wordings"); !slices.Equal(got, want) {
		t.Fatalf("with a full memory: %q, want %q", got, want)
	}
	if _, ok := ix.stems.m.Load("unremembered"); ok {
		t.Error("a full memory took another word")
	}
}
