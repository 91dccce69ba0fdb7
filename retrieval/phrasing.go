package retrieval

import (
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
