package retrieval

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"tandem/chat"
)

// maxFAQVariants bounds the question variants of one FAQ entry.
const maxFAQVariants = 50

// faqDocument makes an FAQ entry: the first question is the title, all are matched.
func faqDocument(id string, questions []string, answer string, tags []string, lang, collection string, now time.Time) (chat.Document, error) {
	var qs []string
	for _, q := range questions {
		if q = strings.TrimSpace(q); q != "" {
			qs = append(qs, q)
		}
	}
	answer = strings.TrimSpace(answer)
	switch {
	case len(qs) == 0 || answer == "":
		return chat.Document{}, errors.New("a question and an answer are required")
	case len(qs) > maxFAQVariants:
		return chat.Document{}, fmt.Errorf("%d question variants; the limit is %d", len(qs), maxFAQVariants)
	}
	variants, err := CleanPhrasings(qs[0], qs[1:])
	if err != nil {
		return chat.Document{}, errors.New(err.(*chat.Error).Message)
	}
	qs = append(qs[:1], variants...)
	if id == "" {
		sum := sha256.Sum256([]byte(qs[0]))
		id = "faq-" + hex.EncodeToString(sum[:6])
	}
	return finish(chat.Document{ID: id, Kind: "faq", Title: qs[0], Questions: qs, Body: answer, Tags: tags, Lang: lang,
		Collection: collection, UpdatedAt: now}), nil
}

// parseFAQCSV reads an FAQ spreadsheet exported as CSV: a header row with question and answer
// columns (any case), and optionally id, variants (separated by | or new lines), tags (separated
// by , or |), lang and collection.
func parseFAQCSV(name string, data []byte, now time.Time) ([]chat.Document, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.LazyQuotes = false  // a stray quote is an error, not part of an answer
	r.FieldsPerRecord = 0 // every row must have as many fields as the header
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: no header row: %v", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := col[h]; dup && h != "" {
			return nil, fmt.Errorf("%s: the %q column appears twice in the header", name, h)
		}
		col[h] = i
	}
	for _, need := range []string{"question", "answer"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s: missing the %q column (the header has: %s)", name, need, strings.Join(header, ", "))
		}
	}
	get := func(rec []string, key string) string {
		if i, ok := col[key]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	var docs []chat.Document
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		line, _ := r.FieldPos(0)
		qs := append([]string{get(rec, "question")}, splitAny(get(rec, "variants"), "|\n")...)
		d, err := faqDocument(strings.TrimSpace(get(rec, "id")), qs, get(rec, "answer"), splitAny(get(rec, "tags"), ",|"),
			strings.TrimSpace(get(rec, "lang")), strings.TrimSpace(get(rec, "collection")), now)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %v", name, line, err)
		}
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("%s: no FAQ rows under the header", name)
	}
	return docs, nil
}

// splitAny splits s at any of the separator characters, dropping empty parts.
func splitAny(s, seps string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
