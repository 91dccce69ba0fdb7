package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"tandem/chat"
)

// corpus is a generated knowledge base: half English, half Chinese chunks of Zipf-distributed
// words (each document is one chunk), and questions made from a perturbed window of a chunk.
type corpus struct {
	docs      []chat.Document
	questions []benchQuestion
}

type benchQuestion struct {
	text   string
	answer string // the document id it came from
}

// vocab is a Zipf-distributed vocabulary.
type vocab struct {
	words []string
	zipf  *rand.Zipf
}

func newVocab(rng *rand.Rand, words []string) *vocab {
	return &vocab{words: words, zipf: rand.NewZipf(rng, 1.1, 2, uint64(len(words)-1))}
}

func (v *vocab) word() string { return v.words[v.zipf.Uint64()] }

// englishWords makes n pronounceable pseudo-words from syllables.
func englishWords(rng *rand.Rand, n int) []string {
	on := []string{"b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br", "cl", "st", "tr", "pl"}
	nu := []string{"a", "e", "i", "o", "u", "ai", "ou", "ea"}
	co := []string{"", "n", "r", "s", "t", "m", "ck", "nd", "st"}
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		var b strings.Builder
		for range 1 + rng.IntN(3) {
			b.WriteString(on[rng.IntN(len(on))] + nu[rng.IntN(len(nu))] + co[rng.IntN(len(co))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// chineseWords makes n words of 1–3 characters from 3,500 common CJK code points.
func chineseWords(rng *rand.Rand, n int) []string {
	chars := newVocab(rng, func() []string {
		var cs []string
		for r := rune(0x4E00); len(cs) < 3500; r += 3 {
			cs = append(cs, string(r))
		}
		return cs
	}())
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		var b strings.Builder
		for range 1 + rng.IntN(3) {
			b.WriteString(chars.word())
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// newCorpus generates n chunks and q questions, deterministically from seed.
func newCorpus(n, q int, seed uint64) *corpus {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	en, zh := newVocab(rng, englishWords(rng, 30000)), newVocab(rng, chineseWords(rng, 30000))
	c := &corpus{}
	texts := make([][]string, n)
	for i := range n {
		v, sep, lang, size := en, " ", "en", 40+rng.IntN(80) // ≤ 1,200 runes: one chunk
		if i%2 == 1 {
			v, sep, lang, size = zh, "", "zh", 80+rng.IntN(200)
		}
		words := make([]string, size)
		for j := range words {
			words[j] = v.word()
		}
		title := strings.Join(words[:3+rng.IntN(4)], sep)
		texts[i] = words
		c.docs = append(c.docs, chat.Document{ID: fmt.Sprintf("g%06d", i), Collection: "bench", Title: title, Lang: lang,
			URL: fmt.Sprintf("/kb/g%06d", i), Body: strings.Join(words, sep), Hash: fmt.Sprint(i), UpdatedAt: time.Unix(0, 0).UTC()})
	}
	for range q {
		i := rng.IntN(n)
		words, sep := texts[i], " "
		if i%2 == 1 {
			sep = ""
		}
		start := rng.IntN(len(words) - 12)
		window := append([]string(nil), words[start:start+6+rng.IntN(6)]...)
		window[rng.IntN(len(window))] = c.noise(rng, en, zh, i) // one word replaced by an unrelated one
		c.questions = append(c.questions, benchQuestion{text: strings.Join(window, sep), answer: c.docs[i].ID})
	}
	return c
}

func (c *corpus) noise(rng *rand.Rand, en, zh *vocab, i int) string {
	if i%2 == 1 {
		return zh.word()
	}
	return en.word()
}
