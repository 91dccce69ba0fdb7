package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"tandem/channels/webhook"
)

// TestBoundaryInput on Postgres: a NUL byte in text is a clear 400 on the APIs and is stripped
// from webhook deliveries (so the message is stored and acknowledged, not redelivered forever);
// the search playground answers a query with no words without a 500; a WhatsApp delivery of
// 2 MB (the platform documents up to 3 MB) is taken.
func TestBoundaryInput(t *testing.T) {
	const secret = "boundary-webhook-secret-0123456789abcdef"
	env := demoEnv(t, t.TempDir())
	env["DATABASE_URL"] = pgSchemaURL(t)
	env["TANDEM_WEBHOOK_SECRET"], env["TANDEM_WEBHOOK_URL"] = secret, "http://127.0.0.1:1/replies"
	in := start(t, env, "demo")

	var c apiConversation
	if code := in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"nul"}}`, &c); code != 201 {
		t.Fatalf("create = %d", code)
	}
	var e apiError
	if code := in.call(t, "POST", "/api/v1/conversations/"+c.ID+"/messages", `{"text":"hello\u0000there"}`, &e); code != 400 || e.Error.Code != "invalid" {
		t.Fatalf("a NUL in an app message = %d %+v, want 400 invalid", code, e)
	}
	var s widgetSession
	in.callKey(t, "", "POST", "/api/widget/session", `{}`, &s)
	if code := in.callKey(t, s.VisitorToken, "POST", "/api/widget/messages", `{"text":"hi\u0000"}`, &e); code != 400 {
		t.Fatalf("a NUL in a widget message = %d %+v, want 400", code, e)
	}
	body := `{"user_id":"nul-user","message_id":"n1","text":"How do I file\u0000 a claim?"}`
	ts := time.Now().Unix()
	if code := postWebhook(t, in.base+"/webhooks/generic", body, map[string]string{
		"X-Tandem-Timestamp": strconv.FormatInt(ts, 10), "X-Tandem-Signature": webhook.Sign(secret, ts, []byte(body))}); code != 200 {
		t.Fatalf("a webhook delivery with a NUL = %d, want 200 (stored without it)", code)
	}
	for _, q := range []string{"!!!", "? ? ?", "—", "\u00a0"} {
		var out map[string]any
		if code := in.call(t, "GET", "/api/v1/kb/search?q="+url.QueryEscape(q), "", &out); code == 500 {
			t.Fatalf("search for %q = 500, want an empty result or 400\n%s", q, in.errs)
		}
	}
}

// TestWhatsAppLargeDelivery: Meta documents webhook payloads of up to 3 MB; a 2 MB delivery is
// taken (200), not refused as too large by the API's 1 MiB JSON limit.
func TestWhatsAppLargeDelivery(t *testing.T) {
	in, _ := channelServer(t, "whatsapp")
	pad := strings.Repeat("x", 2<<20)
	body := fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
		"metadata":{"phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Ann"},"wa_id":"16505551234"}],
		"messages":[{"from":"16505551234","id":"wamid.big1","timestamp":"1749416383","type":"text","text":{"body":"hello"}}]}}]}],"pad":%q}`, pad)
	code := postWebhook(t, in.base+"/webhooks/whatsapp", body, map[string]string{"X-Hub-Signature-256": waSign("app-secret", body)})
	if code != http.StatusOK {
		t.Fatalf("a 2 MB WhatsApp delivery = %d, want 200", code)
	}
}

// waSign is X-Hub-Signature-256 for body under the app secret.
func waSign(secret, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
