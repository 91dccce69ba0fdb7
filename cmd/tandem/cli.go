package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"tandem/config"
)

// errHelp reports that a command's help was shown: the exit code is 0.
var errHelp = errors.New("help shown")

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

// withDefault returns getenv with def for key when the environment leaves key unset.
func withDefault(getenv func(string) string, key, def string) func(string) string {
	return func(k string) string {
		if v := getenv(k); v != "" || k != key {
			return v
		}
		return def
	}
}

// subcommand shows a command group's usage when args name no subcommand (an error) or ask for
// help (errHelp); nil means args[0] is the subcommand.
func subcommand(args []string, group, usage string, stderr io.Writer) error {
	if len(args) > 0 && args[0] != "-h" && args[0] != "--help" {
		return nil
	}
	fmt.Fprint(stderr, usage)
	if len(args) == 0 {
		return fmt.Errorf("which %s command? see above", group)
	}
	return errHelp
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
	st  store
}

// runGroup runs the subcommand args[0] of a command group, with the configured store.
func runGroup(ctx context.Context, group, usage string, subs map[string]sub, args []string, getenv func(string) string, stderr io.Writer) error {
	if err := subcommand(args, group, usage, stderr); err != nil {
		return err
	}
	s, ok := subs[args[0]]
	if !ok {
		return fmt.Errorf("unknown %s command %q\n\n%s", group, args[0], usage)
	}
	if s.quiet {
		getenv = withDefault(getenv, "TANDEM_LOG_LEVEL", "warn")
	}
	cfg, log, st, rest, err := setup(ctx, group+" "+args[0], args[1:], getenv, stderr, s.flags)
	if err != nil {
		return err
	}
	defer st.Close()
	if s.one != "" && len(rest) != 1 {
		return errors.New(s.one)
	}
	return s.run(ctx, env{cfg, log, st}, rest)
}
