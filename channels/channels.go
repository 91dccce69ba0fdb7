// Package channels connects messaging platforms to Tandem: each adapter turns a platform's
// webhook into an Inbound for the conversation core and delivers replies through the platform's
// API (as a conversation.Sender). Adapters never import the conversation core.
package channels

import (
	"context"
	"crypto/subtle"
	"strings"
	"unicode/utf8"
)

// Inbound is a customer message from a channel.
type Inbound struct {
	Channel     string // "telegram", …
	CustomerKey string // Tandem's customer id for this platform user, stable across messages
	ExternalID  string // the platform user's id
	Name        string
	MessageID   string // the platform's id of this delivery, for deduplication
	Text        string
}

// Receiver takes channel messages in: the conversation core, wired in main.
type Receiver interface {
	FromChannel(ctx context.Context, in Inbound) error
}

// SecretEqual compares a received secret with the configured one in constant time.
func SecretEqual(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// Split cuts text into pieces of at most max characters (runes), preferring to break after a
// newline, then after a space.
func Split(text string, max int) []string {
	var out []string
	for utf8.RuneCountInString(text) > max {
		r := []rune(text)
		cut := max
		head := string(r[:max])
		if i := strings.LastIndex(head, "\n"); i > 0 {
			cut = utf8.RuneCountInString(head[:i+1])
		} else if i := strings.LastIndex(head, " "); i > 0 {
			cut = utf8.RuneCountInString(head[:i+1])
		}
		out = append(out, strings.TrimSpace(string(r[:cut])))
		text = strings.TrimSpace(string(r[cut:]))
	}
	if text != "" {
		out = append(out, text)
	}
	return out
}
