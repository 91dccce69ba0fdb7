package bot

import (
	"strings"

	"tandem/chat"
	"tandem/retrieval"
)

// frustrationPhrases signal an unhappy customer, in Chinese and English.
var frustrationPhrases = []string{
	"没用", "垃圾", "废物", "听不懂", "答非所问", "不是这个", "气死", "有病", "智障", "什么鬼",
	"useless", "stupid", "not helpful", "doesn't help", "does not help", "not what i asked", "ridiculous",
	"terrible", "waste of time", "you don't understand", "makes no sense", "wtf",
}

// Frustrated reports whether text sounds frustrated: a frustration phrase, or shouting (three or
// more exclamation marks, or a long all-capitals message).
func Frustrated(text string) bool {
	t := strings.ToLower(text)
	for _, p := range frustrationPhrases {
		if isLatin(p) && containsWord(t, p) || !isLatin(p) && strings.Contains(t, p) {
			return true
		}
	}
	if strings.Count(text, "!")+strings.Count(text, "！") >= 3 {
		return true
	}
	letters, upper := 0, 0
	for _, r := range text {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			letters++
			if r <= 'Z' {
				upper++
			}
		}
	}
	return letters >= 12 && upper*10 >= letters*9
}

// customerTexts returns the customer's earlier messages, oldest first, without the current one
// (the last message of history when it is the customer's text).
func customerTexts(history []chat.Message, current string) []string {
	var out []string
	for _, m := range history {
		if m.Author == chat.AuthorCustomer {
			out = append(out, m.Text)
		}
	}
	if n := len(out); n > 0 && out[n-1] == current {
		out = out[:n-1]
	}
	return out
}

// offered reports whether the bot already offered a person in this conversation.
func offered(history []chat.Message) bool {
	for _, m := range history {
		if m.Author == chat.AuthorBot && (m.Reason == "frustration" || m.Reason == "loop") {
			return true
		}
	}
	return false
}

// looping reports whether the customer has asked much the same thing three times in a row:
// the bot's answers are not helping.
func looping(earlier []string, current string) bool {
	if len(earlier) < 2 {
		return false
	}
	a, b := earlier[len(earlier)-2], earlier[len(earlier)-1]
	return similar(a, current) && similar(b, current)
}

// similar compares two texts by the overlap (Jaccard) of their search tokens.
func similar(a, b string) bool {
	ta, tb := set(retrieval.Tokens(a)), set(retrieval.Tokens(b))
	if len(ta) == 0 || len(tb) == 0 {
		return false
	}
	inter := 0
	for t := range ta {
		if tb[t] {
			inter++
		}
	}
	return float64(inter)/float64(len(ta)+len(tb)-inter) >= 0.5
}

func set(ts []string) map[string]bool {
	m := make(map[string]bool, len(ts))
	for _, t := range ts {
		m[t] = true
	}
	return m
}

// followUpWords start questions that lean on the previous one.
var followUpWords = []string{"and", "what about", "how about", "also", "what if", "then", "那", "那么", "还有", "如果", "另外", "那如果"}

// followUp reports whether text reads as a follow-up to an earlier question: it starts with a
// follow-up word, or it is very short (at most three search tokens, or six Chinese characters).
func followUp(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	for _, w := range followUpWords {
		if strings.HasPrefix(t, w+" ") || !isLatin(w) && strings.HasPrefix(t, w) {
			return true
		}
	}
	if retrieval.HasHan(t) {
		return len([]rune(t)) <= 6
	}
	return len(retrieval.Tokens(t)) <= 3
}
