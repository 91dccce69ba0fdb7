package retrieval

import (
	"bufio"
	"fmt"
	"strings"
	"time"

	"tandem/chat"
)

// ParseMarkdown reads a Markdown article with `---` front matter (id, title, category, lang).
// The URL is /kb/<id>.
func ParseMarkdown(name string, data []byte, now time.Time) (chat.Document, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	d := chat.Document{UpdatedAt: now}
	if !strings.HasPrefix(text, "---\n") {
		return d, fmt.Errorf("%s: missing front matter", name)
	}
	end := strings.Index(text[4:], "\n---")
	if end < 0 {
		return d, fmt.Errorf("%s: unterminated front matter", name)
	}
	sc := bufio.NewScanner(strings.NewReader(text[4 : 4+end]))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "id":
			d.ID = v
		case "title":
			d.Title = v
		case "category":
			d.Category = v
		case "lang":
			d.Lang = v
		}
	}
	d.Body = strings.TrimSpace(strings.TrimPrefix(text[4+end+4:], "\n"))
	if d.ID == "" || d.Title == "" || d.Body == "" {
		return d, fmt.Errorf("%s: id, title and body are required", name)
	}
	return finish(d), nil
}
