package pii

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"mail me at ann.lee+claims@example.co.uk please", "mail me at [email] please"},
		{"card 4242 4242 4242 4242 exp 12/28", "card [card ••••4242] exp 12/28"},
		{"card 4242-4242-4242-4241", "card 4242-4242-4242-4241"}, // fails the Luhn check: not a card
		{"US: (555) 123-4567", "US: [phone ••••4567]"},
		{"call +86 138 0013 8000 now", "call [phone ••••8000] now"},
		{"我的电话是13800138000", "我的电话是[phone ••••8000]"},
		{"身份证 11010519491231002X 谢谢", "身份证 [id ••••002X] 谢谢"},
		{"policy HM-2024-001 and claim 12345", "policy HM-2024-001 and claim 12345"},
		{"no personal data here", "no personal data here"},
	} {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzMask(f *testing.F) {
	f.Add("4242 4242 4242 4242 a@b.cn 11010519491231002X +1 (555) 123-4567")
	f.Fuzz(func(t *testing.T, s string) {
		out := Mask(s)
		if strings.Contains(s, "@") && email.MatchString(out) {
			t.Fatalf("an e-mail address survived: %q", out)
		}
	})
}

func TestHandler(t *testing.T) {
	var b strings.Builder
	log := slog.New(Handler{slog.NewTextHandler(&b, nil)})
	log.With("customer", "ann@example.com").Warn("refused 4242 4242 4242 4242", "err", errors.New("from +86 138 0013 8000"), "n", 3)
	out := b.String()
	for _, leak := range []string{"ann@example.com", "4242 4242 4242 4242", "138 0013 8000"} {
		if strings.Contains(out, leak) {
			t.Fatalf("log leaked %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, "n=3") || !strings.Contains(out, "[card ••••4242]") {
		t.Fatalf("log = %s", out)
	}
}

func TestNewLoggerMasks(t *testing.T) {
	var b strings.Builder
	NewLogger(&b, "info", "json").Info("sent to ann@example.com", "to", "ann@example.com")
	NewLogger(&b, "warn", "text").Info("dropped: below the level")
	out := b.String()
	if strings.Contains(out, "ann@example.com") || !strings.HasPrefix(out, "{") || strings.Contains(out, "dropped") {
		t.Errorf("log output %q", out)
	}
}
