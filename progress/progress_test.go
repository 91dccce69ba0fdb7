package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBarDrawsAndEnds(t *testing.T) {
	var buf bytes.Buffer
	b := &Bar{w: &buf, label: "importing", total: 4}
	b.Set(2)
	b.Set(3) // within the redraw interval: not drawn
	b.Done()
	out := buf.String()
	if got, want := strings.Count(out, "\r"), 2; got != want {
		t.Fatalf("draws = %d, want %d: %q", got, want, out)
	}
	if !strings.Contains(out, "[###############...............] 2/4") || !strings.HasSuffix(out, "] 4/4\n") {
		t.Errorf("bar = %q", out)
	}
}

func TestNewDiscardsWhenNotATerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Fatal("a regular file counts as a terminal")
	}
	b := New(f, "x", 2)
	b.Set(1)
	b.Done()
	if st, _ := f.Stat(); st.Size() != 0 {
		t.Errorf("a bar drew %d bytes into a file", st.Size())
	}
	var buf bytes.Buffer
	New(&buf, "x", 1).Done()
	if buf.Len() != 0 {
		t.Errorf("a bar drew into a buffer: %q", buf.String())
	}
}
