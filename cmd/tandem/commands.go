package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"tandem/chat"
	"tandem/demo/backend"
	"tandem/demo/seed"
	"tandem/intent"
	"tandem/knowledge"
	"tandem/secret"
	"tandem/settings"
)

// cmdServe runs the server until interrupted.
func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, log, st, _, err := setup(ctx, "serve", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	return serve(ctx, cfg, log, st, func(base string) {
		fmt.Fprintf(stdout, "Tandem is listening on %s\n", cfg.PublicBase(base))
	})
}

// Demo logins; printed at start. They are for a local demo only.
const (
	demoAgentPassword   = "agent-demo"
	demoTrainerPassword = "trainer-demo"
	demoAdminPassword   = "admin-demo"
)

// demoLogins are the demo's console accounts.
var demoLogins = []seed.Login{{User: "agent", Role: "agent", Password: demoAgentPassword}, {User: "agent2", Role: "agent", Password: demoAgentPassword},
	{User: "trainer", Role: "trainer", Password: demoTrainerPassword}, {User: "admin", Role: "admin", Password: demoAdminPassword}}

// cmdDemo loads the demo knowledge base, creates a demo API key and logins, and serves.
func cmdDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	// A demo runs in someone's terminal: readable text logs unless JSON was asked for.
	cfg, log, st, _, err := setup(ctx, "demo", args, withDefault(getenv, "TANDEM_LOG_FORMAT", "text"), stderr, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	step := func(what string) { fmt.Fprintf(stdout, "== %s\n", what) }
	step("loading the demo knowledge base and intents")
	n, changed, err := seed.Load(ctx, st)
	if err != nil {
		return err
	}
	step(fmt.Sprintf("%d articles (%d new or changed); creating the demo logins and API key", n, changed))
	key := cfg.DemoAPIKey
	if key == "" {
		key = "tk_demo_" + secret.Hex(12)
	}
	if err := seed.APIKey(ctx, st, "demo", key); err != nil {
		return err
	}
	if err := seed.Accounts(ctx, st, demoLogins); err != nil {
		return err
	}
	back, err := backend.Start(ctx)
	if err != nil {
		return err
	}
	if err := seed.Actions(ctx, st, back); err != nil {
		return err
	}
	cfg.ActionAllowHosts = append(cfg.ActionAllowHosts, back.Addr) // the bot's actions may call the fake
	if cfg.WidgetIdentitySecret == "" {
		cfg.WidgetIdentitySecret = secret.Hex(32) // random per run unless TANDEM_WIDGET_IDENTITY_SECRET is set
	}
	identity, err := seed.Identity(cfg.WidgetIdentitySecret)
	if err != nil {
		return err
	}
	step("indexing, embedding and training; the URLs follow when the demo is ready")
	return serve(ctx, cfg, log, st, func(base string) {
		base = cfg.PublicBase(base)
		fmt.Fprintf(stdout, `Tandem demo is running (%s store, %d articles, %d new or changed).

  Demo page with the chat widget  %s/demo/
  … signed in as customer Ann     %s/demo/#identity=%s
  Fake Harbor Mutual back-end     %s   (the demo's bot actions call it)
  App API (OpenAPI)               %s/api/openapi.json
  Demo API key                    %s
  Agent console                   %s/console/   (agent / %s, agent2 / %s; admin / %s also manages channels, users, the audit log and customer data)
  Trainer console                 %s/trainer/#key=%s   (or sign in: trainer / %s)
  Health, metrics                 %s/readyz  %s/metrics

Try: curl -s -H 'Authorization: Bearer %s' -d '{"customer":{"id":"c1","name":"Ann"}}' %s/api/v1/conversations
Press Ctrl+C to stop.
`, storeKind(cfg), n, changed, base, base, identity, back.URL, base, key, base, demoAgentPassword, demoAgentPassword, demoAdminPassword, base, key, demoTrainerPassword, base, base, key, base)
	})
}

// cmdMigrate applies migrations and exits.
func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := loadConfig("migrate", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "migrations applied (%s)\n", storeKind(cfg))
	return nil
}

// askResult is the --json output of tandem ask.
type askResult struct {
	Question   string             `json:"question"`
	Answer     string             `json:"answer"`
	Decision   chat.Decision      `json:"decision"`
	Reason     string             `json:"reason,omitempty"`
	Intent     string             `json:"intent,omitempty"`
	Confidence float64            `json:"confidence"`
	Sources    []chat.Source      `json:"sources"`
	Millis     float64            `json:"ms"`
	Timings    map[string]float64 `json:"timings_ms"`
	Signals    map[string]float64 `json:"signals,omitempty"`
}

// cmdAsk answers one question from the knowledge base in the store (the demo knowledge base
// when the store has none).
func cmdAsk(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var asJSON bool
	// A one-shot command prints its answer; routine log lines would only be noise on stderr.
	cfg, rest, err := loadConfig("ask", args, withDefault(getenv, "TANDEM_LOG_LEVEL", "warn"), stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		fs.Usage = func() {
			fmt.Fprintln(fs.Output(), "Usage: tandem ask [flags] \"question\"")
			fs.PrintDefaults()
		}
	})
	if err != nil {
		return err
	}
	q := strings.TrimSpace(strings.Join(rest, " "))
	if q == "" {
		return fmt.Errorf("a question is required: tandem ask \"How do I file a claim?\"")
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if docs, err := st.Documents(ctx); err != nil {
		return err
	} else if len(docs) == 0 {
		if _, _, err := seed.Load(ctx, st); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "the knowledge base was empty; loaded the demo knowledge base, intents and synonyms")
	}
	kb, err := knowledge.New(ctx, cfg, st, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	if err := kb.Ready(ctx, stderr); err != nil {
		return err
	}
	start := time.Now()
	intents := &intent.Sync{Store: st, Live: &intent.Live{}, Log: newLogger(cfg, stderr)}
	if err := intents.Load(ctx); err != nil {
		return err
	}
	tune := settings.NewTuning(st, cfg.TargetPrecision, nil, newLogger(cfg, stderr))
	if err := tune.Load(ctx); err != nil {
		return err
	}
	selfcal := newSelfCalibration(kb, st, tune.TargetPrecision, newLogger(cfg, stderr))
	tune.Self = selfcal
	if err := selfcal.Step(ctx); err != nil {
		return err
	}
	r, err := newBot(cfg, kb, intents.Live, tune, newLogger(cfg, stderr)).Turn(ctx, chat.Conversation{}, nil, q, nil)
	if err != nil {
		return err
	}
	res := askResult{Question: q, Answer: r.Text, Decision: r.Decision, Reason: r.Reason, Intent: r.Intent, Confidence: r.Confidence,
		Sources: r.Sources, Millis: float64(time.Since(start).Microseconds()) / 1000, Timings: r.Timings, Signals: r.Signals}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Fprintf(stdout, "%s\n\ndecision: %s %s  confidence: %.2f  (%.1f ms)\n", res.Answer, res.Decision, res.Reason, res.Confidence, res.Millis)
	for _, s := range res.Sources {
		fmt.Fprintf(stdout, "source: %s (%s)\n", s.Title, s.URL)
	}
	return nil
}
