package retrieval

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"tandem/chat"
)

// MaxFileBytes is the largest knowledge file accepted by an import.
const MaxFileBytes = 20 << 20

// ParseFile reads the documents of one knowledge file by its extension: Markdown (.md, with or
// without front matter), plain text (.txt) or JSONL passages ({"id","title","text"} per line).
// A file is parsed whole before anything is stored, so a bad file writes nothing.
func ParseFile(name string, data []byte, now time.Time) ([]chat.Document, error) {
	switch {
	case len(data) == 0:
		return nil, fmt.Errorf("%s: empty file", name)
	case len(data) > MaxFileBytes:
		return nil, fmt.Errorf("%s: %d bytes; the limit is %d", name, len(data), MaxFileBytes)
	case strings.EqualFold(filepath.Ext(name), ".pdf"):
		d, err := ParsePDF(name, data, now)
		return []chat.Document{d}, err
	case bytes.IndexByte(data, 0) >= 0:
		return nil, fmt.Errorf("%s: binary file (it has NUL bytes); import text, Markdown, HTML, CSV or JSONL", name)
	case !utf8.Valid(data):
		return nil, fmt.Errorf("%s: not UTF-8 text: invalid byte at offset %d (mixed or legacy encoding?); save the file as UTF-8", name, invalidUTF8(data))
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".markdown", ".txt":
		if bytes.HasPrefix(data, []byte("---\n")) || bytes.HasPrefix(data, []byte("---\r\n")) {
			d, err := ParseMarkdown(name, data, now)
			return []chat.Document{d}, err
		}
		d, err := plainDocument(name, string(data), now)
		return []chat.Document{d}, err
	case ".jsonl":
		return parsePassages(name, data, now)
	case ".csv":
		return parseFAQCSV(name, data, now)
	case ".html", ".htm":
		base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		d, err := ParseHTML(name, base, data, now)
		return []chat.Document{d}, err
	}
	return nil, fmt.Errorf("%s: unsupported file type (want .md, .txt, .html, .pdf, .csv or .jsonl)", name)
}

// plainDocument makes a document of a file without front matter: the id from the file name,
// the title from the first heading (or the file name).
func plainDocument(name, text string, now time.Time) (chat.Document, error) {
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	title, body := base, strings.TrimSpace(text)
	if first, rest, _ := strings.Cut(body, "\n"); strings.HasPrefix(first, "# ") {
		title, body = strings.TrimSpace(first[2:]), strings.TrimSpace(rest)
	}
	if strings.TrimSpace(base) == "" || body == "" {
		return chat.Document{}, fmt.Errorf("%s: a file name and a body are required", name)
	}
	return finish(chat.Document{ID: base, Title: title, Body: body, UpdatedAt: now}), nil
}

func parsePassages(name string, data []byte, now time.Time) ([]chat.Document, error) {
	var docs []chat.Document
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var p struct {
			ID, Title, Text, URL, Lang, Answer, Collection string
			Questions, Tags                                []string
		}
		if err := json.Unmarshal(line, &p); err != nil {
			return nil, fmt.Errorf("%s: line %d: %v", name, i+1, err)
		}
		if len(p.Questions) > 0 || p.Answer != "" { // an FAQ entry
			d, err := faqDocument(p.ID, p.Questions, p.Answer, p.Tags, p.Lang, p.Collection, now)
			if err != nil {
				return nil, fmt.Errorf("%s: line %d: %v", name, i+1, err)
			}
			docs = append(docs, d)
			continue
		}
		if p.ID == "" || strings.TrimSpace(p.Text) == "" {
			return nil, fmt.Errorf("%s: line %d: id and text are required", name, i+1)
		}
		docs = append(docs, finish(chat.Document{ID: p.ID, Title: p.Title, Body: p.Text, URL: p.URL, Lang: p.Lang, Tags: p.Tags,
			Collection: p.Collection, UpdatedAt: now}))
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("%s: no records", name)
	}
	return docs, nil
}

// finish fills the language, URL and content hash a parser left empty.
func finish(d chat.Document) chat.Document {
	if d.Lang == "" {
		d.Lang = "en"
		if HasHan(d.Title + d.Body) {
			d.Lang = "zh"
		}
	}
	if d.URL == "" {
		d.URL = "/kb/" + d.ID
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{d.Title, d.Lang, d.Category, d.URL, d.Body, d.Kind, d.Collection,
		strings.Join(d.Tags, "\x01"), strings.Join(d.Questions, "\x01")}, "\x00")))
	d.Hash = hex.EncodeToString(sum[:])
	return d
}

// invalidUTF8 returns the offset of the first byte that is not valid UTF-8.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}
