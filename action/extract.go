package action

import (
	"regexp"
	"strings"
	"unicode"
)

// Args finds the definition's parameters in the customer's messages, newest first (the message
// being answered is texts[0]): each parameter takes the first value its Extract (or Pattern)
// finds that also passes its rules.
func Args(d Definition, texts []string) map[string]string {
	args := map[string]string{}
	for _, p := range d.Params {
		expr := p.Extract
		if expr == "" {
			expr = p.Pattern
		}
		if expr == "" {
			continue
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			continue
		}
		for _, t := range texts {
			if v, ok := find(re, p, t); ok {
				args[p.Name] = v
				break
			}
		}
	}
	return args
}

// find returns the first value re finds in text that passes p's rules.
func find(re *regexp.Regexp, p Param, text string) (string, bool) {
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		v := m[0]
		if len(m) > 1 {
			v = m[1]
		}
		v = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(v), ".。!！"))
		if v != "" && checkValue(p, v) == nil {
			return v, true
		}
	}
	return "", false
}

// Answers to "shall I go ahead?".
var (
	yesWords = map[string]bool{"yes": true, "y": true, "yeah": true, "yep": true, "confirm": true, "ok": true, "okay": true, "sure": true,
		"go ahead": true, "yes please": true, "是": true, "是的": true, "确认": true, "对": true, "好": true, "好的": true, "可以": true}
	noWords = map[string]bool{"no": true, "n": true, "nope": true, "cancel": true, "stop": true, "don't": true,
		"不": true, "不是": true, "取消": true, "不要": true, "算了": true}
)

// Confirmation reads a reply to a confirmation question: yes, no, or neither (ok false).
func Confirmation(text string) (yes, ok bool) {
	t := strings.ToLower(strings.TrimFunc(text, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }))
	switch {
	case yesWords[t]:
		return true, true
	case noWords[t]:
		return false, true
	}
	return false, false
}

// lang guesses the customer's language: "zh" when the text has Chinese characters, else "en".
func lang(text string) string {
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			return "zh"
		}
	}
	return "en"
}

// replyLang is the language of the customer's newest message that has words in it (a bare claim
// number or "ok" says nothing about the language).
func replyLang(texts []string) string {
	for _, t := range texts {
		if hasWords(t) {
			return lang(t)
		}
	}
	return lang(texts[0])
}

// minWordLetters is the fewest letters in a row that count as a word.
const minWordLetters = 3

func hasWords(text string) bool {
	run := 0
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			return true
		case unicode.IsLetter(r):
			if run++; run >= minWordLetters {
				return true
			}
		default:
			run = 0
		}
	}
	return false
}
