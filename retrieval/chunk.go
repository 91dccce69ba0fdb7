package retrieval

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"tandem/chat"
)

// ChunkOptions size chunks in runes (a Chinese character or a Latin letter each count one).
type ChunkOptions struct {
	MaxRunes int // a chunk grows to at most this; a longer section is split at paragraph and sentence ends
	Overlap  int // runes of the previous piece's end repeated at the start of the next, sentence-aligned
}

// DefaultChunkOptions keep a typical FAQ article or cmrc passage in one chunk.
var DefaultChunkOptions = ChunkOptions{MaxRunes: 1200, Overlap: 150}

// Chunks splits a document into chunks along its Markdown headings: small neighbouring sections
// are merged, long ones split with overlap. An FAQ entry is a single chunk: its answer.
func Chunks(d chat.Document, o ChunkOptions) []chat.Chunk {
	if o.MaxRunes <= 0 {
		o = DefaultChunkOptions
	}
	var pieces []section
	if d.Kind == "faq" {
		pieces = []section{{text: strings.TrimSpace(d.Body)}}
	} else {
		pieces = pack(sections(d.Body), o)
	}
	out := make([]chat.Chunk, 0, len(pieces))
	for _, p := range pieces {
		if strings.TrimSpace(p.text) == "" {
			continue
		}
		c := chat.Chunk{ID: fmt.Sprintf("%s#%d", d.ID, len(out)), DocID: d.ID, Ord: len(out), Heading: p.heading, Text: p.text}
		c.Lang = detectLang(p.heading+" "+p.text, d.Lang)
		sum := sha256.Sum256([]byte(c.Heading + "\x00" + c.Lang + "\x00" + c.Text))
		c.Hash = hex.EncodeToString(sum[:])
		out = append(out, c)
	}
	return out
}

// section is a heading and the text under it.
type section struct {
	heading string
	text    string
}

// sections cuts Markdown at ATX headings (# …). Text before the first heading has no heading.
func sections(body string) []section {
	var out []section
	cur := section{}
	var b strings.Builder
	flush := func() {
		cur.text = strings.TrimSpace(b.String())
		if cur.text != "" || cur.heading != "" {
			out = append(out, cur)
		}
		b.Reset()
	}
	for _, line := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		if h, ok := heading(line); ok {
			flush()
			cur = section{heading: h}
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	flush()
	return out
}

// heading reports whether line is a Markdown ATX heading and returns its text.
func heading(line string) (string, bool) {
	t := strings.TrimLeft(line, "#")
	n := len(line) - len(t)
	if n == 0 || n > 6 || (t != "" && t[0] != ' ') {
		return "", false
	}
	return strings.TrimSpace(strings.TrimRight(strings.TrimSpace(t), "#")), true
}

// pack merges neighbouring small sections and splits long ones so each piece fits o.MaxRunes.
func pack(secs []section, o ChunkOptions) []section {
	var out []section
	for _, s := range secs {
		text := s.text
		if s.heading != "" && len(out) > 0 {
			text = "## " + s.heading + "\n" + text // a merged section keeps its heading as a heading line
		}
		if n := len(out); n > 0 && runes(out[n-1].text)+1+runes(text) <= o.MaxRunes {
			out[n-1].text += "\n\n" + text
			continue
		}
		for _, part := range split(s.text, o) {
			out = append(out, section{heading: s.heading, text: part})
		}
	}
	return out
}

// split cuts text longer than o.MaxRunes at sentence ends, repeating about o.Overlap runes.
func split(text string, o ChunkOptions) []string {
	if runes(text) <= o.MaxRunes {
		return []string{text}
	}
	var out []string
	var cur []string
	size := 0
	for _, s := range sentences(text) {
		n := runes(s)
		if size+n > o.MaxRunes && size > 0 {
			out = append(out, strings.TrimSpace(strings.Join(cur, "")))
			cur, size = tail(cur, o.Overlap), 0
			for _, c := range cur {
				size += runes(c)
			}
		}
		for n > o.MaxRunes { // one huge "sentence": cut it by runes
			r := []rune(s)
			out = append(out, strings.TrimSpace(strings.Join(cur, "")+string(r[:o.MaxRunes-size])))
			s, cur, size = string(r[o.MaxRunes-size:]), nil, 0
			n = runes(s)
		}
		cur = append(cur, s)
		size += n
	}
	if size > 0 {
		out = append(out, strings.TrimSpace(strings.Join(cur, "")))
	}
	return out
}

// tail returns the last sentences of cur that together stay within max runes.
func tail(cur []string, max int) []string {
	size, i := 0, len(cur)
	for i > 0 && size+runes(cur[i-1]) <= max {
		i--
		size += runes(cur[i])
	}
	return append([]string(nil), cur[i:]...)
}

// sentences splits text after sentence-ending punctuation (Latin and Chinese) and newlines,
// keeping the delimiters, so joining the pieces gives the text back.
func sentences(text string) []string {
	var out []string
	start := 0
	for i, r := range text {
		end := strings.ContainsRune("。！？；!?\n", r) || (r == '.' && i+1 < len(text) && text[i+1] == ' ')
		if end {
			j := i + utf8.RuneLen(r)
			out = append(out, text[start:j])
			start = j
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// detectLang says "zh" when Chinese characters make up at least a fifth of the letters,
// "en" when there are Latin letters and no such share, and fallback otherwise.
func detectLang(text, fallback string) string {
	var han, latin int
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.IsLetter(r) && r < 0x250:
			latin++
		}
	}
	switch {
	case han > 0 && han*5 >= han+latin/4: // a Latin word of ~4 letters weighs like one character
		return "zh"
	case latin > 0:
		return "en"
	case fallback != "":
		return fallback
	}
	return "en"
}
