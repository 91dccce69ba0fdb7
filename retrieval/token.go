// Package retrieval finds the knowledge that answers a question: documents, tokenizing and search.
package retrieval

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/kljensen/snowball/english"
)

// Tokens splits text into search tokens: lower-cased, Snowball-stemmed English words, digits, and Chinese as
// character unigrams plus bigrams, so Chinese works without a segmenter.
func Tokens(text string) []string { return tokens(text, stem) }

// tokens is Tokens with stem for Snowball's.
func tokens(text string, stem func(string) string) []string {
	var out []string
	var word []rune
	var prevHan rune
	flush := func() {
		if len(word) > 0 {
			w := string(word)
			if len(word) > maxWordRunes { // not a word: a key held down, a hash, pasted junk
				word = word[:0]
				return
			}
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

// maxWordRunes is the longest run of letters and digits taken as a word.
const maxWordRunes = 40

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

// stem reduces an English word to its Snowball (Porter2) stem; other words pass through.
func stem(w string) string {
	for _, r := range w {
		if r > unicode.MaxASCII || unicode.IsDigit(r) {
			return w
		}
	}
	return english.Stem(w, false)
}

// maxStemMemo bounds a stemMemo: more words than a knowledge base and its customers use.
const maxStemMemo = 1 << 16

// stemMemo remembers the stems of words: stemming is most of tokenizing, and a turn tokenizes its
// question a dozen times (each leg, each synonym variant, the confidence signals). Safe for
// concurrent use; past maxStemMemo words it stems the others afresh.
type stemMemo struct {
	m sync.Map // word → stem
	n atomic.Int32
}

func (s *stemMemo) stem(w string) string {
	if v, ok := s.m.Load(w); ok {
		return v.(string)
	}
	st := stem(w)
	if s.n.Load() < maxStemMemo {
		if _, had := s.m.LoadOrStore(w, st); !had {
			s.n.Add(1)
		}
	}
	return st
}

var stopwords = map[string]bool{
	"a": true, "an": true, "the": true, "i": true, "my": true, "me": true, "do": true, "does": true,
	"is": true, "are": true, "to": true, "of": true, "and": true, "or": true, "in": true, "on": true,
	"for": true, "it": true, "can": true, "how": true, "what": true, "you": true, "your": true,
	"we": true, "our": true, "be": true, "with": true, "at": true, "this": true, "that": true,
}
