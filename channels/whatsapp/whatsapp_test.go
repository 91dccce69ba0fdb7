package whatsapp

import (
	"context"
	"errors"
	"strings"
	"time"

	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"tandem/chat"
	"testing"
)

const example = `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
 "metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],
 "messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383","type":"text","text":{"body":"Does it come in another color?"}}]}}]}]}`

func TestParsePayload(t *testing.T) {
	ins, err := ParsePayload([]byte(example))
	if err != nil || len(ins) != 1 {
		t.Fatalf("%+v %v", ins, err)
	}
	in := ins[0]
	if in.CustomerKey != "wa-16505551234" || in.Name != "Sheena Nelson" || in.Text != "Does it come in another color?" || in.MessageID == "" {
		t.Fatalf("%+v", in)
	}
	status := `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"wamid.x","status":"read"}]}}]}]}`
	if ins, err := ParsePayload([]byte(status)); err != nil || len(ins) != 0 {
		t.Fatalf("a status callback: %+v %v", ins, err)
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
	f.Fuzz(func(t *testing.T, b []byte) {
		ins, err := ParsePayload(b)
		for _, in := range ins {
			if err == nil && (in.MessageID == "" || in.ExternalID == "" || in.Text == "") {
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
