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

// maxPDFPages bounds the pages read from one PDF.
const maxPDFPages = 2000

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
	text, err := r.GetPlainText()
	if err != nil {
		return d, fmt.Errorf("%s: cannot extract text: %v", name, err)
	}
	b, err := io.ReadAll(io.LimitReader(text, MaxFileBytes))
	if err != nil {
		return d, fmt.Errorf("%s: cannot extract text: %v", name, err)
	}
	body := strings.TrimSpace(strings.ToValidUTF8(string(b), ""))
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
