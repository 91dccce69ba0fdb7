package bot

import (
	"strings"
	"unicode"
)

// humanPhrases are explicit requests for a person, in Chinese and English. A whole-message match
// or a contained phrase hands off at once.
var humanPhrases = []string{
	"人工", "转人工", "人工客服", "真人", "客服人员", "找客服", "接人工",
	"human", "agent", "real person", "talk to a person", "speak to a person", "talk to someone",
	"speak to someone", "customer service representative", "representative", "operator", "live chat",
}

// WantsHuman reports whether text asks for a person.
func WantsHuman(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	for _, p := range humanPhrases {
		if isLatin(p) {
			if containsWord(t, p) {
				return true
			}
		} else if strings.Contains(t, p) {
			return true
		}
	}
	return false
}

func isLatin(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII {
			return false
		}
	}
	return true
}

// containsWord reports whether phrase occurs in t at word boundaries.
func containsWord(t, phrase string) bool {
	for i := 0; ; {
		j := strings.Index(t[i:], phrase)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(phrase)
		if (j == 0 || !isWordByte(t[j-1])) && (end == len(t) || !isWordByte(t[end])) {
			return true
		}
		i = j + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}
