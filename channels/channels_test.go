package channels

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplit(t *testing.T) {
	text := strings.Repeat("word ", 2000) + "\n" + strings.Repeat("字", 5000)
	parts := Split(text, 4096)
	if len(parts) < 3 {
		t.Fatalf("%d parts", len(parts))
	}
	var joined int
	for _, p := range parts {
		if n := utf8.RuneCountInString(p); n > 4096 || n == 0 {
			t.Fatalf("part of %d characters", n)
		}
		joined += utf8.RuneCountInString(strings.ReplaceAll(p, " ", ""))
	}
	if want := utf8.RuneCountInString(strings.ReplaceAll(strings.ReplaceAll(text, " ", ""), "\n", "")); joined != want {
		t.Fatalf("lost characters: %d of %d", joined, want)
	}
	if got := Split("short", 4096); len(got) != 1 || got[0] != "short" {
		t.Fatalf("short text: %q", got)
	}
}

func TestSecretEqual(t *testing.T) {
	if !SecretEqual("a_b-1", "a_b-1") || SecretEqual("", "") || SecretEqual("x", "y") || SecretEqual("a", "") {
		t.Fatal("SecretEqual")
	}
}

// TestSplitUTF16: Telegram counts UTF-16 code units, so a reply of emoji (2 units each) is cut
// at 4,096 units, never inside a character, and nothing is lost.
func TestSplitUTF16(t *testing.T) {
	text := strings.Repeat("😀", 3000) + " tail"
	parts := SplitUTF16(text, 4096)
	if len(parts) != 2 {
		t.Fatalf("%d parts", len(parts))
	}
	for _, p := range parts {
		if n := UTF16Len(p); n > 4096 || !utf8.ValidString(p) {
			t.Fatalf("part of %d units (valid %v)", n, utf8.ValidString(p))
		}
	}
	if got := strings.Join(parts, ""); strings.Count(got, "😀") != 3000 || !strings.HasSuffix(got, "tail") {
		t.Fatal("lost characters")
	}
	if got := Split(strings.Repeat("😀", 3000), 4096); len(got) != 1 {
		t.Fatalf("Split counts characters: %d parts", len(got))
	}
}
