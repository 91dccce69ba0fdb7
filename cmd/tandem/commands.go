package main

import (
	"context"
	"fmt"
	"io"

	"tandem/cli"
	"tandem/demo/backend"
	"tandem/demo/seed"
	"tandem/secret"
)

// cmdServe runs the server until interrupted.
func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, log, st, _, err := deps().Setup(ctx, "serve", args, getenv, stderr, nil)
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
	cfg, log, st, _, err := deps().Setup(ctx, "demo", args, cli.WithDefault(getenv, "TANDEM_LOG_FORMAT", "text"), stderr, nil)
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
`, cfg.StoreKind(), n, changed, base, base, identity, back.URL, base, key, base, demoAgentPassword, demoAgentPassword, demoAdminPassword, base, key, demoTrainerPassword, base, base, key, base)
	})
}

// cmdMigrate applies migrations and exits.
func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := cli.LoadConfig("migrate", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "migrations applied (%s)\n", cfg.StoreKind())
	return nil
}
