package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tandem/sqlite"
)

// TestChannelAddressChangeNeedsSecrets: an admin session (or whoever holds one) changing only a
// channel's api_base cannot send the stored bot token to the new host: the change is refused
// until the secrets are entered again, and the channel keeps working where it was.
func TestChannelAddressChangeNeedsSecrets(t *testing.T) {
	h := channelHarnesses[0] // telegram: the token is part of every API path
	fake, env, deliver := h.setup(t)
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
	if code := deliver(t, in.base, false, 30001, "How do I file a claim?"); code != 200 {
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

// TestDataAtRest: the data directory and database file are private to the server's user, and a
// channel token saved in the admin console is not in the database files in plaintext.
func TestDataAtRest(t *testing.T) {
	h := channelHarnesses[0]
	fake, env, deliver := h.setup(t)
	dir := filepath.Join(t.TempDir(), "data")
	serverEnv := demoEnv(t, dir)
	serverEnv["TANDEM_OUTBOUND_ALLOW"] = env["TANDEM_OUTBOUND_ALLOW"]
	in := start(t, serverEnv, "demo")
	admin := deskLogin(t, in.base, "admin", demoAdminPassword)
	body := fmt.Sprintf(`{"fields":{"bot_token":%q,"secret":%q,"api_base":%q}}`, env["TANDEM_TELEGRAM_BOT_TOKEN"], env["TANDEM_TELEGRAM_SECRET"], fake.URL)
	if code := admin.do(t, "PUT", "/api/admin/channels/telegram", body, nil); code != 200 {
		t.Fatalf("PUT telegram = %d", code)
	}
	in.stop()
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data dir: %v %v, want mode 0700", fi.Mode().Perm(), err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "tandem.db*"))
	if len(files) == 0 {
		t.Fatal("no database file")
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v %v, want 0600", filepath.Base(f), fi.Mode().Perm(), err)
		}
		data, _ := os.ReadFile(f)
		for _, secret := range []string{env["TANDEM_TELEGRAM_BOT_TOKEN"], env["TANDEM_TELEGRAM_SECRET"]} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s holds the secret %q in plaintext", filepath.Base(f), secret)
			}
		}
	}
	// Under another server secret the sealed settings do not open: the server still starts,
	// with the channel off until an admin enters it again.
	serverEnv["TANDEM_VISITOR_SECRET"] = strings.Repeat("x", 40)
	in = start(t, serverEnv, "demo")
	if code := deliver(t, in.base, false, 50001, "hi"); code != 404 {
		t.Errorf("telegram webhook with unreadable stored secrets = %d, want 404 (off)", code)
	}
}

// TestPlaintextChannelSecretsStillLoad: channel settings stored before secrets were sealed keep
// working after an upgrade, and are sealed in the database on the first start.
func TestPlaintextChannelSecretsStillLoad(t *testing.T) {
	h := channelHarnesses[0]
	fake, env, deliver := h.setup(t)
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	old := fmt.Sprintf(`{"telegram":{"bot_token":%q,"secret":%q,"api_base":%q}}`, env["TANDEM_TELEGRAM_BOT_TOKEN"], env["TANDEM_TELEGRAM_SECRET"], fake.URL)
	if err := st.PutSetting(ctx, "channels", old, time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	serverEnv := demoEnv(t, dir)
	serverEnv["TANDEM_OUTBOUND_ALLOW"] = env["TANDEM_OUTBOUND_ALLOW"]
	in := start(t, serverEnv, "demo")
	if code := deliver(t, in.base, false, 40001, "How do I file a claim?"); code != 200 {
		t.Fatalf("webhook with plaintext-stored settings = %d", code)
	}
	for deadline := time.Now().Add(10 * time.Second); fake.count("400-800-1234") != 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no answer through the plaintext-stored token: %q", fake.sent)
		}
	}
	in.stop()
	st, err = sqlite.Open(filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	raw, err := st.Setting(ctx, "channels")
	if err != nil || strings.Contains(raw, env["TANDEM_TELEGRAM_BOT_TOKEN"]) || !strings.Contains(raw, "enc:v1:") || !strings.Contains(raw, fake.URL) {
		t.Fatalf("stored settings after the start: %s %v; want the secrets sealed, the address kept", raw, err)
	}
}
