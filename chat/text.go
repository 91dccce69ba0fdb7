package chat

import (
	"regexp"
	"strings"
)

// Message text is plain text with one piece of structure: a line that starts with "- " is a
// bulleted list item and a line that starts with "1. " (any number) a numbered one. The widget
// and the consoles render such lines as lists (as text, never as HTML); messaging channels get
// PlainText.

// bulletLine matches a bulleted list line: "- item" (also "* " and "• ").
var bulletLine = regexp.MustCompile(`^\s*[-*•]\s+(\S.*)$`)

// PlainText formats text for a messaging channel: bulleted list items start with "• ",
// numbered ones keep their "1. ", each on its own line; everything else is unchanged.
func PlainText(text string) string {
	if !strings.Contains(text, "\n") && !bulletLine.MatchString(text) {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if m := bulletLine.FindStringSubmatch(l); m != nil {
			lines[i] = "• " + m[1]
		}
	}
	return strings.Join(lines, "\n")
}
