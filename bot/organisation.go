package bot

import (
	"regexp"
	"strings"
)

// otherOrgCeiling bounds P(right) when the question names an organisation the knowledge base never
// mentions ("平安保险的客服电话是多少", "中国人寿", "my aviva insurance company"): the question is
// about them, and an answer about us — the right words, the wrong company — would mislead.
const otherOrgCeiling = 0.3

// orgNames finds the names a question gives organisations: the two Chinese characters before a word
// for a kind of organisation (保险, 人寿, 集团, …), or the English word before one ("insurer",
// "airlines", …). Banks are left out on purpose: customers name their own bank when they pay us
// ("工商银行卡扣款失败"), and a bank's name is no sign of a question about someone else.
func orgNames(text string) []string {
	var out []string
	for _, m := range hanOrg.FindAllStringSubmatch(text, -1) {
		name := []rune(m[1])
		if len(name) >= 2 {
			if n := string(name[len(name)-2:]); !strings.ContainsAny(n, hanNotName) {
				out = append(out, n)
			}
		}
	}
	for _, m := range latinOrg.FindAllStringSubmatch(strings.ToLower(text), -1) {
		if !notName[m[1]] {
			out = append(out, m[1])
		}
	}
	return out
}

var (
	// hanOrg is a run of Chinese characters ending in a word for a kind of organisation.
	hanOrg = regexp.MustCompile(`(\p{Han}+?)(?:保险公司|保险|人寿|财险|集团|航空|快递|证券)`)
	// latinOrg is a word before a word for a kind of organisation.
	latinOrg = regexp.MustCompile(`\b([a-z0-9&]+) (?:insurance company|insurance group|insurer|airlines|airways|telecom)\b`)
)

// hanNotName are characters that make the two before an organisation word a phrase about it
// ("这个保险", "买份保险", "你们的保险") rather than its name.
const hanNotName = "的了么个份家种类这那些其别我你他她们啥哪在和跟有是一几每该此各某想要给帮让买卖办交退续上把被向及对与或"

// notName are English words that stand before an organisation word without naming one.
var notName = map[string]bool{"the": true, "an": true, "a": true, "my": true, "your": true, "our": true, "other": true, "another": true,
	"which": true, "what": true, "new": true, "old": true, "previous": true, "current": true, "different": true, "this": true, "that": true}

// namesOther reports whether text names an organisation none of whose words the knowledge base uses.
func (b *Bot) namesOther(text string) bool {
	for _, n := range orgNames(text) {
		if _, words := b.Knowledge.Unseen(n, ""); words > 0 {
			return true
		}
	}
	return false
}
