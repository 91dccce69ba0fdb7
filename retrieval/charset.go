package retrieval

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// utf8Run is how many valid non-ASCII UTF-8 characters in a row, with no invalid byte between,
// prove that a file holds real UTF-8 text. GB18030 Chinese forms such runs only by accident,
// and measured on 2 million random GB2312 characters the longest was 10.
const utf8Run = 16

var (
	bomUTF8    = []byte("\xef\xbb\xbf")
	bomUTF16LE = []byte("\xff\xfe")
	bomUTF16BE = []byte("\xfe\xff")
)

// decodeText returns a text file's content as UTF-8. UTF-8 (with or without a byte order mark)
// is kept; UTF-16 with a byte order mark and GB18030 (the Chinese legacy encoding, a superset of
// GBK and GB2312) are converted. Anything else, notably a file mixing UTF-8 with another
// encoding, is refused with the offset of the first byte that is not UTF-8.
func decodeText(data []byte) (string, error) {
	if bytes.HasPrefix(data, bomUTF16LE) || bytes.HasPrefix(data, bomUTF16BE) {
		return decodeUTF16(data)
	}
	data = bytes.TrimPrefix(data, bomUTF8)
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return "", fmt.Errorf("binary file (a NUL byte at offset %d); import text, Markdown, HTML, CSV or JSONL", i)
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	valid, invalid, run, first := utf8Stats(data)
	mostlyUTF8 := valid > invalid || run >= utf8Run
	if !mostlyUTF8 {
		if text, ok := decodeGB18030(data); ok {
			return text, nil
		}
	}
	if valid > 0 {
		return "", fmt.Errorf("mixed encodings: UTF-8 text with an invalid byte at offset %d; save the whole file as UTF-8", first)
	}
	return "", fmt.Errorf("not UTF-8 text: invalid byte at offset %d (a legacy encoding other than GB18030?); save the file as UTF-8", first)
}

// decodeUTF16 converts UTF-16 that starts with a byte order mark.
func decodeUTF16(data []byte) (string, error) {
	if len(data)%2 != 0 {
		return "", errors.New("UTF-16 text with an odd number of bytes (truncated?)")
	}
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
	if err != nil {
		return "", fmt.Errorf("invalid UTF-16 text: %v", err)
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return "", errors.New("binary file (a NUL character in UTF-16 text)")
	}
	return string(b), nil
}

// decodeGB18030 converts GB18030 text; ok is false when a byte sequence is not GB18030, which
// the decoder marks with U+FFFD.
func decodeGB18030(data []byte) (string, bool) {
	b, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || bytes.ContainsRune(b, utf8.RuneError) {
		return "", false
	}
	return strings.TrimPrefix(string(b), "\ufeff"), true
}

// utf8Stats counts the valid non-ASCII UTF-8 characters and the invalid bytes of data, the
// longest run of valid non-ASCII characters between invalid bytes, and the first invalid offset.
func utf8Stats(data []byte) (valid, invalid, run, first int) {
	first, cur := -1, 0
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			invalid, cur = invalid+1, 0
			if first < 0 {
				first = i
			}
			n = 1
		case n > 1:
			valid, cur = valid+1, cur+1
			run = max(run, cur)
		}
		i += n
	}
	return valid, invalid, run, first
}
