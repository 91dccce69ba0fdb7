package handoff

import "unicode/utf8"

// MaxEditRunes caps each input of EditDistance, in runes: longer text is cut to this length,
// bounding the quadratic work at 10⁸ steps (about half a second). Agent replies are far shorter.
const MaxEditRunes = 10000

// EditDistance returns the Levenshtein distance between a and b counted in runes, so a Chinese
// character is one edit, not three bytes: how far an agent changed the bot's draft before
// sending it. Inputs beyond MaxEditRunes runes are truncated. Memory is proportional to the
// shorter input: only it is decoded into runes, and one row of distances is kept.
func EditDistance(a, b string) int {
	a, b = trimCommon(a[:prefixBytes(a, MaxEditRunes)], b[:prefixBytes(b, MaxEditRunes)])
	if utf8.RuneCountInString(a) < utf8.RuneCountInString(b) {
		a, b = b, a
	}
	short := []rune(b)
	row := make([]int, len(short)+1) // row[j]: distance between the runes of a so far and short[:j]
	for j := range row {
		row[j] = j
	}
	i := 0
	for _, ca := range a {
		diag := row[0] // the previous row's value at j, before it is overwritten
		i++
		row[0] = i
		for j, cb := range short {
			cost := 1
			if ca == cb {
				cost = 0
			}
			next := min(row[j+1]+1, row[j]+1, diag+cost)
			diag, row[j+1] = row[j+1], next
		}
	}
	return row[len(short)]
}

// prefixBytes returns the length in bytes of s's first n runes.
func prefixBytes(s string, n int) int {
	i := 0
	for k := range s {
		if i == n {
			return k
		}
		i++
	}
	return len(s)
}

// trimCommon drops the runes a and b share at the start and end, which never change their
// distance, so a lightly edited draft costs little. The end is trimmed only for valid UTF-8,
// where decoding backwards agrees with decoding forwards.
func trimCommon(a, b string) (string, string) {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			break
		}
		a, b = a[na:], b[nb:]
	}
	if !utf8.ValidString(a) || !utf8.ValidString(b) {
		return a, b
	}
	for a != "" && b != "" {
		ra, na := utf8.DecodeLastRuneInString(a)
		rb, nb := utf8.DecodeLastRuneInString(b)
		if ra != rb {
			break
		}
		a, b = a[:len(a)-na], b[:len(b)-nb]
	}
	return a, b
}
