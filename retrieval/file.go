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

	"tandem/chat"
)

// MaxFileBytes is the largest knowledge file accepted by an import.
const MaxFileBytes = 20 << 20

// textTypes are the extensions of text-like knowledge files.
var textTypes = map[string]bool{
	".md": true, ".markdown": true, ".txt": true, ".html": true, ".htm": true, ".csv": true, ".jsonl": true,
}

// ParseFile reads the documents of one knowledge file by its extension: Markdown (.md, .markdown,
// with or without front matter), plain text (.txt), HTML (.html, .htm), PDF (.pdf), an FAQ
// spreadsheet (.csv) or JSONL passages and FAQ entries (.jsonl). Text in UTF-8, UTF-16 with a byte
// order mark or GB18030 is accepted. A file is parsed whole before anything is stored, so a bad
// file writes nothing; every error starts with the file name.
func ParseFile(name string, data []byte, now time.Time) ([]chat.Document, error) {
	return parse(name, strings.ToLower(filepath.Ext(name)), data, now)
}

// parse reads data as a file of type ext (".md", ".pdf" …). name starts errors and gives
// single-document files their id.
func parse(name, ext string, data []byte, now time.Time) ([]chat.Document, error) {
	switch {
	case ext != ".pdf" && !textTypes[ext]:
		return nil, fmt.Errorf("%s: unsupported file type (want .md, .txt, .html, .pdf, .csv or .jsonl)", name)
	case len(data) == 0:
		return nil, fmt.Errorf("%s: empty file", name)
	case len(data) > MaxFileBytes:
		return nil, fmt.Errorf("%s: %d bytes; the limit is %d", name, len(data), MaxFileBytes)
	case ext == ".pdf":
		d, err := ParsePDF(name, data, now)
		return []chat.Document{d}, err
	}
	text, err := decodeText(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	data = []byte(text)
	switch ext {
	case ".jsonl":
		return parsePassages(name, data, now)
	case ".csv":
		return parseFAQCSV(name, data, now)
	case ".html", ".htm":
		d, err := ParseHTML(name, baseName(name), data, now)
		return []chat.Document{d}, err
	}
	if bytes.HasPrefix(data, []byte("---\n")) || bytes.HasPrefix(data, []byte("---\r\n")) {
		d, err := ParseMarkdown(name, data, now)
		return []chat.Document{d}, err
	}
	d, err := plainDocument(name, text, now)
	return []chat.Document{d}, err
}

// baseName is a file name without its folder and extension: a single-document file's id.
func baseName(name string) string {
	return strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
}

// plainDocument makes a document of a file without front matter: the id from the file name,
// the title from the first heading (or the file name).
func plainDocument(name, text string, now time.Time) (chat.Document, error) {
	base := baseName(name)
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
		if p.Answer != "" || len(p.Questions) > 0 && strings.TrimSpace(p.Text) == "" { // an FAQ entry
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
		d, err := WithPhrasings(chat.Document{ID: p.ID, Title: p.Title, Body: p.Text, URL: p.URL, Lang: p.Lang, Tags: p.Tags,
			Collection: p.Collection, UpdatedAt: now}, p.Questions)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %v", name, i+1, errPhrasings(p.ID, err))
		}
		docs = append(docs, d)
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
