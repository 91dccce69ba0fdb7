package retrieval

import (
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"

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
	// hans is the Chinese words of two characters by their pinyin with tones ("li3 pei2": 理赔),
	// with how often each occurs: the Chinese input method turns a customer's pinyin into the
	// wrong characters of the same sound (理陪, 头诉, 续宝).
	hans    map[string][]string
	hanFreq map[string]int
}

// newSpelling reads the words of the chunks, their titles, headings and similar questions, and
// the synonyms: a–z only, one letter shorter than minSpellLetters at least (a five-letter typo
// may add a letter to a four-letter word).
func newSpelling(items []item, synonyms []chat.SynonymGroup) spelling {
	sp := spelling{freq: map[string]int{}, dels: map[string][]string{}, hans: map[string][]string{}, hanFreq: map[string]int{}}
	add := func(text string) {
		for start, end := range asciiWords(text) {
			if w := strings.ToLower(text[start:end]); len(w) >= minSpellLetters-1 && !stopwords[w] {
				sp.freq[w]++
			}
		}
		var prev rune
		for _, r := range text {
			if !unicode.Is(unicode.Han, r) {
				prev = 0
				continue
			}
			if prev != 0 {
				sp.hanFreq[string([]rune{prev, r})]++
			}
			prev = r
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
	for w := range sp.hanFreq {
		rs := []rune(w)
		if k, ok := soundOf(rs[0], rs[1]); ok {
			sp.hans[k] = append(sp.hans[k], w)
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

// knownPair reports whether the characters rs[i] and rs[i+1] are Chinese and a word the
// knowledge base uses; the caller holds ix.mu for reading.
func (ix *Index) knownPair(rs []rune, i int) bool {
	if i < 0 || i+1 >= len(rs) || !unicode.Is(unicode.Han, rs[i]) || !unicode.Is(unicode.Han, rs[i+1]) {
		return false
	}
	_, ok := ix.owners[string(rs[i:i+2])]
	return ok
}

// hanFunction are characters that mostly make grammar, not topic (的, 了, 吗, 怎, 要…): a pair
// with one of them is likely two words side by side, not a mistyped word, and is left alone, as
// is a pair of the knowledge base with one of them.
var hanFunction = func() map[rune]bool {
	m := map[rune]bool{}
	for _, r := range "的了是不要有在我你他她它们吗呢吧啊呀哈么怎什这那哪就也都还会能可以为和与及或对多少几个把被让给从到向去来上下里说想一二三两" {
		m[r] = true
	}
	return m
}()

// soundOf is the pinyin with tones of two characters, as a key of spelling.hans.
func soundOf(a, b rune) (string, bool) {
	args := pinyin.NewArgs()
	args.Style = pinyin.Tone3
	pa, pb := pinyin.SinglePinyin(a, args), pinyin.SinglePinyin(b, args)
	if len(pa) == 0 || len(pb) == 0 {
		return "", false
	}
	return pa[0] + " " + pb[0], true
}

// hanBest is the knowledge base's two-character word that sounds like a and b and keeps one of
// them in its place (理陪 → 理赔), the most frequent if several.
func (sp spelling) hanBest(a, b rune) ([]rune, bool) {
	k, ok := soundOf(a, b)
	if !ok {
		return nil, false
	}
	best, n := "", 0
	for _, c := range sp.hans[k] {
		rs := []rune(c)
		if hanFunction[rs[0]] || hanFunction[rs[1]] {
			continue
		}
		if f := sp.hanFreq[c]; (rs[0] == a) != (rs[1] == b) && (f > n || f == n && c < best) {
			best, n = c, f
		}
	}
	return []rune(best), best != ""
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

// Correct returns text as the bot reads it: each misspelt English word replaced by the knowledge
// base's word one edit from it (see Spelling), chat shorthand by the words it stands for, and
// Chinese characters mistyped by sound by the pair the knowledge base uses (see correctHan); text
// without any of these is returned as it is.
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
	if changed {
		b.WriteString(text[last:])
		text = b.String()
	}
	return ix.correctHan(text)
}

// correctHan replaces each pair of Chinese characters the knowledge base never uses together by
// the pair it does use that sounds the same and keeps one of the two (see spelling.hans).
func (ix *Index) correctHan(text string) string {
	if !HasHan(text) {
		return text
	}
	rs := []rune(text)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	changed := false
	for i := 0; i+1 < len(rs); i++ {
		if !unicode.Is(unicode.Han, rs[i]) || !unicode.Is(unicode.Han, rs[i+1]) {
			continue
		}
		if ix.knownPair(rs, i) || hanFunction[rs[i]] || hanFunction[rs[i+1]] {
			continue
		}
		c, ok := ix.spellingLocked().hanBest(rs[i], rs[i+1])
		if !ok {
			continue
		}
		// The character that would change must not make a word with its other neighbour (忘记续保
		// is not 忘继续保: 忘记 is a word of the knowledge base).
		other := i - 1 // the pair of the first character and the one before it
		if c[0] == rs[i] {
			other = i + 1 // the pair of the second character and the one after it
		}
		if ix.knownPair(rs, other) {
			continue
		}
		rs[i], rs[i+1] = c[0], c[1]
		changed = true
		i++
	}
	if !changed {
		return text
	}
	return string(rs)
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
	if ix.knows(w) {
		return "", false
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.spellingLocked().best(w)
}

// spellingLocked is the spelling, built on first use after the vocabulary changed; the caller
// holds ix.mu for reading.
func (ix *Index) spellingLocked() *spelling {
	if sp := ix.spell.Load(); sp != nil {
		return sp
	}
	built := newSpelling(ix.items, ix.synonyms)
	ix.spell.CompareAndSwap(nil, &built)
	return ix.spell.Load()
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
