package retrieval

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"slices"
	"strings"
	"sync"
)

// english.txt.gz is every word of five letters or more, lower-cased, of Debian's wamerican and
// wbritish word lists (SCOWL, Copyright 2000-2011 Kevin Atkinson; see english.NOTICE), one a line,
// sorted.
//
//go:embed english.txt.gz
var englishGz []byte

// englishWords is the word list, read on first use; it never changes.
var englishWords = sync.OnceValue(func() []string {
	zr, err := gzip.NewReader(bytes.NewReader(englishGz))
	if err != nil {
		panic("retrieval: english.txt.gz: " + err.Error())
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		panic("retrieval: english.txt.gz: " + err.Error())
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
})

// isEnglish reports whether w (lower-case, five letters or more) is an English word: a word
// Correct must leave alone although the knowledge base never uses it ("polite" is not "police").
func isEnglish(w string) bool {
	_, ok := slices.BinarySearch(englishWords(), w)
	return ok
}
