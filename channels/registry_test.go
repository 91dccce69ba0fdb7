package channels

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"tandem/chat"
	"tandem/config"
	"tandem/vault"
)

// settingsMem is a settings table in memory.
type settingsMem struct {
	mu   sync.Mutex
	vals map[string]string
}

func (m *settingsMem) Setting(ctx context.Context, key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.vals[key], nil
}

func (m *settingsMem) PutSetting(ctx context.Context, key, value string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.vals[key] = value
	return nil
}

// fakeAdapter stands in for a channel adapter; token is the token it was built with.
type fakeAdapter struct{ token, base string }

func (fakeAdapter) ServeHTTP(http.ResponseWriter, *http.Request)                {}
func (fakeAdapter) Authentic(*http.Request, []byte) bool                        { return true }
func (fakeAdapter) Send(context.Context, chat.Conversation, chat.Message) error { return nil }

// buildTelegram builds a fake adapter for telegram when it is configured.
func buildTelegram(cfg config.Config) (map[string]Adapter, error) {
	out := map[string]Adapter{}
	if cfg.TelegramToken != "" {
		out["telegram"] = fakeAdapter{token: cfg.TelegramToken, base: cfg.TelegramAPIBase}
	}
	return out, nil
}

func testVault(t *testing.T, key byte) *vault.Vault {
	t.Helper()
	v, err := vault.New([]byte(strings.Repeat(string(rune('a'+key)), 32)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// envConfig is the configuration from an environment of env only.
func envConfig(t *testing.T, env map[string]string) config.Config {
	t.Helper()
	cfg, _, err := config.Load("test", func(k string) string {
		if k == "TANDEM_DATA_DIR" {
			return t.TempDir()
		}
		return env[k]
	}, nil, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func newRegistry(t *testing.T, st *settingsMem, v *vault.Vault) *Registry {
	t.Helper()
	r := &Registry{Env: envConfig(t, nil), Store: st, Build: buildTelegram, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Vault: v}
	if err := r.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMask(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"short", "••••"}, {"12345678", "••••"}, {"123456789", "••••6789"}, {"秘密秘密秘密秘密钥匙", "••••秘密钥匙"},
	} {
		if got := Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func telegramView(t *testing.T, r *Registry) View {
	t.Helper()
	views, err := r.Channels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range views {
		if v.Name == "telegram" {
			return v
		}
	}
	t.Fatal("no telegram channel")
	return View{}
}

func field(v View, key string) Field {
	for _, f := range v.Fields {
		if f.Key == key {
			return f
		}
	}
	return Field{}
}

func TestRegistrySealsMasksAndKeepsSecrets(t *testing.T) {
	ctx := context.Background()
	st := &settingsMem{vals: map[string]string{}}
	r := newRegistry(t, st, testVault(t, 0))
	if _, ok := r.Webhook("telegram"); ok || telegramView(t, r).Enabled {
		t.Fatal("telegram enabled without settings")
	}
	const token = "123456:bot-token-of-some-length"
	v, err := r.PutChannel(ctx, "telegram", map[string]string{"bot_token": token, "secret": "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Enabled || v.Source != "admin" || field(v, "bot_token").Value != "••••ngth" || field(v, "secret").Value != "••••" {
		t.Fatalf("view after put: %+v", v)
	}
	raw := st.vals[SettingsKey]
	if strings.Contains(raw, token) || strings.Contains(raw, "s3cret") {
		t.Fatalf("a secret is stored in plaintext: %s", raw)
	}
	// The console sends the masked value back with another change: the secret stays.
	if _, err := r.PutChannel(ctx, "telegram", map[string]string{"bot_token": "••••ngth", "greeting": " hi "}); err != nil {
		t.Fatal(err)
	}
	a, _ := r.Sender("telegram")
	if got := a.(fakeAdapter).token; got != token {
		t.Errorf("token after a masked put = %q, want the stored one", got)
	}
	if g := field(telegramView(t, r), "greeting").Value; g != "hi" {
		t.Errorf("greeting = %q, want it trimmed", g)
	}
	// Another replica opens the sealed settings with the same secret.
	other := newRegistry(t, st, testVault(t, 0))
	if a, ok := other.Sender("telegram"); !ok || a.(fakeAdapter).token != token {
		t.Fatalf("another replica's telegram: %v %+v", ok, a)
	}
	// With another server secret the channel's settings do not open: left out, not fatal.
	if _, ok := newRegistry(t, st, testVault(t, 1)).Sender("telegram"); ok {
		t.Error("settings sealed with another secret enabled the channel")
	}
	if err := r.DeleteChannel(ctx, "telegram"); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Webhook("telegram"); ok {
		t.Error("telegram still enabled after delete")
	}
}

func TestRegistryRefusesBadSettings(t *testing.T) {
	ctx := context.Background()
	r := newRegistry(t, &settingsMem{vals: map[string]string{}}, testVault(t, 0))
	for _, tc := range []struct {
		name   string
		fields map[string]string
		code   string
	}{
		{"nope", map[string]string{}, chat.ENOTFOUND},
		{"telegram", map[string]string{"colour": "red"}, chat.EINVALID},
		{"telegram", map[string]string{"bot_token": "123456:abc"}, chat.EINVALID}, // no secret_token: config refuses
	} {
		if _, err := r.PutChannel(ctx, tc.name, tc.fields); chat.ErrorCode(err) != tc.code {
			t.Errorf("PutChannel(%s, %v) = %v, want %s", tc.name, tc.fields, err, tc.code)
		}
	}
	if _, ok := r.Webhook("telegram"); ok {
		t.Error("a refused setting enabled telegram")
	}
}

func TestRegistryAddressChangeNeedsSecrets(t *testing.T) {
	ctx := context.Background()
	r := newRegistry(t, &settingsMem{vals: map[string]string{}}, testVault(t, 0))
	if _, err := r.PutChannel(ctx, "telegram", map[string]string{"bot_token": "123456:abcdefghij", "secret": "s1", "api_base": "https://api.telegram.org"}); err != nil {
		t.Fatal(err)
	}
	_, err := r.PutChannel(ctx, "telegram", map[string]string{"api_base": "https://evil.example"})
	if chat.ErrorCode(err) != chat.EINVALID || !strings.Contains(err.Error(), "bot_token, secret") {
		t.Fatalf("moving the address keeping the secrets: %v", err)
	}
	if _, err := r.PutChannel(ctx, "telegram", map[string]string{"api_base": "https://proxy.example", "bot_token": "123456:newtoken12", "secret": "s2"}); err != nil {
		t.Fatalf("moving the address with new secrets: %v", err)
	}
	if a, _ := r.Sender("telegram"); a.(fakeAdapter).base != "https://proxy.example" {
		t.Errorf("adapter base = %q", a.(fakeAdapter).base)
	}
}

func TestRegistrySealsPlaintextSettings(t *testing.T) {
	plain, _ := json.Marshal(map[string]map[string]string{"telegram": {"bot_token": "123456:plaintext-token", "secret": "s1"}})
	st := &settingsMem{vals: map[string]string{SettingsKey: string(plain)}}
	r := newRegistry(t, st, testVault(t, 0))
	if a, ok := r.Sender("telegram"); !ok || a.(fakeAdapter).token != "123456:plaintext-token" {
		t.Fatalf("plaintext settings did not load: %v %+v", ok, a)
	}
	if strings.Contains(st.vals[SettingsKey], "plaintext-token") {
		t.Errorf("plaintext secrets were not sealed on load: %s", st.vals[SettingsKey])
	}
}

func TestRegistryEnvSource(t *testing.T) {
	st := &settingsMem{vals: map[string]string{}}
	r := &Registry{Env: envConfig(t, map[string]string{"TANDEM_TELEGRAM_BOT_TOKEN": "123456:from-the-env", "TANDEM_TELEGRAM_SECRET": "s"}),
		Store: st, Build: buildTelegram, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Vault: testVault(t, 0)}
	if err := r.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v := telegramView(t, r); v.Source != "env" || !v.Enabled || field(v, "bot_token").Value != "••••-env" {
		t.Errorf("view = %+v", v)
	}
	cfg := r.Env
	Clear(&cfg)
	if cfg.TelegramToken != "" || cfg.TelegramSecret != "" {
		t.Error("Clear left telegram settings")
	}
}
