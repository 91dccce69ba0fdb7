package config

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

func load(env map[string]string, args ...string) (Config, error) {
	c, _, err := Load("tandem serve", func(k string) string { return env[k] }, args, io.Discard, nil)
	return c, err
}

func TestLoadDefaultsAndOverrides(t *testing.T) {
	c, err := load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != DefaultAddr || c.DataDir != DefaultDataDir || c.MaxBodyBytes != DefaultMaxBodyBytes || c.DatabaseURL != "" {
		t.Fatalf("defaults = %+v", c)
	}
	c, err = load(map[string]string{"TANDEM_ADDR": "0.0.0.0:9000", "TANDEM_MAX_BODY_BYTES": "2048"}, "--addr", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:0" || c.MaxBodyBytes != 2048 {
		t.Fatalf("flag should beat env: %+v", c)
	}
}

func TestLoadNamesBadSettings(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"TANDEM_ADDR": "8080"}, "TANDEM_ADDR"},
		{map[string]string{"TANDEM_ADDR": "x:99999"}, "TANDEM_ADDR"},
		{map[string]string{"DATABASE_URL": "mysql://db"}, "DATABASE_URL"},
		{map[string]string{"TANDEM_LLM_BASE_URL": "localhost:11434"}, "TANDEM_LLM_BASE_URL"},
		{map[string]string{"TANDEM_LLM_BASE_URL": "http://localhost:11434/v1"}, "TANDEM_LLM_MODEL"},
		{map[string]string{"TANDEM_LOG_LEVEL": "loud"}, "TANDEM_LOG_LEVEL"},
		{map[string]string{"TANDEM_MAX_BODY_BYTES": "-1"}, "TANDEM_MAX_BODY_BYTES"},
		{map[string]string{"TANDEM_WIDGET_RATE": "fast"}, "TANDEM_WIDGET_RATE"},
		{map[string]string{"TANDEM_SHUTDOWN_TIMEOUT": "10"}, "TANDEM_SHUTDOWN_TIMEOUT"},
		{map[string]string{"TANDEM_VISITOR_SECRET": "short"}, "TANDEM_VISITOR_SECRET"},
		{map[string]string{"TANDEM_WIDGET_ORIGINS": "https://shop.example.com/widget"}, "TANDEM_WIDGET_ORIGINS"},
		{map[string]string{"TANDEM_WIDGET_ORIGINS": "shop.example.com"}, "TANDEM_WIDGET_ORIGINS"},
		{map[string]string{"TANDEM_WIDGET_ORIGINS": "*"}, "TANDEM_WIDGET_ORIGINS"},
		{map[string]string{"TANDEM_METRICS_TOKEN": "short"}, "TANDEM_METRICS_TOKEN"},
		{map[string]string{"TANDEM_READ_TIMEOUT": "30"}, "TANDEM_READ_TIMEOUT"},
		{map[string]string{"TANDEM_MAX_CONNS_PER_IP": "0"}, "TANDEM_MAX_CONNS_PER_IP"},
	} {
		if _, err := load(tt.env); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("env %v: err %v, want it to name %s", tt.env, err, tt.want)
		}
	}
	if _, err := load(nil, "--help"); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help err = %v", err)
	}
}

func TestTelegramNeedsASecret(t *testing.T) {
	env := map[string]string{"TANDEM_TELEGRAM_BOT_TOKEN": "123:abc"}
	_, _, err := Load("t", func(k string) string { return env[k] }, nil, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "TANDEM_TELEGRAM_SECRET") {
		t.Fatalf("token without secret: %v", err)
	}
	env["TANDEM_TELEGRAM_SECRET"] = "bad secret!"
	if _, _, err := Load("t", func(k string) string { return env[k] }, nil, io.Discard, nil); err == nil {
		t.Fatal("a secret with spaces was accepted")
	}
	env["TANDEM_TELEGRAM_SECRET"] = "s3cr3t_Token-1"
	if c, _, err := Load("t", func(k string) string { return env[k] }, nil, io.Discard, nil); err != nil || c.TelegramAPIBase != "https://api.telegram.org" {
		t.Fatalf("valid: %v %+v", err, c.TelegramAPIBase)
	}
}

// TestFlagsInterspersed: flags after positional arguments are read; "--" ends them; a server-only
// flag is refused by a command that does not serve.
func TestFlagsInterspersed(t *testing.T) {
	var k int
	_, rest, err := Load("tandem kb search", func(string) string { return "" }, []string{"flat", "tyre", "--k", "3", "--", "--x"}, io.Discard,
		func(fs *flag.FlagSet) { fs.IntVar(&k, "k", 5, "") })
	if err != nil || k != 3 || strings.Join(rest, " ") != "flat tyre --x" {
		t.Fatalf("k %d, rest %q, err %v; want 3 and the words, with --x after --", k, rest, err)
	}
	if _, _, err := Load("tandem ask", func(string) string { return "" }, []string{"hi", "--addr", "x:1"}, io.Discard, nil); err == nil {
		t.Fatal("ask accepted the server's --addr")
	}
}

func TestPublicBaseAndOwnOrigins(t *testing.T) {
	c := Config{WidgetOrigins: []string{"https://shop.example"}}
	for base, want := range map[string]string{"http://0.0.0.0:8080": "http://localhost:8080", "http://[::]:8080": "http://localhost:8080", "http://10.0.0.2:8080": "http://10.0.0.2:8080"} {
		if got := c.PublicBase(base); got != want {
			t.Errorf("PublicBase(%q) = %q, want %q", base, got, want)
		}
	}
	if got := c.OwnOrigins(); len(got) != 1 {
		t.Errorf("OwnOrigins without a public URL = %v", got)
	}
	c.PublicURL = "https://help.example/support/"
	if got := c.PublicBase("http://0.0.0.0:8080"); got != "https://help.example/support" {
		t.Errorf("PublicBase with TANDEM_PUBLIC_URL = %q", got)
	}
	if got := c.OwnOrigins(); len(got) != 2 || got[1] != "https://help.example" || len(c.WidgetOrigins) != 1 {
		t.Errorf("OwnOrigins = %v (configured %v)", got, c.WidgetOrigins)
	}
}
