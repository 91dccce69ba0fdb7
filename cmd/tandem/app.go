package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // profiles on TANDEM_DEBUG_ADDR only: the API server has its own mux
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	"tandem/action"
	"tandem/analytics"
	"tandem/bot"
	"tandem/channels"
	"tandem/channels/wechat"
	"tandem/channels/wecomkf"
	"tandem/chat"
	"tandem/cli"
	"tandem/complaint"
	"tandem/config"
	"tandem/conversation"
	"tandem/followup"
	"tandem/handoff"
	"tandem/httpapi"
	"tandem/intent"
	"tandem/knowledge"
	"tandem/lease"
	"tandem/llm"
	"tandem/postgres"
	"tandem/readiness"
	"tandem/realtime"
	"tandem/retrieval"
	"tandem/secret"
	"tandem/settings"
	"tandem/sqlite"
	"tandem/vault"
)

// store is a concrete store: Postgres or SQLite.
type store = cli.Store

// bus fans events out across replicas.
type bus interface {
	Publish(ctx context.Context, evs ...chat.Event) error
	Run(ctx context.Context) error
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

// serve runs until ctx is cancelled, then shuts down in order: stop accepting, close sockets,
// finish requests, stop loops. ready is called with the base URL once listening.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, st store, ready func(baseURL string)) error {
	kb, err := knowledge.New(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	if err := kb.Sync.Load(ctx); err != nil {
		return err
	}
	hours, err := handoff.ParseSchedule([]byte(cmp.Or(cfg.Hours, "{}")))
	if err != nil {
		return fmt.Errorf("TANDEM_HOURS: %w", err)
	}
	intents := &intent.Sync{Store: st, Live: &intent.Live{}, Log: log}
	tune := settings.NewTuning(st, cfg.TargetPrecision, hours, log)
	tune.Intents = intents.Live
	if err := tune.Load(ctx); err != nil {
		log.Warn("settings could not be read; using the configured ones", "err", err)
	}
	if err := intents.Load(ctx); err != nil {
		log.Warn("intent training failed; answering without intents until it succeeds", "err", err)
	}
	selfcal := newSelfCalibration(kb, st, tune.TargetPrecision, log)
	tune.Self = selfcal
	gate := readiness.Gate{ // what /readyz and the printed URLs wait for
		{Waiting: "the knowledge index is loading", Ready: func(context.Context) bool { return kb.Sync.Version() != "" }},
		{Waiting: "vectors are being computed", Ready: kb.VectorsReady},
		{Waiting: "intents are being trained", Ready: func(context.Context) bool { return intents.Loaded() }},
		{Waiting: "the answer calibrator is being fitted", Ready: func(context.Context) bool { return selfcal.Ready() }},
	}
	master, err := secret.Master(cfg.Secret, cfg.DataDir, cfg.DatabaseURL != "", log)
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
	brain := newBot(cfg, kb, intents.Live, tune, log)
	acts, err := action.NewRunner(cfg.ActionAllowHosts, cfg.ActionTrustedChannels, st, log)
	if err != nil {
		return err
	}
	if g, ok := brain.LLM.(*llm.Chat); ok {
		acts.Chooser = g // one model client: one breaker, one status on /readyz, the outbound policy
	}
	svc := &conversation.Service{Store: st, Bot: acts.Bot(brain), Bus: b, Metrics: metrics, Log: log, Now: now,
		Outbound: map[string]bool{}, Local: hub.Deliver, Routing: conversation.Routing{Auto: cfg.Routing == "auto",
			Capacity: cfg.AgentCapacity, Hours: tune.Hours}}
	box, err := vault.New(secret.Derive(master, secret.AtRest))
	if err != nil {
		return err
	}
	recv, client := &channels.Bridge{Service: svc, Store: st, Log: log}, cfg.Outbound().Client(channels.Timeout)
	chans := &channels.Registry{Env: cfg, Store: st, Log: log, Vault: box,
		Build: func(cfg config.Config) (map[string]channels.Adapter, error) {
			return buildChannels(cfg, recv, client, log)
		}}
	if err := chans.Load(ctx); err != nil {
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
	followUps := newFollowUps(st, svc, log, now, cfg.WhatsAppTemplate != "")
	rules, err := analytics.ParseRules(cfg.AlertRules)
	if err != nil {
		return fmt.Errorf("TANDEM_ALERT_RULES: %w", err)
	}
	alerts := &analytics.Alerter{Store: st, Threshold: tune.TargetPrecision, Gauges: analytics.NewGauges(reg), Rules: rules, URL: cfg.AlertWebhook, Window: 24 * time.Hour, Client: cfg.Outbound().Client(alertTimeout),
		Log: log, Now: time.Now, Extra: []func(context.Context) (analytics.Alert, bool){complaint.NewMonitor(complaints, reg).Check}}
	training := &intent.Job{Train: intents.Load, Now: now}
	origins := settings.NewOrigins(st)
	if err := origins.Load(ctx); err != nil {
		log.Warn("widget origins could not be read; using TANDEM_WIDGET_ORIGINS only", "err", err)
	}
	closing := make(chan struct{})
	api := &httpapi.Server{Conversations: svc, Desk: svc, Accounts: st, Sessions: &httpapi.Sessions{Store: st, Now: now}, Store: st, Articles: kb.Index, Knowledge: knowledgeAPI(kb, st), Webhooks: chans, Channels: chans, Admin: st, Actions: &httpapi.ActionsAPI{Store: st, Approvals: acts.Approvals()}, Complaints: complaints, Care: careFor, FollowUps: followUps, Trainer: newTrainer(cfg, st, tune.TargetPrecision, log), Intents: &httpapi.IntentsAPI{Store: st, Refresh: intents.Load, Route: intents.Live.Route, Job: training},
		Settings: &httpapi.Settings{TargetPrecision: tune.TargetPrecision, SetTargetPrecision: tune.SetTarget, Default: cfg.TargetPrecision,
			Hours: func() any { return tune.Hours() }, SetHours: tune.SetHours}, Hub: hub,
		Visitors: &httpapi.Visitors{Secret: secret.Derive(master, secret.Widget), Now: now, IdentitySecret: []byte(cfg.WidgetIdentitySecret), Required: cfg.WidgetIdentityRequired}, Keys: &httpapi.KeyCache{Lookup: st.APIKeyByHash, Now: now}, Log: log, Registry: reg, HTTP: httpapi.NewHTTPMetrics(reg),
		MaxBodyBytes: cfg.MaxBodyBytes, WidgetLimit: httpapi.NewLimiter(cfg.WidgetRate, cfg.WidgetBurst),
		IPLimit: httpapi.NewLimiter(cfg.IPRate, httpapi.BurstOf(cfg.IPRate)), ChannelLimit: httpapi.NewLimiter(cfg.ChannelRate, httpapi.BurstOf(cfg.ChannelRate)),
		UnsignedLimit: httpapi.NewLimiter(cfg.IPRate, httpapi.BurstOf(cfg.IPRate)),
		LoginLimit:    httpapi.NewLimiter(httpapi.LoginRate, httpapi.LoginBurst), LoginIPLimit: httpapi.NewLimiter(httpapi.LoginIPRate, httpapi.LoginIPBurst), DeviceKey: secret.Derive(master, secret.Device), Sockets: &httpapi.Conns{Max: cfg.VisitorSockets}, TrustProxy: cfg.TrustProxy, Closing: closing,
		Origins: &httpapi.WidgetOrigins{Env: cfg.OwnOrigins(), Stored: origins.Stored, Save: origins.Save}, MetricsToken: cfg.MetricsToken, NewConversationLimit: httpapi.NewLimiter(httpapi.NewConversationRate, httpapi.NewConversationBurst),
		Ready: gate.Check, KBCalibration: func() any { return selfcal.Status() }}
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
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: min(httpapi.ReadHeaderTimeout, cfg.ReadTimeout), ReadTimeout: cfg.ReadTimeout, WriteTimeout: cfg.WriteTimeout,
		IdleTimeout: cfg.IdleTimeout, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	loops, loopCtx := errgroup.WithContext(context.Background())
	loopCtx, cancelLoops := context.WithCancel(loopCtx)
	defer cancelLoops()
	// poll reloads what other replicas and the CLI change; a leased job runs on one replica at a time.
	poll := func(every time.Duration, load func(context.Context) error, failed string) func(context.Context) error {
		return func(ctx context.Context) error { return settings.Poll(ctx, every, load, log, failed) }
	}
	leased := func(name string, run func(context.Context) error) func(context.Context) error {
		return func(ctx context.Context) error { return jobs.Run(ctx, name, run) }
	}
	run := []func(context.Context) error{b.Run, outbox.Run,
		func(ctx context.Context) error { return svc.RunDesk(ctx, conversation.DeskInterval) },
		leased("recovery", func(ctx context.Context) error { return svc.RunRecovery(ctx, conversation.RecoveryInterval) }),
		leased("alerts", func(ctx context.Context) error { return alerts.Run(ctx, alertInterval) }),
	}
	if pg != nil {
		run = append(run, poll(postgres.ConnsRefresh, pg.RefreshConns, "refreshing shared connection counts failed"),
			leased("rate_sweep", poll(postgres.RateSweep, pg.SweepTokens, "sweeping shared rate limits failed")))
	}
	run = append(run, leased("complaints", func(ctx context.Context) error { return complaints.RunClock(ctx, complaint.ClockInterval) }),
		leased("followups", func(ctx context.Context) error { return followUps.RunClock(ctx, followup.ClockInterval) }),
		kb.Sync.Run, kb.Embed.Run, training.Run, selfcal.Run,
		poll(retrieval.DefaultSyncInterval, intents.Load, "intent training failed; keeping the previous model"),
		poll(retrieval.DefaultSyncInterval, tune.Load, "settings reload failed"),
		poll(retrieval.DefaultSyncInterval, chans.Load, "channel settings reload failed; keeping the previous channels"),
		poll(retrieval.DefaultSyncInterval, origins.Load, "widget origins reload failed; keeping the previous list"))
	for _, r := range run {
		loops.Go(func() error { return r(loopCtx) })
	}
	if cfg.DebugAddr != "" {
		debug := &http.Server{Addr: cfg.DebugAddr, Handler: http.DefaultServeMux, ReadHeaderTimeout: 10 * time.Second}
		go debug.ListenAndServe()
		defer debug.Close()
		log.Info("pprof listening", "addr", cfg.DebugAddr)
	}
	httpErr := make(chan error, 1)
	go func() { httpErr <- srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	log.Info("listening", "addr", ln.Addr().String(), "store", cfg.StoreKind(), "documents", kb.Index.Documents(), "chunks", kb.Index.Len())
	if err := gate.Wait(ctx, log); err != nil {
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

// alertInterval is how often alert rules are checked.
const alertInterval = 5 * time.Minute

// alertTimeout bounds an alert webhook post.
const alertTimeout = 10 * time.Second

// newBot returns the bot: grounded generation through the configured LLM, extractive otherwise.
func newBot(cfg config.Config, kb *knowledge.Base, intents *intent.Live, tune *settings.Tuning, log *slog.Logger) *bot.Bot {
	b := &bot.Bot{Knowledge: kb.Search, Intents: intents, TargetPrecision: cfg.TargetPrecision, Target: tune.TargetPrecision,
		Calibrator: tune.Calibrator, Log: log}
	if cfg.LLMBaseURL != "" {
		b.LLM = llm.NewChat(llm.ChatConfig{BaseURL: cfg.LLMBaseURL, APIKey: cfg.LLMAPIKey, Model: cfg.LLMModel, LogProbs: cfg.LLMLogProbs, Timeout: cfg.LLMTimeout, Log: log,
			HTTPClient: cfg.Outbound().Client(0)})
	}
	return b
}

// knowledgeAPI is the knowledge base as the trainer API sees it.
func knowledgeAPI(kb *knowledge.Base, st knowledge.Store) *httpapi.KnowledgeBase {
	return &httpapi.KnowledgeBase{Store: st, Index: kb.Index, Search: kb.Search, Importer: kb.Importer, Embed: kb.Embed, Refresh: kb.Sync.Load,
		ImportURLs: func(ctx context.Context, urls []string, sitemap, collection string) []retrieval.Report {
			return kb.ImportURLs(ctx, urls, sitemap, collection, io.Discard)
		}}
}
