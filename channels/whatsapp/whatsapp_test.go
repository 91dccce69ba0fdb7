package whatsapp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tandem/channels"
	"tandem/chat"
)

const example = `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
 "metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],
 "messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383","type":"text","text":{"body":"Does it come in another color?"}}]}}]}]}`

func TestParsePayload(t *testing.T) {
	d, err := ParsePayload([]byte(example))
	if err != nil || len(d.Messages) != 1 {
		t.Fatalf("%+v %v", d, err)
	}
	in := d.Messages[0]
	if in.CustomerKey != "wa-16505551234" || in.Name != "Sheena Nelson" || in.Text != "Does it come in another color?" || in.MessageID == "" {
		t.Fatalf("%+v", in)
	}
	status := `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"wamid.x","status":"read"}]}}]}]}`
	if d, err := ParsePayload([]byte(status)); err != nil || len(d.Messages) != 0 || len(d.Failures) != 0 {
		t.Fatalf("a status callback: %+v %v", d, err)
	}
	for _, bad := range []string{``, `{}`, `{"object":"page"}`, `[]`} {
		if _, err := ParsePayload([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestSignature(t *testing.T) {
	a := &Adapter{AppSecret: "app-secret"}
	mac := hmac.New(sha256.New, []byte("app-secret"))
	mac.Write([]byte("{}"))
	if !a.signed("sha256="+hex.EncodeToString(mac.Sum(nil)), []byte("{}")) {
		t.Fatal("a correct signature was refused")
	}
	for _, h := range []string{"", "sha1=abc", "sha256=zz", "sha256=00", hex.EncodeToString(mac.Sum(nil))} {
		if a.signed(h, []byte("{}")) {
			t.Errorf("accepted %q", h)
		}
	}
}

func FuzzParsePayload(f *testing.F) {
	f.Add([]byte(example))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{}]}}]}]}`))
	files, _ := os.ReadDir("testdata")
	for _, file := range files {
		if b, err := os.ReadFile("testdata/" + file.Name()); err == nil && strings.HasSuffix(file.Name(), ".json") {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParsePayload(b)
		for _, in := range d.Messages {
			if err == nil && (in.MessageID == "" || in.ExternalID == "" || (strings.TrimSpace(in.Text) == "" && len(in.Attachments) == 0)) {
				t.Fatalf("incomplete inbound %+v", in)
			}
		}
	})
}

func TestWindowClosed(t *testing.T) {
	now := time.Now()
	a := &Adapter{Now: func() time.Time { return now }}
	err := a.Send(context.Background(), chat.Conversation{ID: "c", CustomerID: "wa-1", LastCustomerAt: now.Add(-25 * time.Hour)}, chat.Message{Text: "hi"})
	if !errors.Is(err, chat.ErrUndeliverable) || !strings.Contains(err.Error(), "24-hour") {
		t.Fatalf("err = %v", err)
	}
}

// TestPacingAndRateLimits: sends to one user are paced per the pair limit, and WhatsApp's
// rate-limit error asks the outbox to wait instead of backing off blindly.
func TestPacingAndRateLimits(t *testing.T) {
	var sent atomic.Int32
	limited := atomic.Bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if limited.Load() {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"message":"(#131056) (Business Account, Consumer Account) pair rate limit hit","type":"OAuthException","code":131056}}`)
			return
		}
		sent.Add(1)
		fmt.Fprint(w, `{"messaging_product":"whatsapp","contacts":[{"input":"+16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.x"}]}`)
	}))
	defer srv.Close()
	now := time.Now()
	a := &Adapter{PhoneID: "106540352242922", Token: "t", APIBase: srv.URL, Client: srv.Client(), Now: func() time.Time { return now },
		Pacer: &channels.Pacer{Every: 6 * time.Second, Burst: 2}}
	conv := chat.Conversation{ID: "c", CustomerID: "wa-16505551234", LastCustomerAt: now}
	ctx := context.Background()
	for range 2 {
		if err := a.Send(ctx, conv, chat.Message{Text: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	var later *chat.RetryAfter
	if err := a.Send(ctx, conv, chat.Message{Text: "third"}); !errors.As(err, &later) || later.Wait <= 0 || sent.Load() != 2 {
		t.Fatalf("third send at once: %v (sent %d), want a paced retry", err, sent.Load())
	}
	now = now.Add(time.Minute)
	limited.Store(true)
	if err := a.Send(ctx, conv, chat.Message{Text: "x"}); !errors.As(err, &later) || later.Wait != rateLimitWait {
		t.Fatalf("131056: %v, want a retry after %s", err, rateLimitWait)
	}
}

// TestTemplateOutsideWindow: with a template configured, a reply outside the 24-hour window goes
// out as that template with the reply as its (cleaned) parameter, not as free text.
func TestTemplateOutsideWindow(t *testing.T) {
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewDecoder(r.Body).Decode(&got)
		fmt.Fprint(w, `{"messaging_product":"whatsapp","messages":[{"id":"wamid.t"}]}`)
	}))
	defer srv.Close()
	now := time.Now()
	a := &Adapter{PhoneID: "1", Token: "t", APIBase: srv.URL, Client: srv.Client(), Now: func() time.Time { return now }, Template: "support_reply:en_US"}
	conv := chat.Conversation{ID: "c", CustomerID: "wa-16505551234", LastCustomerAt: now.Add(-30 * time.Hour)}
	if err := a.Send(context.Background(), conv, chat.Message{Text: "Your claim\nis approved.\t Thanks"}); err != nil {
		t.Fatal(err)
	}
	tpl, _ := got["template"].(map[string]any)
	body, _ := json.Marshal(tpl)
	if got["type"] != "template" || tpl["name"] != "support_reply" || !strings.Contains(string(body), `"code":"en_US"`) ||
		!strings.Contains(string(body), `"text":"Your claim is approved. Thanks"`) {
		t.Fatalf("sent %v", got)
	}
}
