// Package channels connects messaging platforms to Tandem: each adapter turns a platform's
// webhook into an Inbound for the conversation core and delivers replies through the platform's
// API (as a conversation.Sender). Adapters never import the conversation core.
package channels

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf16"

	"tandem/chat"
)

// Timeout bounds one request to a channel's API.
const Timeout = 15 * time.Second

// Inbound is a customer message from a channel.
type Inbound struct {
	Channel     string // "telegram", …
	CustomerKey string // Tandem's customer id for this platform user, stable across messages
	ExternalID  string // the platform user's id
	Name        string
	MessageID   string // the platform's id of this delivery, for deduplication
	// Text is what the customer wrote, or the text a non-text message carries (a caption, a voice
	// transcript, a button's title); it may be empty when Attachments is not.
	Text string
	// Attachments are the parts the bot cannot read; they reach an agent as descriptions.
	Attachments []chat.Attachment
	// Reply, when set, answers the message instead of a bot turn (Telegram's /start greeting).
	Reply string
	// Thread is the platform's conversation the message belongs to, on platforms where a user has
	// several (Chatwoot); each thread is its own Tandem conversation. "" elsewhere.
	Thread string
	// ForPerson, when set, is why the message goes to a person instead of the bot ("attachment":
	// the bot cannot read it); Text then describes it for the agent.
	ForPerson string
	// Lang is the customer's language as the platform knows it ("zh", "en"; "" unknown).
	Lang string
	// Held, when set, is who holds the thread on the platform as the message arrives (a person):
	// Tandem follows it before the message, so the bot does not answer.
	Held *Ownership
}

// Deferrer is a Receiver that stores a message at once and hands back the bot's turn (nil when
// there is none), so a channel can acknowledge the platform before the turn runs. A turn lost to
// a crash is run by the recovery loop.
type Deferrer interface {
	Receiver
	Defer(ctx context.Context, in Inbound) (turn func(context.Context) error, err error)
}

// Ownership is who holds a conversation, as its platform reports it.
type Ownership struct {
	Channel, Thread string
	Owner           chat.Owner // bot, waiting (open for people), human (Assignee holds it) or closed
	Assignee        string     // the platform's person, e.g. "chatwoot:12"
	Reason          string
}

// Follower is a Receiver that mirrors ownership changes made on the platform.
type Follower interface {
	Follow(ctx context.Context, o Ownership) error
}

// Undelivered is a Receiver that also takes failures the platform reports after accepting a
// send (WhatsApp's "failed" status): ref is the platform's id of the sent message, as the
// sender returned it.
type Undelivered interface {
	Undelivered(ctx context.Context, channel, ref, reason string) error
}

// Receiver takes channel messages in: the conversation core, wired in main.
type Receiver interface {
	FromChannel(ctx context.Context, in Inbound) error
}

// Answerer is a Receiver that also hands back the bot's reply when there is exactly one, for
// channels that can answer inside the webhook's response (WeChat's passive reply). Claim takes the
// reply from the outbox (false: the outbox has it already); Release gives it back when the
// response could not be written.
type Answerer interface {
	Receiver
	Answer(ctx context.Context, in Inbound) (text string, messageID int64, err error)
	Claim(ctx context.Context, messageID int64) (bool, error)
	Release(ctx context.Context, messageID int64)
}

// Authenticator is a webhook handler that can tell cheaply, before handling a request, whether it
// genuinely comes from the platform (its signature or secret checks out). The HTTP server counts
// only authentic deliveries against a channel's rate, so unsigned junk cannot starve them.
type Authenticator interface {
	http.Handler
	Authentic(r *http.Request, body []byte) bool
}

// SecretEqual compares a received secret with the configured one in constant time.
func SecretEqual(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// Split cuts text into pieces of at most max characters (runes), preferring to break after a
// newline, then after a space.
func Split(text string, max int) []string {
	return split(text, max, func(rune) int { return 1 })
}

// SplitUTF16 is Split for platforms that count UTF-16 code units (Telegram: an emoji outside
// the Basic Multilingual Plane counts 2).
func SplitUTF16(text string, max int) []string {
	return split(text, max, utf16.RuneLen)
}

// UTF16Len is the length of text in UTF-16 code units.
func UTF16Len(text string) int {
	n := 0
	for _, r := range text {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

func split(text string, limit int, units func(rune) int) []string {
	var out []string
	for {
		head, rest := cutAt(text, limit, units)
		if rest == "" {
			break
		}
		cut := len(head)
		if i := strings.LastIndex(head, "\n"); i > 0 {
			cut = i + 1
		} else if i := strings.LastIndex(head, " "); i > 0 {
			cut = i + 1
		}
		if piece := strings.TrimSpace(text[:cut]); piece != "" {
			out = append(out, piece)
		}
		text = strings.TrimSpace(text[cut:])
	}
	if text = strings.TrimSpace(text); text != "" {
		out = append(out, text)
	}
	return out
}

// cutAt splits text after the longest prefix of at most limit units; rest is "" when all fits.
func cutAt(text string, limit int, units func(rune) int) (head, rest string) {
	n := 0
	for i, r := range text {
		n += max(units(r), 1)
		if n > limit {
			return text[:i], text[i:]
		}
	}
	return text, ""
}

// Take hands a message to r. A message Tandem refuses (e.g. one too long to store) is logged and
// returns nil, because the platform redelivering it would not help; any other error is for the
// platform to retry.
func Take(ctx context.Context, r Receiver, in Inbound, log *slog.Logger) error {
	err := r.FromChannel(ctx, in)
	if chat.ErrorCode(err) == chat.EINVALID {
		log.Warn("channel message refused", "channel", in.Channel, "message_id", in.MessageID, "err", err)
		return nil
	}
	return err
}

// MapLink is a link to a point on a map that an agent can open.
func MapLink(lat, lon float64) string {
	return fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f#map=17/%.6f/%.6f", lat, lon, lat, lon)
}

// challengePattern is what a verification challenge may be: platforms send a short random number
// or token; anything else (markup, script) is refused rather than echoed.
var challengePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// ValidChallenge reports whether a handshake challenge may be echoed: 1–128 letters, digits, _ or -.
func ValidChallenge(s string) bool { return challengePattern.MatchString(s) }

// WriteEcho answers a platform's verification handshake with its challenge, as plain text that no
// browser will sniff as HTML, so a challenge can never run as a page on Tandem's origin.
func WriteEcho(w http.ResponseWriter, challenge string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, challenge)
}
