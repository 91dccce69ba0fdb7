// Package cli is the command line's subcommands: their flags, checks and output. What they run
// on (the stores, the bot, the server) is assembled by cmd/tandem and handed over as Deps.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"tandem/config"
	"tandem/conversation"
	"tandem/evals"
	"tandem/pii"
)

// ErrHelp reports that a command's help was shown: the exit code is 0.
var ErrHelp = errors.New("help shown")

// Command is one command of tandem: its arguments after the command's name, the environment,
// and where its output and messages go.
type Command func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error

// Deps is what cmd/tandem assembles for the commands; only it knows the concrete stores, the
// LLM client and the server.
type Deps struct {
	// Open opens the configured store and applies migrations.
	Open func(ctx context.Context, cfg config.Config) (Store, error)
	// Temp opens a fresh, migrated store that cleanup removes.
	Temp func(ctx context.Context, cfg config.Config) (st Store, cleanup func(), err error)
	// Evaluator is an evaluator over the stored knowledge base, intents and settings, answering
	// as the server would.
	Evaluator func(ctx context.Context, cfg config.Config, st Store, stderr io.Writer) (*evals.Evaluator, error)
	// Bot is the bot over the stored knowledge base, with its answer calibrator fitted.
	Bot func(ctx context.Context, cfg config.Config, st Store, stderr io.Writer) (conversation.Bot, error)
	// Serve runs the server on st until ctx ends; ready is called with its base URL.
	Serve func(ctx context.Context, cfg config.Config, log *slog.Logger, st Store, ready func(baseURL string)) error
}

// Commands are the subcommands of tandem this package runs, by name.
func (d Deps) Commands() map[string]Command {
	return map[string]Command{"ask": d.ask, "eval": d.cmdEval, "kb": d.cmdKB, "intents": d.cmdIntents, "drafts": d.cmdDrafts,
		"users": d.cmdUsers, "keys": d.cmdKeys, "customers": d.cmdCustomers}
}

// Logger is the configured logger, personal data masked.
func Logger(cfg config.Config, w io.Writer) *slog.Logger {
	return pii.NewLogger(w, cfg.LogLevel, cfg.LogFormat)
}

// LoadConfig parses a subcommand's flags; extra adds the subcommand's own.
func LoadConfig(name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (config.Config, []string, error) {
	cfg, rest, err := config.Load("tandem "+name, getenv, args, stderr, extra)
	if errors.Is(err, flag.ErrHelp) {
		return cfg, nil, ErrHelp
	}
	if err != nil {
		return cfg, nil, fmt.Errorf("bad configuration:\n%w", err)
	}
	return cfg, rest, nil
}

// Setup does what every store-using command starts with: configuration, logger, store.
func (d Deps) Setup(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (config.Config, *slog.Logger, Store, []string, error) {
	cfg, rest, err := LoadConfig(name, args, getenv, stderr, extra)
	if err != nil {
		return cfg, nil, nil, nil, err
	}
	log := Logger(cfg, stderr)
	st, err := d.Open(ctx, cfg)
	return cfg, log, st, rest, err
}

// WithDefault returns getenv with def for key when the environment leaves key unset.
func WithDefault(getenv func(string) string, key, def string) func(string) string {
	return func(k string) string {
		if v := getenv(k); v != "" || k != key {
			return v
		}
		return def
	}
}

// subcommand shows a command group's usage when args name no subcommand (an error) or ask for
// help (ErrHelp); nil means args[0] is the subcommand.
func subcommand(args []string, group, usage string, stderr io.Writer) error {
	if len(args) > 0 && args[0] != "-h" && args[0] != "--help" {
		return nil
	}
	fmt.Fprint(stderr, usage)
	if len(args) == 0 {
		return fmt.Errorf("which %s command? see above", group)
	}
	return ErrHelp
}

// newTable writes aligned columns to w under header (tab-separated); Flush it when done.
func newTable(w io.Writer, header string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	return tw
}

// sub is one subcommand of a command group.
type sub struct {
	flags func(*flag.FlagSet) // its own flags; nil: none
	// one, when set, is the error for not giving exactly one argument.
	one string
	// quiet logs warnings only: the command's output is what it prints.
	quiet bool
	run   func(ctx context.Context, e env, rest []string) error
}

// env is what a subcommand runs with: the configuration, the logger and the store.
type env struct {
	cfg config.Config
	log *slog.Logger
	st  Store
}

// runGroup runs the subcommand args[0] of a command group, with the configured store.
func (d Deps) runGroup(ctx context.Context, group, usage string, subs map[string]sub, args []string, getenv func(string) string, stderr io.Writer) error {
	if err := subcommand(args, group, usage, stderr); err != nil {
		return err
	}
	s, ok := subs[args[0]]
	if !ok {
		return fmt.Errorf("unknown %s command %q\n\n%s", group, args[0], usage)
	}
	if s.quiet {
		getenv = WithDefault(getenv, "TANDEM_LOG_LEVEL", "warn")
	}
	cfg, log, st, rest, err := d.Setup(ctx, group+" "+args[0], args[1:], getenv, stderr, s.flags)
	if err != nil {
		return err
	}
	defer st.Close()
	if s.one != "" && len(rest) != 1 {
		return errors.New(s.one)
	}
	return s.run(ctx, env{cfg, log, st}, rest)
}
