package retrieval

import (
	"fmt"
	"strings"
	"time"

	"tandem/chat"
)

// ParseMarkdown reads a Markdown article with `---` front matter (id, title, category, lang, and
// questions: the article's similar questions as "- …" lines under it, or inline separated by |).
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
	lines := strings.Split(text[4:4+end], "\n")
	var questions []string
	for i := 0; i < len(lines); i++ {
		k, v, ok := strings.Cut(lines[i], ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "questions", "phrasings":
			qs, used := frontMatterList(v, lines[i+1:])
			questions = append(questions, qs...)
			i += used
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
	d, err := WithPhrasings(d, questions)
	if err != nil {
		return d, errPhrasings(name, err)
	}
	return d, nil
}
