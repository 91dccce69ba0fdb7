package llm

import (
	"unicode/utf8"

	"tandem/retrieval"
)

// minSupport is the share of an answer sentence's words (Chinese: character pairs) that its cited
// sources must contain.
const minSupport = 0.5

// ungrounded reports whether some sentence of an answer is not drawn from its cited sources: it
// instructs, or most of its words are in no cited sentence that informs (sentences that instruct
// a model do not count). A model that obeys an instruction planted in an article or a message
// writes what it was told and may still cite a source; this catches the promise, the approval or
// the figure it was told to say, which no honest source sentence supports. supported reports
// whether a word is in a cited source's informing sentences.
func ungrounded(answer string, supported func(token string) bool) bool {
	for _, s := range retrieval.Sentences(answer) {
		if retrieval.Instructs(s) {
			return true
		}
		toks := supportTokens(s)
		if len(toks) < 3 {
			continue
		}
		hit := 0
		for _, t := range toks {
			if supported(t) {
				hit++
			}
		}
		if float64(hit) < minSupport*float64(len(toks)) {
			return true
		}
	}
	return false
}

// informing is the set of words of a source's sentences that inform rather than instruct.
func informing(source string) map[string]bool {
	words := map[string]bool{}
	for _, s := range retrieval.Sentences(source) {
		if !retrieval.Instructs(s) {
			for _, t := range supportTokens(s) {
				words[t] = true
			}
		}
	}
	return words
}

// supportTokens are a sentence's distinct search tokens without single Chinese characters, which
// almost any Chinese text shares.
func supportTokens(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range retrieval.Tokens(s) {
		if seen[t] || (utf8.RuneCountInString(t) == 1 && t[0] >= utf8.RuneSelf) {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}
