package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"tandem/conversation"
)

const draftsUsage = `Usage: tandem drafts export [--since 168h] [--sent-only]

Prints the co-authoring record as JSONL, one line per bot draft written while a person owned the
conversation: the customer's message, the bot's draft with its sources and confidence, and, when
an agent replied, the text they sent, the edit distance (0: sent untouched) and the agent. An
untouched draft is evidence the bot was right; an edited one is a labelled correction.
`

// cmdDrafts handles `tandem drafts export`.
func (d Deps) cmdDrafts(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "export" {
		fmt.Fprint(stderr, draftsUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return ErrHelp
		}
		if len(args) > 0 {
			return fmt.Errorf("unknown drafts command %q: the drafts command is export; see above", args[0])
		}
		return errors.New("the drafts command is export; see above")
	}
	var since time.Duration
	var sentOnly bool
	_, _, st, _, err := d.Setup(ctx, "drafts export", args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		fs.DurationVar(&since, "since", 7*24*time.Hour, "export drafts written within this long")
		fs.BoolVar(&sentOnly, "sent-only", false, "only drafts an agent replied to")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	return conversation.EachCoauthored(ctx, st, time.Now().Add(-since).UTC(), time.Now().UTC().Add(time.Second), sentOnly,
		func(line conversation.Coauthored) error { return enc.Encode(line) })
}
