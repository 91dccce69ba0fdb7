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
