package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // profiles on TANDEM_DEBUG_ADDR only: the API server has its own mux
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	"tandem/action"
	"tandem/analytics"
	"tandem/channels/wechat"
	"tandem/channels/wecomkf"
	"tandem/chat"
	"tandem/complaint"
	"tandem/config"
	"tandem/conversation"
	"tandem/evals"
	"tandem/followup"
	"tandem/handoff"
	"tandem/httpapi"
	"tandem/intent"
	"tandem/lease"
	"tandem/llm"
	"tandem/pii"
	"tandem/postgres"
	"tandem/realtime"
	"tandem/retrieval"
	"tandem/secret"
	"tandem/sqlite"
	"tandem/vault"
)

var errHelp = errors.New("help shown")

// store is everything main needs of a concrete store.
type store interface {
	conversation.Store
	httpapi.Store
	Migrate(ctx context.Context) error
	Close() error
	knowledgeStore
	intentStore
	settingsStore
	CreateAPIKey(ctx context.Context, k chat.APIKey) error
	APIKeys(ctx context.Context) ([]chat.APIKey, error)
	RevokeAPIKey(ctx context.Context, id string, at time.Time) error
	PutAccount(ctx context.Context, a chat.Account) error
	httpapi.Accounts
	httpapi.SessionStore
	analytics.FactsStore
	analytics.AlertStore
	evals.Store
	httpapi.AdminStore
	complaint.Store
	followup.Store
	action.Store
}

// bus fans events out across replicas.
type bus interface {
	Publish(ctx context.Context, evs ...chat.Event) error
	Run(ctx context.Context) error
}

// loadConfig parses a subcommand's flags; extra adds the subcommand's own.
func loadConfig(name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (config.Config, []string, error) {
	cfg, rest, err := config.Load("tandem "+name, getenv, args, stderr, extra)
	if errors.Is(err, flag.ErrHelp) {
		return cfg, nil, errHelp
	}
	if err != nil {
		return cfg, nil, fmt.Errorf("bad configuration:\n%w", err)
	}
	return cfg, rest, nil
}

// setup does what every store-using command starts with: configuration, logger, store.
func setup(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (config.Config, *slog.Logger, store, []string, error) {
	cfg, rest, err := loadConfig(name, args, getenv, stderr, extra)
	if err != nil {
		return cfg, nil, nil, nil, err
	}
	log := newLogger(cfg, stderr)
	st, err := openStore(ctx, cfg)
	return cfg, log, st, rest, err
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	// Personal data (e-mails, phone, card and resident ID numbers) is masked in every log line.
	if cfg.LogFormat == "text" {
		return slog.New(pii.Handler{Handler: slog.NewTextHandler(w, opts)})
	}
	return slog.New(pii.Handler{Handler: slog.NewJSONHandler(w, opts)})
}

// openStore opens Postgres when DATABASE_URL is set, else SQLite in the data directory, and
// applies migrations.
func openStore(ctx context.Context, cfg config.Config) (store, error) {
	var s store
	if cfg.DatabaseURL != "" {
		pg, err := postgres.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		s = pg
	} else {
		if err := os.MkdirAll(cfg.DataDir, dataDirMode); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		lite, err := sqlite.Open(filepath.Join(cfg.DataDir, "tandem.db"))
		if err != nil {
			return nil, err
		}
		s = lite
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// dataDirMode is the data directory's mode when Tandem creates it: it holds the database and the
// key files, so only the server's user may list or read it.
const dataDirMode = 0o700

// masterSecret returns the configured secret (TANDEM_SECRET, checked by config) or the one kept
// in the data directory, generated there the first time.
func masterSecret(cfg config.Config, log *slog.Logger) ([]byte, error) {
	if cfg.Secret != "" {
		return []byte(cfg.Secret), nil
	}
	b, path, created, err := secret.LoadOrCreate(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("TANDEM_SECRET is not set and the data dir's secret is unusable: %w", err)
	}
	if created {
		log.Info("TANDEM_SECRET is not set; generated a random secret and stored it in the data dir", "path", path)
	}
	if cfg.DatabaseURL != "" {
		log.Warn("TANDEM_SECRET is not set; widget tokens are signed with a key from this replica's data dir, so set it when running more than one replica", "path", path)
	}
	return b, nil
}

// newVault returns the vault sealing secrets at rest, with its own key derived from the master
// secret.
func newVault(master []byte) (*vault.Vault, error) {
	return vault.New(secret.Derive(master, secret.AtRest))
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// serve runs until ctx is cancelled, then shuts down in order: stop accepting, close sockets,
// finish requests, stop loops. ready is called with the base URL once listening.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, st store, ready func(baseURL string)) error {
	kb, err := newKnowledge(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	if err := kb.sync.Load(ctx); err != nil {
		return err
	}
	hours, err := handoff.ParseSchedule([]byte(cmp.Or(cfg.Hours, "{}")))
	if err != nil {
		return fmt.Errorf("TANDEM_HOURS: %w", err)
	}
	intents := &intentSync{store: st, live: &intent.Live{}, log: log}
	tune := newTuning(st, cfg.TargetPrecision, hours, log)
	tune.intents = intents.live
	if err := tune.load(ctx); err != nil {
		log.Warn("settings could not be read; using the configured ones", "err", err)
	}
	if err := intents.load(ctx); err != nil {
		log.Warn("intent training failed; answering without intents until it succeeds", "err", err)
	}
	selfcal := &selfCalibration{kb: kb, store: st, target: tune.TargetPrecision, log: log}
	tune.self = selfcal
	readiness := &readiness{kb: kb, intents: intents, calibration: selfcal}
	master, err := masterSecret(cfg, log)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := conversation.NewMetrics(reg)
	hub := realtime.NewHub()
	var b bus = realtime.Local{Hub: hub}
	jobs := &lease.Jobs{Log: log, Holding: lease.Gauge(reg)} // periodic jobs: one replica at a time
	pg, _ := st.(*postgres.Store)
	if pg != nil {
		b = postgres.NewBus(pg, hub.Deliver, log)
		jobs.Locker = pg
	}
	now := time.Now
	brain := newBot(cfg, kb, intents.live, tune, log)
	acts, err := newActionSet(cfg, st, log)
	if err != nil {
		return err
	}
	if g, ok := brain.LLM.(*llm.Chat); ok {
		acts.chooser = g // one model client: one breaker, one status on /readyz, the outbound policy
	}
	svc := &conversation.Service{Store: st, Bot: acts.bot(brain), Bus: b, Metrics: metrics, Log: log, Now: now,
		Outbound: map[string]bool{}, Local: hub.Deliver, Routing: conversation.Routing{Auto: cfg.Routing == "auto",
			Capacity: cfg.AgentCapacity, Hours: tune.Hours}}
	box, err := newVault(master)
	if err != nil {
		return err
	}
	chans := &channelSet{env: cfg, store: st, recv: &channelReceiver{svc: svc, store: st, log: log},
		client: cfg.Outbound().Client(channelTimeout), log: log, vault: box}
	if err := chans.load(ctx); err != nil {
		return fmt.Errorf("channels: %w", err)
	}
	for _, name := range externalChannels {
		svc.Outbound[name] = true
	}
	outbox := &conversation.Outbox{Store: st, Senders: chans, Metrics: metrics, Log: log, Now: now,
		Hold: map[string]time.Duration{wechat.Channel: wechat.PassiveHold}, Quota: map[string]int{wechat.Channel: wechat.Quota, wecomkf.Channel: wecomkf.Quota}}
	complaints, err := newComplaints(cfg, st, svc, log, now)
	if err != nil {
		return err
	}
	careFor, err := newCare(cfg, st, svc, now)
	if err != nil {
		return err
	}
	followUps := newFollowUps(st, svc, log, now)
	rules, err := analytics.ParseRules(cfg.AlertRules)
	if err != nil {
		return fmt.Errorf("TANDEM_ALERT_RULES: %w", err)
	}
	alerts := &analytics.Alerter{Store: st, Threshold: tune.TargetPrecision, Gauges: analytics.NewGauges(reg), Rules: rules, URL: cfg.AlertWebhook, Window: 24 * time.Hour, Client: cfg.Outbound().Client(alertTimeout),
		Log: log, Now: time.Now, Extra: []func(context.Context) (analytics.Alert, bool){newComplaintAlert(complaints, reg).check}}
	training := &intent.Job{Train: intents.load, Now: now}
	origins := newOriginSet(st)
	if err := origins.load(ctx); err != nil {
		log.Warn("widget origins could not be read; using TANDEM_WIDGET_ORIGINS only", "err", err)
	}
	closing := make(chan struct{})
	api := &httpapi.Server{Conversations: svc, Desk: svc, Accounts: st, Sessions: &httpapi.Sessions{Store: st, Now: now}, Store: st, Articles: kb.index, Knowledge: kb.api(st), Webhooks: chans, Channels: chans, Admin: st, Actions: acts.api(), Complaints: complaints, Care: careFor, FollowUps: followUps, Trainer: newTrainer(cfg, st, tune.TargetPrecision, log), Intents: &httpapi.IntentsAPI{Store: st, Refresh: intents.load, Route: intents.live.Route, Job: training},
		Settings: &httpapi.Settings{TargetPrecision: tune.TargetPrecision, SetTargetPrecision: tune.setTarget, Default: cfg.TargetPrecision,
			Hours: func() any { return tune.Hours() }, SetHours: tune.setHours}, Hub: hub,
		Visitors: &httpapi.Visitors{Secret: secret.Derive(master, secret.Widget), Now: now, IdentitySecret: []byte(cfg.WidgetIdentitySecret), Required: cfg.WidgetIdentityRequired}, Keys: &httpapi.KeyCache{Lookup: st.APIKeyByHash, Now: now}, Log: log, Registry: reg, HTTP: httpapi.NewHTTPMetrics(reg),
		MaxBodyBytes: cfg.MaxBodyBytes, WidgetLimit: httpapi.NewLimiter(cfg.WidgetRate, cfg.WidgetBurst),
		IPLimit: httpapi.NewLimiter(cfg.IPRate, burstOf(cfg.IPRate)), ChannelLimit: httpapi.NewLimiter(cfg.ChannelRate, burstOf(cfg.ChannelRate)),
		UnsignedLimit: httpapi.NewLimiter(cfg.IPRate, burstOf(cfg.IPRate)),
		LoginLimit:    httpapi.NewLimiter(loginRate, loginBurst), LoginIPLimit: httpapi.NewLimiter(loginIPRate, loginIPBurst), DeviceKey: secret.Derive(master, secret.Device), Sockets: &httpapi.Conns{Max: cfg.VisitorSockets}, TrustProxy: cfg.TrustProxy, Closing: closing,
		Origins: origins.widgetOrigins(ownOrigins(cfg)), MetricsToken: cfg.MetricsToken, NewConversationLimit: httpapi.NewLimiter(newConversationRate, newConversationBurst),
		Ready: readiness.check, KBCalibration: func() any { return selfcal.Status() }}
	if g, ok := brain.LLM.(*llm.Chat); ok {
		api.LLM = g
	}
	if pg != nil {
		api.ShareLimits(pg, log)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (TANDEM_ADDR): %w", cfg.Addr, err)
	}
	ln = httpapi.LimitPerIP(ln, cfg.MaxConnsPerIP)
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: min(readHeaderTimeout, cfg.ReadTimeout), ReadTimeout: cfg.ReadTimeout, WriteTimeout: cfg.WriteTimeout,
		IdleTimeout: cfg.IdleTimeout, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	loops, loopCtx := errgroup.WithContext(context.Background())
	loopCtx, cancelLoops := context.WithCancel(loopCtx)
	defer cancelLoops()
	loops.Go(func() error { return b.Run(loopCtx) })
	loops.Go(func() error { return outbox.Run(loopCtx) })
	loops.Go(func() error { return svc.RunDesk(loopCtx, deskInterval) })
	loops.Go(func() error {
		return jobs.Run(loopCtx, "recovery", func(ctx context.Context) error { return svc.RunRecovery(ctx, recoveryInterval) })
	})
	loops.Go(func() error {
		return jobs.Run(loopCtx, "alerts", func(ctx context.Context) error { return alerts.Run(ctx, alertInterval) })
	})
	if pg != nil {
		loops.Go(func() error {
			return poll(loopCtx, postgres.ConnsRefresh, pg.RefreshConns, log, "refreshing shared connection counts failed")
		})
		loops.Go(func() error {
			return jobs.Run(loopCtx, "rate_sweep", func(ctx context.Context) error {
				return poll(ctx, rateSweepInterval, pg.SweepTokens, log, "sweeping shared rate limits failed")
			})
		})
	}
	loops.Go(func() error {
		return jobs.Run(loopCtx, "complaints", func(ctx context.Context) error { return complaints.RunClock(ctx, complaintClockInterval) })
	})
	loops.Go(func() error {
		return jobs.Run(loopCtx, "followups", func(ctx context.Context) error { return followUps.RunClock(ctx, followUpInterval) })
	})
	loops.Go(func() error { return kb.sync.Run(loopCtx) })
	loops.Go(func() error { return kb.embed.Run(loopCtx) })
	loops.Go(func() error { return training.Run(loopCtx) })
	loops.Go(func() error { return selfcal.run(loopCtx) })
	loops.Go(func() error {
		return poll(loopCtx, retrieval.DefaultSyncInterval, intents.load, log, "intent training failed; keeping the previous model")
	})
	loops.Go(func() error {
		return poll(loopCtx, retrieval.DefaultSyncInterval, tune.load, log, "settings reload failed")
	})
	loops.Go(func() error {
		return poll(loopCtx, retrieval.DefaultSyncInterval, chans.load, log, "channel settings reload failed; keeping the previous channels")
	})
	loops.Go(func() error {
		return poll(loopCtx, retrieval.DefaultSyncInterval, origins.load, log, "widget origins reload failed; keeping the previous list")
	})
	if cfg.DebugAddr != "" {
		debug := &http.Server{Addr: cfg.DebugAddr, Handler: http.DefaultServeMux, ReadHeaderTimeout: 10 * time.Second}
		go debug.ListenAndServe()
		defer debug.Close()
		log.Info("pprof listening", "addr", cfg.DebugAddr)
	}
	httpErr := make(chan error, 1)
	go func() { httpErr <- srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	log.Info("listening", "addr", ln.Addr().String(), "store", storeKind(cfg), "documents", kb.index.Documents(), "chunks", kb.index.Len())
	if err := readiness.wait(ctx, log); err != nil {
		cancelLoops()
		loops.Wait()
		srv.Close()
		return err
	}
	if ready != nil {
		ready(base)
	}
	select {
	case <-ctx.Done():
	case err := <-httpErr:
		cancelLoops()
		loops.Wait()
		return err
	}
	log.Info("shutting down")
	close(closing)
	hub.CloseAll()
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	cancelLoops()
	err = loops.Wait()
	svc.WaitDrafts()
	return err
}

// Timeouts of outbound requests: a channel API call, an alert webhook post.
const (
	channelTimeout = 15 * time.Second
	alertTimeout   = 10 * time.Second
)

// alertInterval is how often alert rules are checked.
const alertInterval = 5 * time.Minute

// deskInterval is how often the desk loop routes, sweeps presence and checks SLAs.
const deskInterval = time.Second

// rateSweepInterval is how often idle shared rate-limit buckets are removed.
const rateSweepInterval = 5 * time.Minute

// recoveryInterval is how often messages stranded by a crash are looked for.
const recoveryInterval = 5 * time.Second

func storeKind(cfg config.Config) string {
	if cfg.DatabaseURL != "" {
		return "postgres"
	}
	return "sqlite"
}

// publicBase returns the URL people should open: TANDEM_PUBLIC_URL, or the listen address with
// an unspecified host replaced by localhost.
func publicBase(cfg config.Config, base string) string {
	if cfg.PublicURL != "" {
		return strings.TrimRight(cfg.PublicURL, "/")
	}
	return strings.Replace(strings.Replace(base, "://0.0.0.0:", "://localhost:", 1), "://[::]:", "://localhost:", 1)
}

// Sign-in attempts per user name (across IPs, or per browser the user signed in on before): ten
// at once, then one every six seconds; per client IP across names: twenty at once, then one
// every two seconds.
const (
	loginRate    = 1.0 / 6
	loginBurst   = 10
	loginIPRate  = 1.0 / 2
	loginIPBurst = 20
)

// New anonymous widget conversations per client IP: thirty at once, then one a minute (a shared
// office address still starts plenty; one script no longer mints ~79k an hour).
const (
	newConversationRate  = 1.0 / 60
	newConversationBurst = 30
)

// readHeaderTimeout bounds reading a request's headers.
const readHeaderTimeout = 10 * time.Second

// ownOrigins is TANDEM_WIDGET_ORIGINS and, behind a proxy that rewrites Host, the origin of
// TANDEM_PUBLIC_URL, so Tandem's own pages keep their widget.
func ownOrigins(cfg config.Config) []string {
	list := slices.Clone(cfg.WidgetOrigins)
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Scheme != "" && u.Host != "" {
		list = append(list, u.Scheme+"://"+u.Host)
	}
	return list
}

// burstOf is the burst allowed at a sustained rate: three seconds' worth, at least 3.
func burstOf(perSecond float64) int { return max(3, int(3*perSecond)) }
