// Package retrieval finds the knowledge that answers a question: documents, tokenizing and search.
package retrieval

import (
	"strings"
	"unicode"
)

// Tokens splits text into search tokens: lower-cased Latin words and digits, and Chinese as
// character unigrams plus bigrams, so Chinese works without a segmenter.
func Tokens(text string) []string {
	var out []string
	var word []rune
	var prevHan rune
	flush := func() {
		if len(word) > 0 {
			w := string(word)
			if !stopwords[w] {
				out = append(out, stem(w))
			}
			word = word[:0]
		}
	}
	for _, r := range foldWidth(text) {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			out = append(out, string(r))
			if prevHan != 0 {
				out = append(out, string([]rune{prevHan, r}))
			}
			prevHan = r
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word = append(word, unicode.ToLower(r))
		default:
			flush()
		}
		prevHan = 0
	}
	flush()
	return out
}

// HasHan reports whether s contains Chinese characters.
func HasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// foldWidth maps full-width ASCII forms to their half-width letters and digits.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			return r - 0xFEE0
		}
		if r == 0x3000 {
			return ' '
		}
		return r
	}, s)
}

// stem strips the commonest English suffixes; issue 3 replaces it with a real stemmer.
func stem(w string) string {
	for _, suf := range []string{"ing", "ies", "es", "ed", "s"} {
		if len(w) > len(suf)+2 && strings.HasSuffix(w, suf) {
			if suf == "ies" {
				return w[:len(w)-3] + "y"
			}
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

var stopwords = map[string]bool{
	"a": true, "an": true, "the": true, "i": true, "my": true, "me": true, "do": true, "does": true,
	"is": true, "are": true, "to": true, "of": true, "and": true, "or": true, "in": true, "on": true,
	"for": true, "it": true, "can": true, "how": true, "what": true, "you": true, "your": true,
	"we": true, "our": true, "be": true, "with": true, "at": true, "this": true, "that": true,
}
