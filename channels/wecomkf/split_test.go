package wecomkf

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestSplitBytes: kf/send_msg takes at most 2048 bytes of text; Chinese text (3 bytes a
// character) and emoji are cut between characters, preferring a newline.
func TestSplitBytes(t *testing.T) {
	text := strings.Repeat("理赔", 500) + "\n" + strings.Repeat("😀", 300)
	parts := splitBytes(text, maxTextBytes)
	if got := strings.Join(parts, ""); got != strings.ReplaceAll(text, "\n", "") {
		t.Fatal("text lost in splitting")
	}
	for _, p := range parts {
		if len(p) > maxTextBytes || !utf8.ValidString(p) {
			t.Fatalf("part of %d bytes, valid %v", len(p), utf8.ValidString(p))
		}
	}
	if len(parts) != 3 || parts[2] != strings.Repeat("😀", 300) {
		t.Fatalf("parts %d, want a cut between characters, then the break at the newline", len(parts))
	}
}
