package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"tandem/chat"
)

func bindBody(s *Server, body string) (messageRequest, error) {
	e := echo.New()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	c := e.NewContext(req, httptest.NewRecorder())
	var v messageRequest
	return v, s.bind(c, &v)
}

func TestBind(t *testing.T) {
	s := &Server{MaxBodyBytes: 64}
	for _, tt := range []struct {
		body, code string
	}{
		{`{"text":"hi"}`, ""},
		{``, chat.EINVALID},
		{`{"text":`, chat.EINVALID},
		{`{"text":"a"} {"text":"b"}`, chat.EINVALID},
		{`{"text":1}`, chat.EINVALID},
		{`{"text":"a\u0000b"}`, chat.EINVALID},
		{`{"external_id":"\u0000"}`, chat.EINVALID},
		{`{"text":"` + strings.Repeat("a", 100) + `"}`, chat.ETOOLARGE},
	} {
		_, err := bindBody(s, tt.body)
		if got := code(err); got != tt.code {
			t.Errorf("bind(%.30q) code %q (%v), want %q", tt.body, got, err, tt.code)
		}
	}
}

// TestBindRefusesNULAnywhere: a NUL in any string of a request, however nested, is refused.
func TestBindRefusesNULAnywhere(t *testing.T) {
	s := &Server{MaxBodyBytes: 1 << 10}
	for _, body := range []string{`{"customer":{"attributes":{"k":"v\u0000"}}}`, `{"customer":{"attributes":{"k\u0000":"v"}}}`, `{"customer":{"name":"\u0000"}}`} {
		e := echo.New()
		c := e.NewContext(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)), httptest.NewRecorder())
		var v createConversationRequest
		if err := s.bind(c, &v); code(err) != chat.EINVALID {
			t.Errorf("bind(%s) = %v, want invalid", body, err)
		}
	}
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return chat.ErrorCode(err)
}

// FuzzBind checks any body is either decoded or refused with a client error, never a panic or
// an internal error.
func FuzzBind(f *testing.F) {
	f.Add(`{"text":"hi","external_id":"x"}`)
	f.Add(`{"text":"\u0000\ud800"}`)
	f.Add(`[]`)
	s := &Server{MaxBodyBytes: 1 << 10}
	f.Fuzz(func(t *testing.T, body string) {
		_, err := bindBody(s, body)
		if c := code(err); c != "" && c != chat.EINVALID && c != chat.ETOOLARGE {
			t.Fatalf("bind(%q) = %v, want invalid or too_large", body, err)
		}
	})
}

func TestVisitorTokens(t *testing.T) {
	v := &Visitors{Secret: []byte(strings.Repeat("k", 32)), Now: func() time.Time { return time.Unix(1_800_000_000, 0) }}
	tok, err := v.Issue("vis", "conv")
	if err != nil {
		t.Fatal(err)
	}
	if vis, conv, err := v.Verify(tok); err != nil || vis != "vis" || conv != "conv" {
		t.Fatalf("Verify = %q %q %v", vis, conv, err)
	}
	other := &Visitors{Secret: []byte(strings.Repeat("x", 32)), Now: v.Now}
	for name, bad := range map[string]string{"other key": mustIssue(t, other), "garbage": "a.b.c", "empty": "", "tampered": tok[:len(tok)-2] + "xx"} {
		if _, _, err := v.Verify(bad); chat.ErrorCode(err) != chat.EUNAUTHORIZED {
			t.Errorf("%s: Verify err = %v, want unauthorized", name, err)
		}
	}
	late := &Visitors{Secret: v.Secret, Now: func() time.Time { return v.Now().Add(visitorTokenTTL + time.Hour) }}
	if _, _, err := late.Verify(tok); err == nil {
		t.Error("expired token accepted")
	}
}

func mustIssue(t *testing.T, v *Visitors) string {
	t.Helper()
	tok, err := v.Issue("vis", "conv")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(1, 3)
	allowed := 0
	for range 10 {
		if l.Reserve("a") == 0 {
			allowed++
		}
	}
	if allowed != 3 || l.Reserve("b") != 0 {
		t.Fatalf("allowed %d of a burst (want 3), or another key was limited", allowed)
	}
}

func TestKeyCache(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	calls := 0
	valid := map[string]bool{"h1": true}
	c := &KeyCache{Now: func() time.Time { return now }, Lookup: func(_ context.Context, h string) (chat.APIKey, error) {
		calls++
		if !valid[h] {
			return chat.APIKey{}, chat.Errorf(chat.ENOTFOUND, "api key not found")
		}
		return chat.APIKey{ID: h}, nil
	}}
	ctx := context.Background()
	for range 3 {
		if _, err := c.Get(ctx, "h1"); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 1 {
		t.Fatalf("store looked up %d times, want 1", calls)
	}
	if _, err := c.Get(ctx, "nope"); chat.ErrorCode(err) != chat.ENOTFOUND {
		t.Fatalf("unknown key err = %v", err)
	}
	valid["h1"] = false // revoked
	now = now.Add(keyCacheTTL + time.Second)
	if _, err := c.Get(ctx, "h1"); err == nil {
		t.Fatal("revoked key still accepted after the cache TTL")
	}
}
