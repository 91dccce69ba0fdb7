// Package config loads Tandem's settings from flags and TANDEM_* environment variables.
package config

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"tandem/outbound"
	"tandem/secret"
)

// Config holds every setting. Flags override environment variables, which override defaults.
type Config struct {
	Addr        string // TANDEM_ADDR
	DataDir     string // TANDEM_DATA_DIR
	DatabaseURL string // DATABASE_URL; empty means the embedded SQLite store
	PublicURL   string // TANDEM_PUBLIC_URL, used in printed links

	LLMBaseURL string // TANDEM_LLM_BASE_URL
	LLMAPIKey  string // TANDEM_LLM_API_KEY
	LLMModel   string // TANDEM_LLM_MODEL
	// LLMLogProbs asks the LLM for token log probabilities, reported as a signal of each answer.
	LLMLogProbs bool // TANDEM_LLM_LOGPROBS
	// LLMTimeout bounds one generated answer, streaming included (4 s by default; reasoning
	// models such as gpt-5-mini may need more).
	LLMTimeout time.Duration // TANDEM_LLM_TIMEOUT

	// Embedder is "local" (offline, the default) or "openai" (any OpenAI-compatible /v1/embeddings).
	Embedder     string // TANDEM_EMBEDDER
	EmbedModel   string // TANDEM_EMBED_MODEL (openai), e.g. text-embedding-3-small
	EmbedDim     int    // TANDEM_EMBED_DIM: vector dimensions (local default 256; openai asks for this many)
	EmbedBaseURL string // TANDEM_EMBED_BASE_URL, defaults to TANDEM_LLM_BASE_URL
	EmbedAPIKey  string // TANDEM_EMBED_API_KEY, defaults to TANDEM_LLM_API_KEY

	// Telegram: the bot token and webhook secret enable the channel; the API base is for proxies
	// and tests.
	TelegramToken   string // TANDEM_TELEGRAM_BOT_TOKEN
	TelegramSecret  string // TANDEM_TELEGRAM_SECRET
	TelegramAPIBase string // TANDEM_TELEGRAM_API_BASE
	// TelegramGreeting answers /start and /help; empty: the built-in greeting in English or
	// Chinese, by the user's Telegram language.
	TelegramGreeting string // TANDEM_TELEGRAM_GREETING

	// WhatsApp Cloud API: the token enables the channel; the others are then required.
	WhatsAppToken       string // TANDEM_WHATSAPP_TOKEN
	WhatsAppAppSecret   string // TANDEM_WHATSAPP_APP_SECRET
	WhatsAppVerifyToken string // TANDEM_WHATSAPP_VERIFY_TOKEN
	WhatsAppPhoneID     string // TANDEM_WHATSAPP_PHONE_ID
	WhatsAppAPIBase     string // TANDEM_WHATSAPP_API_BASE
	WhatsAppTemplate    string // TANDEM_WHATSAPP_TEMPLATE: "name:language", sent outside the 24-hour window

	// WeChat Official Account: the token enables it; app id and secret are required; the AES key
	// turns safe mode on.
	WeChatToken     string // TANDEM_WECHAT_TOKEN
	WeChatAppID     string // TANDEM_WECHAT_APP_ID
	WeChatAppSecret string // TANDEM_WECHAT_APP_SECRET
	WeChatAESKey    string // TANDEM_WECHAT_AES_KEY
	WeChatAPIBase   string // TANDEM_WECHAT_API_BASE

	// Chatwoot Agent Bot: the URL and the bot's access token enable it; the secret verifies webhooks.
	ChatwootURL    string // TANDEM_CHATWOOT_URL
	ChatwootToken  string // TANDEM_CHATWOOT_TOKEN
	ChatwootSecret string // TANDEM_CHATWOOT_SECRET
	// ChatwootAccountSecret verifies an account webhook posting to the same URL (optional).
	ChatwootAccountSecret string // TANDEM_CHATWOOT_ACCOUNT_SECRET

	// WeChat Customer Service (微信客服) over the WeCom API: the corp id enables it; the secret,
	// the callback Token and EncodingAESKey and the customer service account are then required.
	// The servicer (a WeCom userid) takes handed-off sessions; the welcome greets new customers.
	WeComKFCorpID   string // TANDEM_WECOMKF_CORP_ID
	WeComKFSecret   string // TANDEM_WECOMKF_SECRET
	WeComKFToken    string // TANDEM_WECOMKF_TOKEN
	WeComKFAESKey   string // TANDEM_WECOMKF_AES_KEY
	WeComKFOpenKfID string // TANDEM_WECOMKF_OPEN_KFID
	WeComKFServicer string // TANDEM_WECOMKF_SERVICER
	WeComKFWelcome  string // TANDEM_WECOMKF_WELCOME
	WeComKFAPIBase  string // TANDEM_WECOMKF_API_BASE

	// Generic signed webhook: the secret enables it; replies go to the URL.
	WebhookSecret string // TANDEM_WEBHOOK_SECRET
	WebhookURL    string // TANDEM_WEBHOOK_URL

	// TargetPrecision is the least P(the top answer is right) at which the bot answers.
	TargetPrecision float64 // TANDEM_TARGET_PRECISION

	// The agent desk: "pick" (agents take from the queue) or "auto" (assigned to the least-loaded
	// eligible agent); an agent's default capacity; business hours per team as JSON (empty: 24/7).
	Routing string // TANDEM_ROUTING
	// Alerts: rules such as "wait_p90_seconds>300,handoff_rate>0.3" over the last day, checked
	// every few minutes; what fires is logged and posted to the webhook when set.
	AlertRules    string // TANDEM_ALERT_RULES
	AlertWebhook  string // TANDEM_ALERT_WEBHOOK
	AgentCapacity int    // TANDEM_AGENT_CAPACITY
	Hours         string // TANDEM_HOURS
	// Complaints configures complaint cases as JSON: deadline rules per category, the reopen
	// period, the escalation text (complaint.Config; empty: China's banking/insurance defaults).
	Complaints string // TANDEM_COMPLAINTS
	// Care configures the priority-care rules as JSON (care.Rules; empty: aged 65+ or flagged
	// "care" get a person in one step, at the front of the queue).
	Care string // TANDEM_CARE

	LogLevel  string // TANDEM_LOG_LEVEL: debug, info, warn, error
	LogFormat string // TANDEM_LOG_FORMAT: json or text

	// Secret is the master secret every key (widget visitor tokens) is derived from; when empty a
	// random one is generated once and kept in the data dir. TANDEM_VISITOR_SECRET, its earlier
	// name, is still read.
	Secret string // TANDEM_SECRET
	// WidgetIdentitySecret is the site's HS256 key for customer identity tokens; with
	// WidgetIdentityRequired every widget request needs a verified identity.
	WidgetIdentitySecret   string // TANDEM_WIDGET_IDENTITY_SECRET
	WidgetIdentityRequired bool   // TANDEM_WIDGET_IDENTITY_REQUIRED
	// ActionAllowHosts are hosts ("host" or "host:port") bot actions may call although they are
	// on loopback, private or link-local addresses; ActionTrustedChannels are channels whose
	// customers count as verified for actions.
	ActionAllowHosts      []string // TANDEM_ACTION_ALLOW_HOSTS (comma-separated)
	ActionTrustedChannels []string // TANDEM_ACTION_TRUSTED_CHANNELS (comma-separated)
	// MaxBodyBytes limits JSON request bodies.
	MaxBodyBytes int64 // TANDEM_MAX_BODY_BYTES
	// WidgetRate is the sustained widget messages per second allowed per visitor.
	WidgetRate float64 // TANDEM_WIDGET_RATE
	// WidgetBurst is the widget burst size per visitor.
	WidgetBurst int // TANDEM_WIDGET_BURST
	// IPRate is the sustained widget requests per second allowed per client IP (bursts of 3×).
	IPRate float64 // TANDEM_IP_RATE
	// ChannelRate is the sustained webhook deliveries per second allowed per channel (bursts of 3×).
	ChannelRate float64 // TANDEM_CHANNEL_RATE
	// VisitorSockets caps the live sockets per widget visitor (or app conversation).
	VisitorSockets int // TANDEM_VISITOR_SOCKETS
	// TrustProxy takes client IPs from X-Forwarded-For (only behind a reverse proxy).
	TrustProxy bool // TANDEM_TRUST_PROXY
	// ShutdownTimeout bounds graceful shutdown.
	ShutdownTimeout time.Duration // TANDEM_SHUTDOWN_TIMEOUT
	// ReadTimeout bounds reading one request (headers and body), WriteTimeout writing its response,
	// IdleTimeout how long a kept-alive connection may sit idle. Sockets are exempt from the first two.
	ReadTimeout  time.Duration // TANDEM_READ_TIMEOUT
	WriteTimeout time.Duration // TANDEM_WRITE_TIMEOUT
	IdleTimeout  time.Duration // TANDEM_IDLE_TIMEOUT
	// MaxConnsPerIP caps the open connections from one client IP; more are closed at once.
	MaxConnsPerIP int // TANDEM_MAX_CONNS_PER_IP
	// WidgetOrigins are the sites (scheme://host[:port]) allowed to run the widget from another
	// origin: CORS on the widget API and the widget socket's Origin check.
	WidgetOrigins []string // TANDEM_WIDGET_ORIGINS, comma-separated
	// MetricsToken, when set, is the Bearer token /metrics requires; when empty /metrics answers
	// loopback clients only.
	MetricsToken string // TANDEM_METRICS_TOKEN

	// SecretName is the variable Secret came from, for messages.
	SecretName string

	DemoAPIKey string // TANDEM_DEMO_API_KEY (demo only)

	// OutboundAllow lists hosts or host:port pairs that server-side requests (imports, channel
	// APIs, alerts, the LLM) may reach although they resolve to a loopback, private, link-local
	// or other internal address; everything else internal is refused.
	OutboundAllow string // TANDEM_OUTBOUND_ALLOW

	// DebugAddr, when set, serves Go's pprof profiles there (keep it on localhost).
	DebugAddr string // TANDEM_DEBUG_ADDR
}

// telegramSecret is what Telegram accepts as a webhook secret_token.
var telegramSecret = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// Defaults for settings a user usually leaves alone.
const (
	DefaultAddr         = "127.0.0.1:8080"
	DefaultDataDir      = "./data"
	DefaultMaxBodyBytes = 1 << 20 // 1 MiB for JSON APIs
	DefaultWidgetRate   = 1.0     // one message a second sustained per visitor
	DefaultWidgetBurst  = 5
	// DefaultIPRate and DefaultChannelRate are requests per second, with bursts of three times that.
	DefaultIPRate         = 20.0
	DefaultChannelRate    = 200.0
	DefaultVisitorSockets = 5
	DefaultShutdown       = 10 * time.Second
	// DefaultReadTimeout, DefaultWriteTimeout and DefaultIdleTimeout bound requests and idle
	// connections; DefaultMaxConnsPerIP caps one address's open connections.
	DefaultReadTimeout   = 30 * time.Second
	DefaultWriteTimeout  = 2 * time.Minute
	DefaultIdleTimeout   = 60 * time.Second
	DefaultMaxConnsPerIP = 128
	DefaultEmbedDim      = 256
	// DefaultAgentCapacity is how many conversations an agent holds at once unless set.
	DefaultAgentCapacity = 5
	// DefaultTargetPrecision is the precision the bot's answers aim at unless a trainer sets
	// another (bot.DefaultTargetPrecision).
	DefaultTargetPrecision = 0.85
)

// Load parses args (without the program and subcommand names) over the environment read by getenv.
// It returns flag.ErrHelp when -h or --help was given, after writing usage to out.
func Load(name string, getenv func(string) string, args []string, out io.Writer, extra func(*flag.FlagSet)) (Config, []string, error) {
	c := Config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	// Flags only the server commands use are offered only there, so `ask --help` lists what ask reads.
	server := name == "tandem serve" || name == "tandem demo"
	c.Addr, c.PublicURL, c.DemoAPIKey = env("TANDEM_ADDR", DefaultAddr), env("TANDEM_PUBLIC_URL", ""), env("TANDEM_DEMO_API_KEY", "")
	if server {
		fs.StringVar(&c.Addr, "addr", c.Addr, "listen address `host:port` (TANDEM_ADDR)")
		fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "public base URL for printed links (TANDEM_PUBLIC_URL)")
	}
	if name == "tandem demo" {
		fs.StringVar(&c.DemoAPIKey, "api-key", c.DemoAPIKey, "the app API key to create (TANDEM_DEMO_API_KEY)")
	}
	fs.StringVar(&c.DataDir, "data-dir", env("TANDEM_DATA_DIR", DefaultDataDir), "data directory for the SQLite store and secrets (TANDEM_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("DATABASE_URL", ""), "Postgres URL; empty uses embedded SQLite (DATABASE_URL)")
	fs.StringVar(&c.LLMBaseURL, "llm-base-url", env("TANDEM_LLM_BASE_URL", ""), "OpenAI-compatible API base URL (TANDEM_LLM_BASE_URL)")
	fs.StringVar(&c.LLMModel, "llm-model", env("TANDEM_LLM_MODEL", ""), "LLM model name (TANDEM_LLM_MODEL)")
	c.LLMAPIKey = getenv("TANDEM_LLM_API_KEY") // secret: environment only, never a flag
	c.LLMLogProbs = getenv("TANDEM_LLM_LOGPROBS") == "true"
	c.TelegramToken, c.TelegramSecret = getenv("TANDEM_TELEGRAM_BOT_TOKEN"), getenv("TANDEM_TELEGRAM_SECRET")
	c.TelegramAPIBase = env("TANDEM_TELEGRAM_API_BASE", "https://api.telegram.org")
	c.TelegramGreeting = getenv("TANDEM_TELEGRAM_GREETING")
	c.WhatsAppToken, c.WhatsAppAppSecret = getenv("TANDEM_WHATSAPP_TOKEN"), getenv("TANDEM_WHATSAPP_APP_SECRET")
	c.WhatsAppVerifyToken, c.WhatsAppPhoneID = getenv("TANDEM_WHATSAPP_VERIFY_TOKEN"), getenv("TANDEM_WHATSAPP_PHONE_ID")
	c.WhatsAppAPIBase = env("TANDEM_WHATSAPP_API_BASE", "https://graph.facebook.com/v25.0")
	c.WhatsAppTemplate = getenv("TANDEM_WHATSAPP_TEMPLATE")
	c.WebhookSecret, c.WebhookURL = getenv("TANDEM_WEBHOOK_SECRET"), getenv("TANDEM_WEBHOOK_URL")
	c.WeChatToken, c.WeChatAppID, c.WeChatAppSecret = getenv("TANDEM_WECHAT_TOKEN"), getenv("TANDEM_WECHAT_APP_ID"), getenv("TANDEM_WECHAT_APP_SECRET")
	c.WeChatAESKey, c.WeChatAPIBase = getenv("TANDEM_WECHAT_AES_KEY"), env("TANDEM_WECHAT_API_BASE", "https://api.weixin.qq.com")
	c.ChatwootURL, c.ChatwootToken, c.ChatwootSecret = getenv("TANDEM_CHATWOOT_URL"), getenv("TANDEM_CHATWOOT_TOKEN"), getenv("TANDEM_CHATWOOT_SECRET")
	c.ChatwootAccountSecret = getenv("TANDEM_CHATWOOT_ACCOUNT_SECRET")
	c.WeComKFCorpID, c.WeComKFSecret, c.WeComKFToken = getenv("TANDEM_WECOMKF_CORP_ID"), getenv("TANDEM_WECOMKF_SECRET"), getenv("TANDEM_WECOMKF_TOKEN")
	c.WeComKFAESKey, c.WeComKFOpenKfID = getenv("TANDEM_WECOMKF_AES_KEY"), getenv("TANDEM_WECOMKF_OPEN_KFID")
	c.WeComKFServicer, c.WeComKFWelcome = getenv("TANDEM_WECOMKF_SERVICER"), getenv("TANDEM_WECOMKF_WELCOME")
	c.WeComKFAPIBase = env("TANDEM_WECOMKF_API_BASE", "https://qyapi.weixin.qq.com")
	fs.StringVar(&c.Embedder, "embedder", env("TANDEM_EMBEDDER", "local"), "local or openai (TANDEM_EMBEDDER)")
	fs.StringVar(&c.EmbedModel, "embed-model", env("TANDEM_EMBED_MODEL", "text-embedding-3-small"), "embedding model for --embedder openai (TANDEM_EMBED_MODEL)")
	fs.StringVar(&c.EmbedBaseURL, "embed-base-url", env("TANDEM_EMBED_BASE_URL", getenv("TANDEM_LLM_BASE_URL")), "OpenAI-compatible embeddings base URL (TANDEM_EMBED_BASE_URL)")
	c.EmbedAPIKey = env("TANDEM_EMBED_API_KEY", c.LLMAPIKey)
	c.Secret, c.SecretName = env("TANDEM_SECRET", getenv("TANDEM_VISITOR_SECRET")), "TANDEM_SECRET"
	if getenv("TANDEM_SECRET") == "" && c.Secret != "" {
		c.SecretName = "TANDEM_VISITOR_SECRET"
	}
	c.WidgetIdentitySecret, c.WidgetIdentityRequired = getenv("TANDEM_WIDGET_IDENTITY_SECRET"), getenv("TANDEM_WIDGET_IDENTITY_REQUIRED") == "true"
	c.DebugAddr = getenv("TANDEM_DEBUG_ADDR")
	c.OutboundAllow = getenv("TANDEM_OUTBOUND_ALLOW")
	c.ActionAllowHosts, c.ActionTrustedChannels = commaList(getenv("TANDEM_ACTION_ALLOW_HOSTS")), commaList(getenv("TANDEM_ACTION_TRUSTED_CHANNELS"))
	fs.StringVar(&c.LogLevel, "log-level", env("TANDEM_LOG_LEVEL", "info"), "debug, info, warn or error (TANDEM_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("TANDEM_LOG_FORMAT", "json"), "json or text (TANDEM_LOG_FORMAT)")
	var errs []error
	num := func(key string, def int64) int64 {
		v := getenv(key)
		if v == "" {
			return def
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a positive whole number", key, v))
			return def
		}
		return n
	}
	c.MaxBodyBytes = num("TANDEM_MAX_BODY_BYTES", DefaultMaxBodyBytes)
	c.WidgetBurst = int(num("TANDEM_WIDGET_BURST", DefaultWidgetBurst))
	c.EmbedDim = int(num("TANDEM_EMBED_DIM", DefaultEmbedDim))
	c.AgentCapacity = int(num("TANDEM_AGENT_CAPACITY", DefaultAgentCapacity))
	c.Routing, c.Hours = env("TANDEM_ROUTING", "pick"), getenv("TANDEM_HOURS")
	c.AlertRules, c.AlertWebhook = getenv("TANDEM_ALERT_RULES"), getenv("TANDEM_ALERT_WEBHOOK")
	c.Complaints, c.Care = getenv("TANDEM_COMPLAINTS"), getenv("TANDEM_CARE")
	rate := func(key string, def float64) float64 {
		v := getenv(key)
		if v == "" {
			return def
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a positive number", key, v))
			return def
		}
		return f
	}
	c.WidgetRate = rate("TANDEM_WIDGET_RATE", DefaultWidgetRate)
	c.IPRate = rate("TANDEM_IP_RATE", DefaultIPRate)
	c.ChannelRate = rate("TANDEM_CHANNEL_RATE", DefaultChannelRate)
	c.VisitorSockets = int(num("TANDEM_VISITOR_SOCKETS", DefaultVisitorSockets))
	c.TrustProxy = getenv("TANDEM_TRUST_PROXY") == "true"
	c.TargetPrecision = DefaultTargetPrecision
	if v := getenv("TANDEM_TARGET_PRECISION"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f >= 1 {
			errs = append(errs, fmt.Errorf("TANDEM_TARGET_PRECISION=%q: want a number between 0 and 1, e.g. 0.8", v))
		} else {
			c.TargetPrecision = f
		}
	}
	if v := getenv("TANDEM_LLM_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > time.Minute {
			errs = append(errs, fmt.Errorf("TANDEM_LLM_TIMEOUT=%q: want a duration up to 1m, such as 8s", v))
		} else {
			c.LLMTimeout = d
		}
	}
	dur := func(key string, def time.Duration) time.Duration {
		v := getenv(key)
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a duration such as 10s", key, v))
			return def
		}
		return d
	}
	c.ShutdownTimeout = dur("TANDEM_SHUTDOWN_TIMEOUT", DefaultShutdown)
	c.ReadTimeout = dur("TANDEM_READ_TIMEOUT", DefaultReadTimeout)
	c.WriteTimeout = dur("TANDEM_WRITE_TIMEOUT", DefaultWriteTimeout)
	c.IdleTimeout = dur("TANDEM_IDLE_TIMEOUT", DefaultIdleTimeout)
	c.MaxConnsPerIP = int(num("TANDEM_MAX_CONNS_PER_IP", DefaultMaxConnsPerIP))
	c.MetricsToken = getenv("TANDEM_METRICS_TOKEN")
	for _, o := range strings.Split(getenv("TANDEM_WIDGET_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.WidgetOrigins = append(c.WidgetOrigins, strings.TrimRight(o, "/"))
		}
	}
	if extra != nil {
		extra(fs)
	}
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return c, nil, err
	}
	if err := errors.Join(append(errs, c.Validate())...); err != nil {
		return c, nil, err
	}
	return c, rest, nil
}

// parseInterspersed parses flags wherever they stand among the positional arguments, as people
// type them (`tandem kb search "flat tyre" --k 3`); the standard flag package stops at the first
// positional argument and would read the rest as more positionals. "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		left := fs.Args()
		if used := len(args) - len(left); used > 0 && args[used-1] == "--" {
			return append(rest, left...), nil
		}
		if len(left) == 0 {
			return rest, nil
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
}

// Outbound is the policy for server-side requests; Validate has checked OutboundAllow.
func (c Config) Outbound() outbound.Policy {
	p, _ := outbound.Parse(c.OutboundAllow)
	return p
}

// Validate checks the settings and names each bad one.
func (c Config) Validate() error {
	var errs []error
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		errs = append(errs, fmt.Errorf("TANDEM_ADDR / --addr %q: want host:port, e.g. 127.0.0.1:8080", c.Addr))
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		errs = append(errs, fmt.Errorf("TANDEM_ADDR / --addr %q: port must be 0–65535", c.Addr))
	}
	if strings.TrimSpace(c.DataDir) == "" {
		errs = append(errs, errors.New("TANDEM_DATA_DIR / --data-dir: must not be empty"))
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			errs = append(errs, errors.New("DATABASE_URL: want postgres://user@host:port/db"))
		}
	}
	if c.LLMBaseURL != "" {
		u, err := url.Parse(c.LLMBaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("TANDEM_LLM_BASE_URL %q: want an http(s) URL such as https://api.openai.com/v1", c.LLMBaseURL))
		}
		if c.LLMModel == "" {
			errs = append(errs, errors.New("TANDEM_LLM_MODEL: required when TANDEM_LLM_BASE_URL is set"))
		}
	}
	switch c.Embedder {
	case "local":
	case "openai":
		if u, err := url.Parse(c.EmbedBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("TANDEM_EMBED_BASE_URL %q: want an http(s) URL such as https://api.openai.com/v1 (required with TANDEM_EMBEDDER=openai)", c.EmbedBaseURL))
		}
	default:
		errs = append(errs, fmt.Errorf("TANDEM_EMBEDDER %q: want local or openai", c.Embedder))
	}
	if c.TelegramToken != "" && !telegramSecret.MatchString(c.TelegramSecret) {
		errs = append(errs, errors.New("TANDEM_TELEGRAM_SECRET: required with TANDEM_TELEGRAM_BOT_TOKEN, 1–256 characters from A-Z a-z 0-9 _ - (it is the webhook's secret_token)"))
	}
	if c.WhatsAppToken != "" && (c.WhatsAppAppSecret == "" || c.WhatsAppVerifyToken == "" || c.WhatsAppPhoneID == "") {
		errs = append(errs, errors.New("TANDEM_WHATSAPP_APP_SECRET, TANDEM_WHATSAPP_VERIFY_TOKEN and TANDEM_WHATSAPP_PHONE_ID: all required with TANDEM_WHATSAPP_TOKEN"))
	}
	if c.WeChatToken != "" && (c.WeChatAppID == "" || c.WeChatAppSecret == "") {
		errs = append(errs, errors.New("TANDEM_WECHAT_APP_ID and TANDEM_WECHAT_APP_SECRET: required with TANDEM_WECHAT_TOKEN"))
	}
	if c.WeChatAESKey != "" && len(c.WeChatAESKey) != 43 {
		errs = append(errs, errors.New("TANDEM_WECHAT_AES_KEY: the EncodingAESKey is 43 characters"))
	}
	if c.WeComKFCorpID != "" {
		if c.WeComKFSecret == "" || c.WeComKFToken == "" || c.WeComKFOpenKfID == "" {
			errs = append(errs, errors.New("TANDEM_WECOMKF_SECRET, TANDEM_WECOMKF_TOKEN and TANDEM_WECOMKF_OPEN_KFID: all required with TANDEM_WECOMKF_CORP_ID"))
		}
		if len(c.WeComKFAESKey) != 43 {
			errs = append(errs, errors.New("TANDEM_WECOMKF_AES_KEY: required with TANDEM_WECOMKF_CORP_ID, the callback's 43-character EncodingAESKey"))
		}
	}
	if c.ChatwootToken != "" {
		if u, err := url.Parse(c.ChatwootURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, errors.New("TANDEM_CHATWOOT_URL: required with TANDEM_CHATWOOT_TOKEN, your Chatwoot's http(s) address"))
		}
		if c.ChatwootSecret == "" {
			errs = append(errs, errors.New("TANDEM_CHATWOOT_SECRET: required with TANDEM_CHATWOOT_TOKEN (the agent bot's webhook secret, Chatwoot 4.13+)"))
		}
	}
	if c.WebhookSecret != "" {
		if len(c.WebhookSecret) < 32 {
			errs = append(errs, errors.New("TANDEM_WEBHOOK_SECRET: at least 32 characters"))
		}
		if u, err := url.Parse(c.WebhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, errors.New("TANDEM_WEBHOOK_URL: required with TANDEM_WEBHOOK_SECRET, an http(s) URL where replies are posted"))
		}
	}
	if c.Routing != "pick" && c.Routing != "auto" {
		errs = append(errs, fmt.Errorf("TANDEM_ROUTING %q: want pick (agents take from the queue) or auto", c.Routing))
	}
	if c.EmbedDim > 2000 {
		errs = append(errs, fmt.Errorf("TANDEM_EMBED_DIM %d: at most 2000 (the HNSW index limit)", c.EmbedDim))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("TANDEM_LOG_LEVEL %q: want debug, info, warn or error", c.LogLevel))
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		errs = append(errs, fmt.Errorf("TANDEM_LOG_FORMAT %q: want json or text", c.LogFormat))
	}
	if c.WidgetIdentitySecret != "" && len(c.WidgetIdentitySecret) < 32 {
		errs = append(errs, errors.New("TANDEM_WIDGET_IDENTITY_SECRET: at least 32 characters"))
	}
	if c.WidgetIdentityRequired && c.WidgetIdentitySecret == "" {
		errs = append(errs, errors.New("TANDEM_WIDGET_IDENTITY_REQUIRED: needs TANDEM_WIDGET_IDENTITY_SECRET"))
	}
	if c.Secret != "" {
		if err := secret.Check(cmp.Or(c.SecretName, "TANDEM_SECRET"), c.Secret); err != nil {
			errs = append(errs, err)
		}
	}
	if _, err := outbound.Parse(c.OutboundAllow); err != nil {
		errs = append(errs, fmt.Errorf("TANDEM_OUTBOUND_ALLOW: %w", err))
	}
	for _, o := range c.WidgetOrigins {
		if !ValidOrigin(o) {
			errs = append(errs, fmt.Errorf("TANDEM_WIDGET_ORIGINS %q: want origins such as https://shop.example.com (scheme, host, optional port; no path)", o))
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		errs = append(errs, errors.New("TANDEM_METRICS_TOKEN: at least 16 characters"))
	}
	return errors.Join(errs...)
}

// commaList splits a comma-separated setting, dropping blanks.
func commaList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ValidOrigin reports whether o is a web origin: http(s)://host[:port], nothing after.
func ValidOrigin(o string) bool {
	u, err := url.Parse(o)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil &&
		u.Path == "" && u.RawQuery == "" && u.Fragment == "" && u.Scheme+"://"+u.Host == o
}

// PublicBase returns the URL people should open: TANDEM_PUBLIC_URL, or base (the listen address)
// with an unspecified host replaced by localhost.
func (c Config) PublicBase(base string) string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	return strings.Replace(strings.Replace(base, "://0.0.0.0:", "://localhost:", 1), "://[::]:", "://localhost:", 1)
}

// OwnOrigins is TANDEM_WIDGET_ORIGINS and, behind a proxy that rewrites Host, the origin of
// TANDEM_PUBLIC_URL, so Tandem's own pages keep their widget.
func (c Config) OwnOrigins() []string {
	list := slices.Clone(c.WidgetOrigins)
	if u, err := url.Parse(c.PublicURL); err == nil && u.Scheme != "" && u.Host != "" {
		list = append(list, u.Scheme+"://"+u.Host)
	}
	return list
}

// StoreKind is "postgres" when DATABASE_URL is set, else "sqlite".
func (c Config) StoreKind() string {
	if c.DatabaseURL != "" {
		return "postgres"
	}
	return "sqlite"
}
