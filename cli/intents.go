package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"tandem/intent"
)

const intentsUsage = `Usage: tandem intents <command> [flags]

Commands:
  import FILE.jsonl   add or replace intents: {"text","intent"} example lines and optional
                      {"intent","action","answer","team","priority"} policy lines
                      (action: answer, knowledge or handoff)
  list                list intents with their policies and example counts
  export              print all intents as JSONL (the import format)
  delete NAME…        delete intents

Running servers retrain within a few seconds; no restart is needed.
`

// cmdIntents dispatches `tandem intents <command>`.
func (d Deps) cmdIntents(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return d.runGroup(ctx, "intents", intentsUsage, map[string]sub{
		"import": {one: "give one JSONL file: tandem intents import intents.jsonl", run: func(ctx context.Context, e env, rest []string) error {
			data, err := os.ReadFile(rest[0])
			if err != nil {
				return err
			}
			n, err := intent.Import(ctx, e.st, data)
			if err != nil {
				return fmt.Errorf("%s: %w", rest[0], err)
			}
			fmt.Fprintf(stdout, "imported %d intents\n", n)
			return nil
		}},
		"list": {run: func(ctx context.Context, e env, _ []string) error { return listIntents(ctx, e.st, stdout) }},
		"export": {run: func(ctx context.Context, e env, _ []string) error {
			ins, err := e.st.Intents(ctx)
			if err != nil {
				return err
			}
			return intent.WriteJSONL(stdout, ins)
		}},
		"delete": {run: func(ctx context.Context, e env, rest []string) error {
			for _, name := range rest {
				if err := e.st.DeleteIntent(ctx, name); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "deleted %s\n", name)
			}
			return nil
		}},
	}, args, getenv, stderr)
}

func listIntents(ctx context.Context, st Store, w io.Writer) error {
	ins, err := st.Intents(ctx)
	if err != nil {
		return err
	}
	tw := newTable(w, "NAME\tACTION\tTEAM\tPRIORITY\tEXAMPLES")
	for _, in := range ins {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", in.Name, in.Action, in.Team, in.Priority, len(in.Examples))
	}
	return tw.Flush()
}
