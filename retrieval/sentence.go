package retrieval

import (
	"regexp"
	"strings"
)

// instruction matches sentences an article should never say to a customer, which a poisoned
// article or message uses to steer a model: instructions to a model (ignore the rules, notes to
// the assistant, text to repeat in quotes, what to tell customers), fake role markers and script
// links.
var instruction = regexp.MustCompile(`(?i)` + strings.Join([]string{
	`ignore (all |any )?(the )?(previous|prior|above|earlier) (instructions|rules)`, `new instructions`,
	`^\s*\[?(system|assistant|developer)\]?\s*[:：]`, `<\|im_(start|end)\|>`, `\]\(\s*(javascript|data|vbscript):`,
	`\b(assistant|chatbot|the bot|ai model|language model)\s*[:：]`, `\bnote to the (assistant|bot|ai|model)\b`,
	`\btell (the|every|all|each|any) (customers?|users?|callers?)\b`,
	`\b(reply|respond|answer) with\s*:?\s*["“]`, `(^|[:;]\s*|\b(please|always|just|must|should|you|then) )(say|output)\s*:?\s*["“]`,
	`\bwhen (a|the|any) (customer|user)s? asks?\b[^.]*\b(say|tell|reply|respond|answer)\b`,
	`忽略(之前|以上|前面)`, `新的指令`, `^\s*\[?系统\]?\s*[:：]`, `(助手|机器人)(请注意)?\s*[:：]`,
	`(告诉|告知)(所有|每位|每个|该)?(客户|用户|顾客)`, `((请|就|要|必须)(回复|回答|说|输出)|(回复|回答|输出)\s*[:：])\s*[“"「]`,
	`(当|如果)(客户|用户)(问|询问)`,
}, "|"))

// instructionHints are words one of which every instruction pattern contains: most sentences have
// none, and skip the (slow, many-branched) pattern.
var instructionHints = []string{"ignore", "instruction", "system", "assistant", "developer", "im_", "](", "bot", "model",
	"note to", "tell", "reply", "respond", "answer", "say", "output",
	"忽略", "指令", "系统", "助手", "机器人", "告诉", "告知", "回复", "回答", "说", "输出", "问"}

// Instructs reports whether a sentence instructs a model rather than informs a customer.
func Instructs(sentence string) bool {
	lower := strings.ToLower(sentence)
	for _, h := range instructionHints {
		if strings.Contains(lower, h) {
			return instruction.MatchString(sentence)
		}
	}
	return false
}

// listMarker is a list item's marker at the start of a line.
var listMarker = regexp.MustCompile(`^(?:[-*+•]\s+|\d{1,3}[.)]\s+|\d{1,3}、\s*)`)

// Sentences splits Markdown body text into plain sentences, dropping headings and list markers.
func Sentences(body string) []string {
	var out []string
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = listMarker.ReplaceAllString(line, "") // "- ", "* ", "2. ": not "30 days" of "2. **30 days**"
		line = strings.NewReplacer("**", "", "`", "").Replace(line)
		out = append(out, SplitProse(line)...)
	}
	return out
}

// SplitProse cuts prose after sentence-ending punctuation (Latin and Chinese); a period ends a
// sentence only at the end or before a space, so "1.5" and "www.example.com" stay whole.
func SplitProse(text string) []string {
	var out []string
	runes := []rune(text)
	start := 0
	for i, r := range runes {
		if strings.ContainsRune("。！？!?", r) || (r == '.' && (i+1 == len(runes) || runes[i+1] == ' ')) {
			if s := strings.TrimSpace(string(runes[start : i+1])); s != "" {
				out = append(out, s)
			}
			start = i + 1
		}
	}
	if s := strings.TrimSpace(string(runes[start:])); s != "" {
		out = append(out, s)
	}
	return out
}
