// Command tandem is the customer-service bot server and its command-line tools.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"tandem/cli"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `Tandem — a customer-service bot that knows when to hand over to a person.

Usage: tandem <command> [flags]

Commands:
  demo      load the demo knowledge base and serve widget, API and demo page
  serve     serve the widget, app API and webhooks
  migrate   apply database migrations and exit
  ask       ask the bot one question from the command line
  kb        import, list, delete and search knowledge (tandem kb --help)
  intents   import, list, export and delete intents (tandem intents --help)
  drafts    export the co-authoring record: bot drafts and what agents sent (tandem drafts --help)
  users     add, list and disable console accounts (tandem users --help)
  keys      create and revoke app-API keys (tandem keys --help)
  customers export or erase a customer's personal data (tandem customers --help)
  eval      eval sets and runs, and benchmarks: retrieval, intents, confidence, answers (tandem eval --help)
  version   print the version

Run 'tandem <command> --help' for a command's flags. Settings also come from TANDEM_* environment
variables and DATABASE_URL (see README).
`

// run is main without the process: tests call it with their own context, environment and output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmds := deps().Commands()
	cmds["serve"], cmds["demo"], cmds["migrate"] = cmdServe, cmdDemo, cmdMigrate
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "version", "--version":
		fmt.Fprintln(stdout, "tandem", version)
		return 0
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "tandem: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err := cmd(ctx, args[1:], getenv, stdout, stderr); err != nil {
		if err == cli.ErrHelp {
			return 0
		}
		fmt.Fprintf(stderr, "tandem %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// deps is what the cli package's commands run on: the concrete stores, the bot and the server.
func deps() cli.Deps {
	return cli.Deps{Open: openStore, Temp: tempStore, Evaluator: newEvaluator, Bot: askBot, Serve: serve}
}
