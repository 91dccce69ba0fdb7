// Package intent classifies customer messages into trainer-defined intents, offline: hashed
// word and character n-grams, multinomial logistic regression trained in Go, and a confidence
// calibrated by temperature scaling.
package intent

import (
	"hash/fnv"
	"math"
	"strings"
	"unicode"

	"tandem/retrieval"
)

// Feature space settings.
const (
	// hashBits sets the feature space to 2^hashBits buckets; collisions are rare at this size for
	// the few thousand distinct n-grams of an intent set.
	hashBits = 16
	dims     = 1 << hashBits
	// charGramMin/Max are the character n-gram lengths taken inside word boundaries.
	charGramMin = 3
	charGramMax = 5
)

// feature is one hashed feature with its value.
type feature struct {
	idx uint32
	val float32
}

// features turns text into an L2-normalised sparse vector of word unigrams and bigrams (stemmed,
// Chinese bigrams as the tokenizer makes them) and character n-grams of each word.
func features(text string) []feature {
	counts := map[uint32]float32{}
	add := func(kind byte, s string) {
		h := fnv.New32a()
		h.Write([]byte{kind})
		h.Write([]byte(s))
		counts[h.Sum32()&(dims-1)]++
	}
	toks := retrieval.Tokens(text)
	for i, t := range toks {
		add('w', t)
		if i > 0 {
			add('b', toks[i-1]+" "+t)
		}
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		r := []rune("^" + w + "$")
		for n := charGramMin; n <= charGramMax; n++ {
			for i := 0; i+n <= len(r); i++ {
				add('c', string(r[i:i+n]))
			}
		}
	}
	out := make([]feature, 0, len(counts))
	norm := 0.0
	for idx, c := range counts {
		v := float32(math.Log1p(float64(c))) // sublinear term frequency
		out = append(out, feature{idx, v})
		norm += float64(v * v)
	}
	if norm > 0 {
		inv := float32(1 / math.Sqrt(norm))
		for i := range out {
			out[i].val *= inv
		}
	}
	return out
}
