package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"tandem/channels/channeltest"
	"tandem/chat"
)

// post signs body with the app secret and delivers it to the webhook.
func post(t *testing.T, a *Adapter, body []byte) int {
	t.Helper()
	mac := hmac.New(sha256.New, []byte(a.AppSecret))
	mac.Write(body)
	req := httptest.NewRequest("POST", "/webhooks/whatsapp", strings.NewReader(string(body)))
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	w := httptest.NewRecorder()
	a.ServeHTTP(w, req)
	return w.Code
}

// TestRealPayloads feeds the payloads in testdata (see testdata/README.md) through the signed
// webhook: what a customer wrote reaches the receiver with the right sender, with its attachment
// when it is not text; statuses, reactions, system messages and other fields are acknowledged
// with 200 and nothing delivered.
func TestRealPayloads(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string // "customer key|text|attachment kind" per delivered message
	}{
		{"multi_changes_userprefs.json", []string{"wa-16505551234|Hello from a text message!|", "wa-16505551234||location", "wa-16505551234||sticker"}},
		{"template_button.json", []string{"wa-15551234567|No|"}},
		{"referral_text.json", []string{"wa-100100200|Hi from an ad click!|"}},
		{"product_inquiry.json", []string{"wa-16789991111|Interested in your product!|"}},
		{"flow_nfm_reply.json", []string{"wa-16505551234||other"}},
		{"order.json", []string{"wa-16505551234|Can these ship by Friday?|other"}},
		{"system_user_changed_number.json", nil},
		{"status_sent_pricing.json", nil},
		{"status_read_delivered.json", nil},
		{"value_errors.json", nil},
		{"template_status_update.json", nil},
		{"dashboard_test_change.json", []string{"wa-16315551181|this is a text message|"}},
		{"change_without_field.json", []string{"wa-16315551181|this is a text message|"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			rec := &channeltest.Recorder{}
			a := &Adapter{AppSecret: "app-secret", Receiver: rec, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now}
			if code := post(t, a, body); code != 200 {
				t.Fatalf("status %d, want 200", code)
			}
			var got []string
			for _, in := range rec.Got {
				kind := ""
				if len(in.Attachments) > 0 {
					kind = in.Attachments[0].Kind
				}
				if in.MessageID == "" || in.Channel != Channel {
					t.Errorf("incomplete inbound %+v", in)
				}
				got = append(got, in.CustomerKey+"|"+in.Text+"|"+kind)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("delivered\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if len(rec.Failed) > 0 {
				t.Fatalf("failures reported: %v", rec.Failed)
			}
		})
	}
}

// TestFlowAndOrderDetails: a Flow's answers and an order's note reach the agent in the attachment.
func TestFlowAndOrderDetails(t *testing.T) {
	for file, want := range map[string]string{"flow_nfm_reply.json": "claim-status", "order.json": "Can these ship by Friday?"} {
		body, _ := os.ReadFile("testdata/" + file)
		d, err := ParsePayload(body)
		if err != nil || len(d.Messages) != 1 || len(d.Messages[0].Attachments) != 1 {
			t.Fatalf("%s: %+v %v", file, d, err)
		}
		if a := d.Messages[0].Attachments[0]; a.Kind != chat.KindOther || !strings.Contains(a.Name, want) {
			t.Errorf("%s: attachment %+v, want one naming %q", file, a, want)
		}
	}
}
