// Package pii masks personal data in text: e-mail addresses, phone numbers, payment card numbers
// (Luhn-checked) and Chinese resident identity numbers (checksum-checked), for logs and exports.
package pii

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
)

var (
	email = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	// residentID is an 18-character Chinese resident identity number (the last may be X).
	residentID = regexp.MustCompile(`\b[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]\b`)
	// card is 13–19 digits, optionally grouped by spaces or dashes.
	card = regexp.MustCompile(`\b\d(?:[ \-]?\d){12,18}\b`)
	// phone is an international number (+ and 7–15 digits), a Chinese mobile number, or a North
	// American (555) 123-4567: shapes that order, policy and claim numbers do not take.
	phone = regexp.MustCompile(`\+\d[\d \-()]{5,18}\d|\b1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}\b|\(\d{3}\)[ \-]?\d{3}[ \-]\d{4}\b`)
)

// Mask replaces personal data in text with labelled placeholders that keep the last digits of
// numbers, e.g. "[card ••••4242]", "[email]", "[phone ••••5678]", "[id ••••123X]".
func Mask(text string) string {
	text = email.ReplaceAllString(text, "[email]")
	text = residentID.ReplaceAllStringFunc(text, func(s string) string {
		if !validResidentID(s) {
			return s
		}
		return "[id ••••" + s[len(s)-4:] + "]"
	})
	text = card.ReplaceAllStringFunc(text, func(s string) string {
		d := digits(s)
		if !luhn(d) {
			return s
		}
		return "[card ••••" + d[len(d)-4:] + "]"
	})
	return phone.ReplaceAllStringFunc(text, func(s string) string {
		d := digits(s)
		if len(d) < 7 {
			return s
		}
		return "[phone ••••" + d[len(d)-4:] + "]"
	})
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// luhn reports whether a digit string passes the Luhn check payment cards use.
func luhn(d string) bool {
	if len(d) < 13 || len(d) > 19 {
		return false
	}
	sum, double := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if double {
			if n *= 2; n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

// validResidentID checks the ISO 7064 MOD 11-2 check character of a resident identity number.
func validResidentID(s string) bool {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(s[i]-'0') * weights[i]
	}
	check := "10X98765432"[sum%11]
	return strings.ToUpper(s[17:]) == string(check)
}

// Handler masks personal data in every log record's message and string attributes (errors
// included) before the wrapped handler writes it.
type Handler struct{ slog.Handler }

// NewLogger returns a logger writing JSON (format "json") or text ("text") lines at level
// ("debug", "info", "warn", "error") to w, with personal data masked in every line.
func NewLogger(w io.Writer, level, format string) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: l}
	if format == "text" {
		return slog.New(Handler{Handler: slog.NewTextHandler(w, opts)})
	}
	return slog.New(Handler{Handler: slog.NewJSONHandler(w, opts)})
}

// Handle implements slog.Handler.
func (h Handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Mask(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(maskAttr(a))
		return true
	})
	return h.Handler.Handle(ctx, out)
}

// WithAttrs implements slog.Handler.
func (h Handler) WithAttrs(as []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(as))
	for i, a := range as {
		masked[i] = maskAttr(a)
	}
	return Handler{h.Handler.WithAttrs(masked)}
}

// WithGroup implements slog.Handler.
func (h Handler) WithGroup(name string) slog.Handler { return Handler{h.Handler.WithGroup(name)} }

func maskAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Mask(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, len(g))
		for i, x := range g {
			out[i] = maskAttr(x)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, Mask(err.Error()))
		}
	}
	return a
}
