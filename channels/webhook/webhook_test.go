package webhook

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestVerifyReplayWindow(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	a := &Adapter{Secret: "s", Now: func() time.Time { return now }}
	body := []byte(`{"user_id":"u","message_id":"1","text":"hi"}`)
	req := func(ts int64, sig string) error {
		r := httptest.NewRequest("POST", "/webhooks/generic", nil)
		r.Header.Set("X-Tandem-Timestamp", strconv.FormatInt(ts, 10))
		r.Header.Set("X-Tandem-Signature", sig)
		return a.verify(r, body)
	}
	if err := req(now.Unix(), Sign("s", now.Unix(), body)); err != nil {
		t.Fatal(err)
	}
	old := now.Add(-6 * time.Minute).Unix()
	if err := req(old, Sign("s", old, body)); err == nil || !strings.Contains(err.Error(), "replay window") {
		t.Fatalf("a replayed request: %v", err)
	}
	if err := req(now.Unix(), Sign("other", now.Unix(), body)); err == nil {
		t.Fatal("a wrong key was accepted")
	}
	if err := req(now.Unix()+1, Sign("s", now.Unix(), body)); err == nil {
		t.Fatal("a signature for another timestamp was accepted")
	}
}

func FuzzParseMessage(f *testing.F) {
	f.Add([]byte(`{"user_id":"u","message_id":"1","text":"hi"}`))
	f.Add([]byte(`{"user_id":""}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		if err == nil && (m.UserID == "" || m.MessageID == "" || strings.TrimSpace(m.Text) == "") {
			t.Fatalf("accepted %+v", m)
		}
	})
}
