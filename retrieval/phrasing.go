package retrieval

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"tandem/chat"
)

// Limits of similar questions (phrasings): how long one may be and how many a document carries.
const (
	MaxPhrasingRunes = 200
	MaxPhrasings     = 200
)

// CleanPhrasings validates a document's phrasings and returns them trimmed, in order. An empty,
// oversized or duplicate phrasing (the same words, ignoring case, spacing and punctuation, as
// another one or as the title) is an error naming it; nothing is returned then.
func CleanPhrasings(title string, qs []string) ([]string, error) {
	if len(qs) > MaxPhrasings {
		return nil, chat.Errorf(chat.EINVALID, "%d phrasings; the limit is %d", len(qs), MaxPhrasings)
	}
	seen := map[string]int{}
	if title != "" {
		seen[phrasingKey(title)] = -1
	}
	out := make([]string, 0, len(qs))
	for i, q := range qs {
		q = strings.TrimSpace(q)
		switch n := utf8.RuneCountInString(q); {
		case q == "" || phrasingKey(q) == "":
			return nil, chat.Errorf(chat.EINVALID, "phrasing %d is empty", i+1)
		case n > MaxPhrasingRunes:
			return nil, chat.Errorf(chat.EINVALID, "phrasing %d (%q…) has %d characters; the limit is %d", i+1, string([]rune(q)[:20]), n, MaxPhrasingRunes)
		}
		k := phrasingKey(q)
		if j, dup := seen[k]; dup {
			if j < 0 {
				return nil, chat.Errorf(chat.EINVALID, "phrasing %d %q repeats the title", i+1, q)
			}
			return nil, chat.Errorf(chat.EINVALID, "phrasing %d %q repeats phrasing %d %q", i+1, q, j+1, out[j])
		}
		seen[k] = len(out)
		out = append(out, q)
	}
	return out, nil
}

// phrasingKey is what two phrasings must share to count as the same: their lower-cased letters,
// digits and Chinese characters.
func phrasingKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(foldWidth(s)) {
		if isWordRune(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// WithPhrasings returns d with its phrasings replaced (validated) and its hash recomputed. For an
// FAQ entry the title stays the first question.
func WithPhrasings(d chat.Document, qs []string) (chat.Document, error) {
	clean, err := CleanPhrasings(d.Title, qs)
	if err != nil {
		return d, err
	}
	if d.Kind == "faq" {
		clean = append([]string{d.Title}, clean...)
	}
	d.Questions = clean
	if len(d.Questions) == 0 {
		d.Questions = nil
	}
	return finish(d), nil
}

// Phrasings returns a document's alternative phrasings without its title (an FAQ entry stores its
// title as the first question).
func Phrasings(d chat.Document) []string {
	var out []string
	for i, q := range d.Questions {
		if i == 0 && q == d.Title {
			continue
		}
		out = append(out, q)
	}
	return out
}

// frontMatterList reads a front-matter list value: the inline part after "key:" (items separated
// by |, or a [a, b] list) and the "- item" lines that follow; it returns the items and how many
// of the following lines it used.
func frontMatterList(inline string, next []string) ([]string, int) {
	var out []string
	inline = strings.TrimSpace(inline)
	if strings.HasPrefix(inline, "[") && strings.HasSuffix(inline, "]") {
		for _, p := range strings.Split(inline[1:len(inline)-1], ",") {
			out = append(out, unquote(p))
		}
	} else if inline != "" {
		for _, p := range strings.Split(inline, "|") {
			out = append(out, unquote(p))
		}
	}
	used := 0
	for _, l := range next {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "- ") && t != "-" {
			break
		}
		out = append(out, unquote(strings.TrimPrefix(t, "-")))
		used++
	}
	return out, used
}

// unquote trims a YAML-style scalar and drops matching surrounding quotes.
func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		s = s[1 : len(s)-1]
	}
	return s
}

// errPhrasings wraps a phrasing error with the file name.
func errPhrasings(name string, err error) error {
	if ce, ok := err.(*chat.Error); ok {
		return fmt.Errorf("%s: %s", name, ce.Message)
	}
	return fmt.Errorf("%s: %v", name, err)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// Limits of synonym groups.
const (
	MaxSynonymWords  = 50   // words in one group
	MaxSynonymRunes  = 50   // characters in one word
	MaxSynonymGroups = 2000 // groups in one language
)

// CleanSynonyms validates one language's synonym groups and returns them trimmed. A group with fewer
// than two different words, an empty or oversized word, or a word in two groups is an error naming
// it; nothing is returned then.
func CleanSynonyms(lang string, groups [][]string) ([]chat.SynonymGroup, error) {
	if !validLang(lang) {
		return nil, chat.Errorf(chat.EINVALID, "language %q is not a language code such as en or zh", lang)
	}
	if len(groups) > MaxSynonymGroups {
		return nil, chat.Errorf(chat.EINVALID, "%d synonym groups for %s; the limit is %d", len(groups), lang, MaxSynonymGroups)
	}
	where := map[string]int{}
	out := make([]chat.SynonymGroup, 0, len(groups))
	for i, g := range groups {
		if len(g) > MaxSynonymWords {
			return nil, chat.Errorf(chat.EINVALID, "synonym group %d has %d words; the limit is %d", i+1, len(g), MaxSynonymWords)
		}
		var words []string
		seen := map[string]bool{}
		for _, w := range g {
			w = strings.ToLower(strings.Join(strings.Fields(w), " "))
			switch {
			case w == "":
				return nil, chat.Errorf(chat.EINVALID, "synonym group %d has an empty word", i+1)
			case utf8.RuneCountInString(w) > MaxSynonymRunes:
				return nil, chat.Errorf(chat.EINVALID, "synonym group %d: %q has more than %d characters", i+1, w, MaxSynonymRunes)
			case seen[w]:
				continue
			}
			if j, ok := where[w]; ok {
				return nil, chat.Errorf(chat.EINVALID, "%q is in synonym group %d and in group %d", w, j+1, i+1)
			}
			seen[w] = true
			where[w] = i
			words = append(words, w)
		}
		if len(words) < 2 {
			return nil, chat.Errorf(chat.EINVALID, "synonym group %d (%s) has only one word; a group needs at least two", i+1, strings.Join(words, ""))
		}
		out = append(out, chat.SynonymGroup{Lang: lang, Words: words})
	}
	return out, nil
}

// validLang accepts language codes such as en, zh, pt-BR.
func validLang(lang string) bool {
	if n := len(lang); n < 2 || n > 12 {
		return false
	}
	for _, r := range lang {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			return false
		}
	}
	return true
}

// ParseSynonyms reads synonym groups as JSONL, one {"lang","words":[…]} per line, and returns them
// validated per language (in the order languages first appear). A bad line is an error naming it.
func ParseSynonyms(data []byte) (map[string][]chat.SynonymGroup, []string, error) {
	byLang := map[string][][]string{}
	var langs []string
	for i, line := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var g chat.SynonymGroup
		if err := json.Unmarshal([]byte(line), &g); err != nil {
			return nil, nil, chat.Errorf(chat.EINVALID, "line %d: %v", i+1, err)
		}
		if !validLang(g.Lang) {
			return nil, nil, chat.Errorf(chat.EINVALID, "line %d: lang %q is not a language code such as en or zh", i+1, g.Lang)
		}
		if _, ok := byLang[g.Lang]; !ok {
			langs = append(langs, g.Lang)
		}
		byLang[g.Lang] = append(byLang[g.Lang], g.Words)
	}
	if len(langs) == 0 {
		return nil, nil, chat.Errorf(chat.EINVALID, "no synonym groups: want one {\"lang\",\"words\":[…]} per line")
	}
	out := map[string][]chat.SynonymGroup{}
	for _, l := range langs {
		gs, err := CleanSynonyms(l, byLang[l])
		if err != nil {
			return nil, nil, chat.Errorf(chat.EINVALID, "%s: %s", l, err.(*chat.Error).Message)
		}
		out[l] = gs
	}
	return out, langs, nil
}
