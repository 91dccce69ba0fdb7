// Package progress draws one-line progress bars for the command-line tools.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// width is the bar's width in characters.
const width = 30

// redraw is the least time between two draws, unless the bar is full.
const redraw = 100 * time.Millisecond

// Bar draws a one-line progress bar on a writer (stderr), at most ten times a second.
type Bar struct {
	w     io.Writer
	label string
	total int
	n     int
	last  time.Time
}

// New returns a bar that draws only when w is a terminal, so logs and pipes stay clean.
func New(w io.Writer, label string, total int) *Bar {
	if f, ok := w.(*os.File); !ok || !IsTerminal(f) {
		w = io.Discard
	}
	return &Bar{w: w, label: label, total: total}
}

// IsTerminal reports whether f is a character device (a terminal), not a file or a pipe.
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Set records n of the total done and redraws.
func (p *Bar) Set(n int) {
	p.n = n
	if time.Since(p.last) < redraw && n < p.total {
		return
	}
	p.last = time.Now()
	filled := width * n / max(p.total, 1)
	fmt.Fprintf(p.w, "\r%-10s [%s%s] %d/%d", p.label, strings.Repeat("#", filled), strings.Repeat(".", width-filled), n, p.total)
}

// Done draws the full bar and ends its line.
func (p *Bar) Done() {
	if p.total > 0 {
		p.Set(p.total)
		fmt.Fprintln(p.w)
	}
}
