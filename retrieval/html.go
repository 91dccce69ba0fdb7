package retrieval

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"tandem/chat"
)

// skipped are elements whose text is never knowledge: scripts, styles, forms and page chrome.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true, atom.Nav: true,
	atom.Header: true, atom.Footer: true, atom.Aside: true, atom.Form: true, atom.Svg: true, atom.Iframe: true,
	atom.Button: true, atom.Select: true, atom.Dialog: true,
}

// blocks end a line of text; headings become Markdown headings so chunking follows them.
var blocks = map[atom.Atom]string{
	atom.P: "", atom.Div: "", atom.Li: "- ", atom.Tr: "", atom.Br: "", atom.Section: "", atom.Article: "",
	atom.Main: "", atom.Ul: "", atom.Ol: "", atom.Dl: "", atom.Table: "", atom.Hr: "", atom.Figcaption: "",
	atom.Details: "", atom.Summary: "", atom.Blockquote: "", atom.Pre: "", atom.Dd: "", atom.Dt: "", atom.Td: "", atom.Th: "",
	atom.H1: "# ", atom.H2: "## ", atom.H3: "### ", atom.H4: "#### ", atom.H5: "##### ", atom.H6: "###### ",
}

// ParseHTML turns an HTML page into a document: the title from <title> (or the first <h1>),
// the body as Markdown-like text with headings kept, page chrome dropped, the language from
// <html lang> when it is English or Chinese. id names the document.
func ParseHTML(name, id string, data []byte, now time.Time) (chat.Document, error) {
	root, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		return chat.Document{}, fmt.Errorf("%s: not HTML: %v", name, err)
	}
	w := &htmlText{}
	w.walk(root)
	body := strings.TrimSpace(collapseBlank(w.b.String()))
	title := strings.TrimSpace(w.title)
	if title == "" {
		title = w.h1
	}
	if title == "" {
		title = baseName(name)
	}
	if body == "" {
		return chat.Document{}, fmt.Errorf("%s: no text in the page", name)
	}
	return finish(chat.Document{ID: id, Title: title, Body: body, Lang: htmlLang(w.lang), UpdatedAt: now}), nil
}

// htmlLang maps <html lang> to "en" or "zh"; other languages give "", which finish guesses.
func htmlLang(tag string) string {
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	primary, _, _ = strings.Cut(primary, "_")
	if primary == "en" || primary == "zh" {
		return primary
	}
	return ""
}

// htmlText collects a page's visible text.
type htmlText struct {
	b         strings.Builder
	title, h1 string
	lang      string
}

func (w *htmlText) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
		switch {
		case skipped[n.DataAtom] || hidden(n):
			return
		case n.DataAtom == atom.Title:
			w.title = textOf(n)
			return
		case n.DataAtom == atom.Html:
			for _, a := range n.Attr {
				if a.Key == "lang" {
					w.lang = a.Val
				}
			}
		case n.DataAtom == atom.H1 && w.h1 == "":
			w.h1 = textOf(n)
		}
	}
	prefix, block := blocks[n.DataAtom]
	if block {
		w.b.WriteString("\n" + prefix)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
	if block {
		w.b.WriteString("\n")
		if prefix != "" && prefix[0] == '#' {
			w.b.WriteString("\n")
		}
	}
}

// text appends a text node with its white space collapsed; a space stays only where the page had
// one, so inline markup inside a word (or in Chinese text) adds none.
func (w *htmlText) text(s string) {
	words := strings.Fields(s)
	sep := w.b.Len() > 0 && !strings.HasSuffix(w.b.String(), "\n") && !strings.HasSuffix(w.b.String(), " ")
	if sep && s != "" && strings.TrimLeftFunc(s, unicode.IsSpace) != s {
		w.b.WriteByte(' ')
	}
	w.b.WriteString(strings.Join(words, " "))
	if len(words) > 0 && strings.TrimRightFunc(s, unicode.IsSpace) != s {
		w.b.WriteByte(' ')
	}
}

// hidden reports an element the page does not show or marks as navigation.
// hiddenStyle matches inline styles that hide text from readers (and so from the knowledge base).
var hiddenStyle = regexp.MustCompile(`(?i)display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|em|rem|%)?\s*(?:;|$)|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$)`)

func hidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch {
		case a.Key == "hidden", a.Key == "aria-hidden" && a.Val == "true",
			a.Key == "role" && (a.Val == "navigation" || a.Val == "banner" || a.Val == "contentinfo"),
			a.Key == "style" && hiddenStyle.MatchString(a.Val):
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// collapseBlank trims lines and keeps at most one blank line between paragraphs; empty list
// items and headings are dropped.
func collapseBlank(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "-" || strings.Trim(line, "# ") == "" && line != "" {
			continue
		}
		if line == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
