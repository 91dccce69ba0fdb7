package retrieval

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ledongthuc/pdf"

	"tandem/chat"
)

// Limits of reading one PDF. A PDF's streams are compressed: a few hundred kilobytes can hold
// gigabytes of page content (or one stream shared by every page), so the decoded content is
// counted before any text is extracted.
const (
	maxPDFPages = 2000
	// maxPDFDecoded caps the decoded bytes of all pages' content streams and fonts' character
	// maps together.
	maxPDFDecoded = 32 << 20
)

// ParsePDF extracts a PDF's text into a document; the title is its first line when that is short.
// It uses github.com/ledongthuc/pdf: pure Go, no cgo, and the maintained fork of rsc.io/pdf
// (unchanged since 2014) with a plain-text extractor; pdfcpu is far larger and aimed at editing
// PDFs, not reading their text. A corrupt, password-protected or scanned (image-only) PDF gives
// an error; a panic inside the parser is turned into one too.
func ParsePDF(name string, data []byte, now time.Time) (d chat.Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: not a readable PDF (%v)", name, r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if errors.Is(err, pdf.ErrInvalidPassword) {
		return d, fmt.Errorf("%s: the PDF is password-protected; remove the password and import it again", name)
	}
	if err != nil {
		return d, fmt.Errorf("%s: not a readable PDF: %v", name, err)
	}
	if n := r.NumPage(); n == 0 || n > maxPDFPages {
		return d, fmt.Errorf("%s: %d pages; want 1–%d", name, n, maxPDFPages)
	}
	if err := checkDecoded(r); err != nil {
		return d, fmt.Errorf("%s: %v", name, err)
	}
	text, err := plainText(r)
	if err != nil {
		return d, fmt.Errorf("%s: cannot extract text: %v", name, err)
	}
	body := strings.TrimSpace(strings.ToValidUTF8(text, ""))
	if body == "" {
		return d, fmt.Errorf("%s: no text in the PDF (a scanned image? run OCR first)", name)
	}
	base := baseName(name)
	title, rest, _ := strings.Cut(body, "\n")
	if strings.TrimSpace(rest) == "" || len([]rune(title)) > 120 {
		title = base
	}
	return finish(chat.Document{ID: base, Title: strings.TrimSpace(title), Body: body, UpdatedAt: now}), nil
}

// checkDecoded decodes every page's content streams and fonts' ToUnicode maps into nothing,
// counting, and fails once they add up to more than maxPDFDecoded: memory stays flat however far
// a stream expands.
func checkDecoded(r *pdf.Reader) error {
	budget := int64(maxPDFDecoded)
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		streams := []pdf.Value{}
		if c := p.V.Key("Contents"); c.Kind() == pdf.Array {
			for j := range c.Len() {
				streams = append(streams, c.Index(j))
			}
		} else {
			streams = append(streams, c)
		}
		for _, f := range p.Fonts() {
			streams = append(streams, p.Font(f).V.Key("ToUnicode"))
		}
		for _, s := range streams {
			if s.Kind() != pdf.Stream {
				continue
			}
			n, _ := io.Copy(io.Discard, io.LimitReader(s.Reader(), budget+1))
			if budget -= n; budget < 0 {
				return fmt.Errorf("the PDF's pages expand to over %d MB; split it or export its text", maxPDFDecoded>>20)
			}
		}
	}
	return nil
}

// plainText extracts the pages' text, stopping at MaxFileBytes.
func plainText(r *pdf.Reader) (string, error) {
	var b strings.Builder
	fonts := map[string]*pdf.Font{}
	for i := 1; i <= r.NumPage() && b.Len() < MaxFileBytes; i++ {
		p := r.Page(i)
		for _, name := range p.Fonts() {
			if _, ok := fonts[name]; !ok {
				f := p.Font(name)
				fonts[name] = &f
			}
		}
		text, err := p.GetPlainText(fonts)
		if err != nil {
			return "", err
		}
		b.WriteString(text[:min(len(text), MaxFileBytes-b.Len())])
	}
	return b.String(), nil
}
