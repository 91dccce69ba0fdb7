package bot

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"tandem/retrieval"
)

// Bounds of an extractive answer.
const (
	// maxAnswerUnits is how many sentences or list items are chosen for their match with the
	// question (a list the answer keeps whole can add more).
	maxAnswerUnits = 4
	// maxAnswerRunes bounds an answer of prose.
	maxAnswerRunes = 600
	// maxListAnswerRunes bounds an answer that carries a whole list.
	maxListAnswerRunes = 1000
)

var (
	bulletItem   = regexp.MustCompile(`^\s*[-*+•]\s+(\S.*)$`)
	numberedItem = regexp.MustCompile(`^\s*(\d{1,3})(?:[.)]\s+|、\s*)(\S.*)$`)
	inlineMarkup = strings.NewReplacer("**", "", "__", "", "`", "")
)

// refersBack matches a sentence that leans on the one before it ("If you cancel within these 15
// days…", "This takes a day", "上述材料…").
var refersBack = regexp.MustCompile(`(?i)^(this|that|it|they|then|these|those|such)\b|\b(these|those|such|the above)\b|^(这|此|该|其)|这些|上述|以上`)

// withAntecedents keeps the sentence before each kept sentence that refers back to it, so that an
// answer never says "within these 15 days" without the days.
func withAntecedents(units []unit, keep map[int]bool) {
	for i := len(units) - 1; i > 0; i-- {
		u, prev := units[i], units[i-1]
		if keep[i] && !u.list && !prev.list && prev.block == u.block && refersBack.MatchString(u.text) {
			keep[i-1] = true
		}
	}
}

// unit is what an extractive answer is made of: one sentence of a paragraph, or one whole list
// item (never cut, whatever its sentences).
type unit struct {
	text   string
	block  int    // the paragraph or list it belongs to
	list   bool   // a list item
	marker string // "- " or "3. " for list items
}

// Extract answers from body with the sentences and list items that share most tokens with the
// question, in their original order, starting with the body's first sentence (articles lead
// with the answer). Lists stay lists: items are whole, one per line ("- item", "2. item"), and a
// list is given whole when its introduction ("Most claims need:") or several of its items are
// chosen, never its first item only. Sentences that instruct a model are left out.
func Extract(body, question string) string { return parseBody(body).extract(question) }

// parsed is what Extract reads of a body: its units and each unit's tokens.
type parsed struct {
	body   string
	units  []unit
	tokens [][]string
}

func parseBody(body string) *parsed {
	p := &parsed{body: body, units: parseUnits(body)}
	p.tokens = make([][]string, len(p.units))
	for i, u := range p.units {
		p.tokens[i] = retrieval.Tokens(u.text)
	}
	return p
}

// extract is Extract of p's body.
func (p *parsed) extract(question string) string {
	units := p.units
	if len(units) == 0 {
		return strings.TrimSpace(p.body)
	}
	q := map[string]bool{}
	for _, t := range retrieval.Tokens(question) {
		q[t] = true
	}
	score := make([]int, len(units))
	for i := range units {
		for _, t := range p.tokens[i] {
			if q[t] {
				score[i]++
			}
		}
	}
	keep := map[int]bool{0: true}
	for range maxAnswerUnits - 1 {
		bi := -1
		for i := range units {
			if !keep[i] && score[i] > 0 && (bi < 0 || score[i] > score[bi]) {
				bi = i
			}
		}
		if bi < 0 {
			break
		}
		keep[bi] = true
	}
	withAntecedents(units, keep)
	filled := map[int]bool{} // the article's start, when too little stood out
	for i := 1; len(keep) < 3 && i < len(units); i++ {
		keep[i], filled[i] = true, !keep[i]
	}
	whole := wholeLists(units, keep, filled)
	return render(units, keep, whole)
}

// wholeLists returns the lists (by block) to give whole: those whose introduction, a sentence
// ending in a colon just before the list, is kept, two or more of whose items are, or one of
// whose items is there only as part of the article's start.
func wholeLists(units []unit, keep, filled map[int]bool) map[int]bool {
	items := map[int]int{}
	whole := map[int]bool{}
	for i, u := range units {
		if !u.list {
			continue
		}
		if keep[i] {
			items[u.block]++
		}
		if filled[i] {
			whole[u.block] = true
		}
		if i > 0 && !units[i-1].list && keep[i-1] && introduces(units[i-1].text) {
			whole[u.block] = true
		}
	}
	for b, n := range items {
		if n >= 2 {
			whole[b] = true
		}
	}
	return whole
}

// introduces reports whether a sentence introduces what follows ("Most claims need:").
func introduces(s string) bool {
	return strings.HasSuffix(s, ":") || strings.HasSuffix(s, "：")
}

// render writes the kept units in order within the length bounds: a whole list goes in item by
// item while it fits, an introduction whose list did not fit is dropped, an item chosen alone
// from a list that is not given whole reads as a sentence, and nothing is cut.
func render(units []unit, keep, whole map[int]bool) string {
	limit := maxAnswerRunes
	if len(whole) > 0 {
		limit = maxListAnswerRunes
	}
	var chosen []unit
	size := 0
	for i, u := range units {
		if !keep[i] && !(u.list && whole[u.block]) {
			continue
		}
		if u.list && !whole[u.block] {
			u.list, u.marker = false, ""
		}
		n := utf8.RuneCountInString(u.text) + 3
		if size+n > limit {
			continue
		}
		chosen = append(chosen, u)
		size += n
	}
	var b strings.Builder
	for i, u := range chosen {
		if introduces(u.text) && !u.list && (i+1 == len(chosen) || !chosen[i+1].list) {
			continue // an introduction without its list
		}
		switch {
		case b.Len() == 0:
		case u.list || isListEnd(chosen, i):
			b.WriteByte('\n')
		case !retrieval.HasHan(u.text):
			b.WriteByte(' ')
		}
		if u.list {
			b.WriteString(u.marker)
		}
		b.WriteString(u.text)
	}
	return strings.TrimSpace(b.String())
}

// isListEnd reports whether chosen[i] is prose right after a list item.
func isListEnd(chosen []unit, i int) bool {
	return i > 0 && chosen[i-1].list && !chosen[i].list
}

// parseUnits splits Markdown into sentences and list items, dropping headings, blank lines,
// inline emphasis and sentences that instruct a model.
func parseUnits(body string) []unit {
	var out []unit
	block := 0
	inList := false
	var para []string
	flushPara := func() {
		if len(para) == 0 {
			return
		}
		for _, s := range retrieval.SplitProse(strings.Join(para, " ")) {
			if !retrieval.Instructs(s) {
				out = append(out, unit{text: s, block: block})
			}
		}
		para = nil
		block++
	}
	for _, line := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") {
			flushPara()
			if inList {
				block++
				inList = false
			}
			continue
		}
		marker, item := listItem(line)
		switch {
		case item != "":
			flushPara()
			if item = clean(item); item != "" && !retrieval.Instructs(item) {
				out = append(out, unit{text: item, block: block, list: true, marker: marker})
			}
			inList = true
		case trimmed == "":
			flushPara()
		case inList && line != trimmed && len(out) > 0 && out[len(out)-1].list:
			out[len(out)-1].text += " " + clean(trimmed) // an item's continuation line
		default:
			if inList {
				block++
				inList = false
			}
			para = append(para, clean(trimmed))
		}
	}
	flushPara()
	return out
}

// listItem returns a list line's marker ("- ", "2. ") and text, or "" when line is no list item.
func listItem(line string) (marker, text string) {
	if m := bulletItem.FindStringSubmatch(line); m != nil {
		return "- ", m[1]
	}
	if m := numberedItem.FindStringSubmatch(line); m != nil {
		n, _ := strconv.Atoi(m[1])
		return strconv.Itoa(n) + ". ", m[2]
	}
	return "", ""
}

func clean(s string) string { return strings.TrimSpace(inlineMarkup.Replace(s)) }

// maxParsed is how many bodies a parsedCache holds: more than a knowledge base has chunks that are
// answered from; when full (the knowledge changed much) it starts over.
const maxParsed = 4096

// parsedCache keeps parsed bodies by their text, so that a turn does not split and tokenize its
// article again: the text is the chunk's as stored, which changes with the knowledge. The zero
// value is empty and ready.
type parsedCache struct {
	mu sync.Mutex
	m  map[string]*parsed
}

// get returns body parsed, parsing it on first use.
func (c *parsedCache) get(body string) *parsed {
	c.mu.Lock()
	p := c.m[body]
	c.mu.Unlock()
	if p != nil {
		return p
	}
	p = parseBody(body)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxParsed {
		c.m = map[string]*parsed{}
	}
	c.m[body] = p
	return p
}
