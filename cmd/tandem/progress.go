package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progressWidth is the bar's width in characters.
const progressWidth = 30

// progress draws a one-line progress bar on a writer (stderr), at most ten times a second.
type progress struct {
	w     io.Writer
	label string
	total int
	n     int
	last  time.Time
}

// newProgress returns a bar that draws only when w is a terminal, so logs and pipes stay clean.
func newProgress(w io.Writer, label string, total int) *progress {
	if f, ok := w.(*os.File); !ok || !isTerminal(f) {
		w = io.Discard
	}
	return &progress{w: w, label: label, total: total}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) set(n int) {
	p.n = n
	if time.Since(p.last) < 100*time.Millisecond && n < p.total {
		return
	}
	p.last = time.Now()
	filled := progressWidth * n / max(p.total, 1)
	fmt.Fprintf(p.w, "\r%-10s [%s%s] %d/%d", p.label, strings.Repeat("#", filled), strings.Repeat(".", progressWidth-filled), n, p.total)
}

func (p *progress) done() {
	if p.total > 0 {
		p.set(p.total)
		fmt.Fprintln(p.w)
	}
}
