package retrieval

import (
	"strings"

	"tandem/chat"
)

// Spelling: customers type "cliam", "pasword" and "renewl". A word of a question that is not
// English (see isEnglish), that the knowledge base never uses, and that is one edit (a letter
// added, dropped or changed, or two neighbours swapped) from a word it does use, is read as that
// word, so a typo costs neither the match nor the confidence. Real words are never changed, even
// ones the knowledge base lacks ("polite" stays, though "police" is one edit away), nor are short
// ones: a four-letter word has too many neighbours one edit away.

// minSpellLetters is the shortest word corrected.
const minSpellLetters = 5

// spelling is the knowledge base's English words as written (not stemmed: a typo throws the
// stemmer off, "documants" stems to "docum"), with how often each occurs, indexed by each
// one-letter deletion and by themselves for finding the words one edit from a misspelling (the
// symmetric-delete method).
type spelling struct {
	freq map[string]int
	dels map[string][]string
}

// newSpelling reads the words of the chunks, their titles, headings and similar questions, and
// the synonyms: a–z only, one letter shorter than minSpellLetters at least (a five-letter typo
// may add a letter to a four-letter word).
func newSpelling(items []item, synonyms []chat.SynonymGroup) spelling {
	sp := spelling{freq: map[string]int{}, dels: map[string][]string{}}
	add := func(text string) {
		for start, end := range asciiWords(text) {
			if w := strings.ToLower(text[start:end]); len(w) >= minSpellLetters-1 && !stopwords[w] {
				sp.freq[w]++
			}
		}
	}
	for _, it := range items {
		add(it.chunk.Text)
		if it.chunk.Ord == 0 {
			add(titleText(it)) // the title, heading and similar questions
		} else {
			add(it.chunk.Heading)
		}
	}
	for _, g := range synonyms {
		for _, w := range g.Words {
			add(w)
		}
	}
	for w := range sp.freq {
		sp.dels[w] = append(sp.dels[w], w)
		for i := range len(w) {
			d := w[:i] + w[i+1:]
			sp.dels[d] = append(sp.dels[d], w)
		}
	}
	return sp
}

// best is the word one edit from w that occurs most often (then the first alphabetically).
func (sp spelling) best(w string) (string, bool) {
	best, n := "", 0
	try := func(key string) {
		for _, c := range sp.dels[key] {
			if f := sp.freq[c]; oneEdit(w, c) && (f > n || f == n && c < best) {
				best, n = c, f
			}
		}
	}
	try(w)
	for i := range len(w) {
		try(w[:i] + w[i+1:])
	}
	return best, best != ""
}

// oneEdit reports whether a and b (a–z) differ by exactly one insertion, deletion, substitution
// or swap of two neighbouring letters.
func oneEdit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	switch {
	case a == b || len(b)-len(a) > 1:
		return false
	case len(a) < len(b): // one letter inserted into a
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		return a[i:] == b[i+1:]
	}
	i := 0
	for a[i] == b[i] {
		i++
	}
	if a[i+1:] == b[i+1:] {
		return true // one letter changed
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}

func lettersOnly(w string) bool {
	for i := range len(w) {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return w != ""
}

// Correct returns text with each misspelt English word replaced by the knowledge base's word one
// edit from it (see Spelling); text without such words is returned as it is.
func (ix *Index) Correct(text string) string {
	var b strings.Builder
	last, changed := 0, false
	for start, end := range asciiWords(text) {
		w := strings.ToLower(text[start:end])
		c, ok := shorthand[w]
		if ok {
			ok = !ix.knows(w)
		} else if len(w) >= minSpellLetters && !stopwords[w] && !isEnglish(w) {
			c, ok = ix.correction(w)
		}
		if ok {
			b.WriteString(text[last:start])
			b.WriteString(c)
			last, changed = end, true
		}
	}
	if !changed {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// shorthand is chat spelling customers use, and the words they mean; it is read so only when the
// knowledge base does not use the short form itself.
var shorthand = map[string]string{
	"u": "you", "ur": "your", "r": "are", "wat": "what", "wot": "what", "wen": "when", "hw": "how",
	"pls": "please", "plz": "please", "thx": "thanks", "abt": "about", "bc": "because", "cuz": "because",
	"acct": "account", "pw": "password", "pwd": "password", "addr": "address", "pmt": "payment",
	"pymt": "payment", "docs": "documents", "msg": "message", "tmrw": "tomorrow", "yr": "year",
}

// knows reports whether the index uses w (lower-case).
func (ix *Index) knows(w string) bool {
	s := ix.stems.stem(w)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.owners[s]
	return ok
}

// correction is the word to read for w (lower-case a–z), if w is misspelt.
func (ix *Index) correction(w string) (string, bool) {
	s := ix.stems.stem(w)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if _, known := ix.owners[s]; known {
		return "", false
	}
	sp := ix.spell.Load()
	if sp == nil {
		built := newSpelling(ix.items, ix.synonyms)
		ix.spell.CompareAndSwap(nil, &built)
		sp = &built
	}
	return sp.best(w)
}

// setOwners replaces the vocabulary (see vocabulary); the spelling follows on first use.
// The caller holds ix.mu for writing.
func (ix *Index) setOwners(owners map[string]string) {
	ix.owners = owners
	ix.spell.Store(nil)
}

// asciiWords yields the start and end of each run of ASCII letters in text that is not part of
// a longer run of letters or digits (a product code such as "ab12cd" is left alone).
func asciiWords(text string) func(yield func(int, int) bool) {
	return func(yield func(int, int) bool) {
		isLetter := func(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
		isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
		for i := 0; i < len(text); {
			if !isLetter(text[i]) {
				i++
				continue
			}
			j := i
			for j < len(text) && isLetter(text[j]) {
				j++
			}
			wordBefore := i > 0 && (isDigit(text[i-1]) || text[i-1] >= 0x80)
			wordAfter := j < len(text) && (isDigit(text[j]) || text[j] >= 0x80)
			if !wordBefore && !wordAfter && !yield(i, j) {
				return
			}
			i = j
		}
	}
}
