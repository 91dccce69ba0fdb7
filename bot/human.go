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

// aboutPeople are words that make a mention of people a question about them — when they work,
// whether they are there at weekends, how long one takes to reach, a complaint about one — rather
// than a request for one now; the knowledge base answers such a question ("what time can I talk
// to a real person?", "人工几点上班").
var aboutPeople = []string{
	"几点", "什么时候", "时间", "周末", "周六", "周日", "节假日", "假期", "放假", "春节", "国庆", "期间", "上班", "下班", "以后", "投诉",
	"晚上", "早上", "凌晨", "中午", "夜里", "半夜", "24小时", "多久", "多长时间", "几分钟",
	"what time", "when", "hours", "weekend", "weekends", "saturday", "saturdays", "sunday", "sundays", "holiday", "holidays",
	"open", "close", "closed", "complain", "complaint", "rude", "tonight", "evening", "overnight", "at night", "24/7",
	"how long", "how many minutes",
}

// WantsHuman reports whether text asks for a person, and not about them.
func WantsHuman(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	return mentions(t, humanPhrases) && !mentions(t, aboutPeople)
}

// mentions reports whether t (lower-cased) holds one of phrases: Latin ones as whole words.
func mentions(t string, phrases []string) bool {
	for _, p := range phrases {
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
