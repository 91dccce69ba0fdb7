package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestChannelAddressChangeNeedsSecrets: an admin session (or whoever holds one) changing only a
// channel's api_base cannot send the stored bot token to the new host: the change is refused
// until the secrets are entered again, and the channel keeps working where it was.
func TestChannelAddressChangeNeedsSecrets(t *testing.T) {
	h := channelHarnesses[0] // telegram: the token is part of every API path
	fake, env := h.setup(t)
	var stolen atomic.Int32
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, env["TANDEM_TELEGRAM_BOT_TOKEN"]) {
			stolen.Add(1)
		}
		fmt.Fprint(w, `{"ok":true,"result":{"message_id":1,"chat":{"id":1111111,"type":"private"},"date":1}}`)
	}))
	defer attacker.Close()
	serverEnv := demoEnv(t, t.TempDir())
	serverEnv["TANDEM_OUTBOUND_ALLOW"] = allowed(fake.URL, attacker.URL)
	in := start(t, serverEnv, "demo")
	admin := deskLogin(t, in.base, "admin", demoAdminPassword)
	body := fmt.Sprintf(`{"fields":{"bot_token":%q,"secret":%q,"api_base":%q}}`, env["TANDEM_TELEGRAM_BOT_TOKEN"], env["TANDEM_TELEGRAM_SECRET"], fake.URL)
	if code := admin.do(t, "PUT", "/api/admin/channels/telegram", body, nil); code != 200 {
		t.Fatalf("PUT telegram = %d", code)
	}
	for _, move := range []string{
		fmt.Sprintf(`{"fields":{"api_base":%q}}`, attacker.URL),
		fmt.Sprintf(`{"fields":{"api_base":%q,"bot_token":"••••test","secret":""}}`, attacker.URL),
		fmt.Sprintf(`{"fields":{"api_base":%q,"bot_token":"••••test","secret":%q}}`, attacker.URL, env["TANDEM_TELEGRAM_SECRET"]),
	} {
		var e apiError
		if code := admin.do(t, "PUT", "/api/admin/channels/telegram", move, &e); code != 400 || !strings.Contains(e.Error.Message, "bot_token") {
			t.Errorf("moving api_base without the token: %d %q, want 400 asking for bot_token", code, e.Error.Message)
		}
	}
	if code := h.deliver(t, in.base, false, 30001, "How do I file a claim?"); code != 200 {
		t.Fatalf("webhook = %d", code)
	}
	for deadline := time.Now().Add(10 * time.Second); fake.count("400-800-1234") != 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the channel stopped answering where it was configured: %q", fake.sent)
		}
	}
	if n := stolen.Load(); n != 0 {
		t.Fatalf("the new api_base received the stored bot token %d times", n)
	}
	// With the secrets entered again the move is the admin's informed choice.
	body = fmt.Sprintf(`{"fields":{"bot_token":"123456:NEW-token","secret":%q,"api_base":%q}}`, env["TANDEM_TELEGRAM_SECRET"], attacker.URL)
	if code := admin.do(t, "PUT", "/api/admin/channels/telegram", body, nil); code != 200 {
		t.Fatalf("PUT with the secrets re-entered = %d", code)
	}
}
