package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"tandem/chat"
	"tandem/pii"
)

const draftsUsage = `Usage: tandem drafts export [--since 168h] [--sent-only]

Prints the co-authoring record as JSONL, one line per bot draft written while a person owned the
conversation: the customer's message, the bot's draft with its sources and confidence, and, when
an agent replied, the text they sent, the edit distance (0: sent untouched) and the agent. An
untouched draft is evidence the bot was right; an edited one is a labelled correction.
`

// coauthored is one line of the drafts export.
type coauthored struct {
	ConversationID string        `json:"conversation_id"`
	Customer       string        `json:"customer"`
	Draft          string        `json:"draft"`
	Decision       chat.Decision `json:"decision,omitempty"`
	Confidence     float64       `json:"confidence"`
	Sources        []chat.Source `json:"sources"`
	Final          string        `json:"final,omitempty"`
	EditDistance   *int          `json:"edit_distance,omitempty"`
	Agent          string        `json:"agent,omitempty"`
	CreatedAt      time.Time     `json:"created_at"`
	SentAt         *time.Time    `json:"sent_at,omitempty"`
}

// draftsPage is how many drafts one query reads.
const draftsPage = 1000

// cmdDrafts handles `tandem drafts export`.
func cmdDrafts(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "export" {
		fmt.Fprint(stderr, draftsUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return errors.New("the drafts command is export; see above")
	}
	var since time.Duration
	var sentOnly bool
	_, _, st, _, err := setup(ctx, "drafts export", args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		fs.DurationVar(&since, "since", 7*24*time.Hour, "export drafts written within this long")
		fs.BoolVar(&sentOnly, "sent-only", false, "only drafts an agent replied to")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	from, to := time.Now().Add(-since).UTC(), time.Now().UTC().Add(time.Second)
	for {
		page, err := st.Drafts(ctx, from, to, draftsPage)
		if err != nil {
			return err
		}
		for _, d := range page {
			if sentOnly && d.SentAt == nil {
				continue
			}
			line := coauthored{ConversationID: d.ConversationID, Draft: pii.Mask(d.Text), Decision: d.Decision, Confidence: d.Confidence,
				Sources: d.Sources, Final: pii.Mask(d.Final), EditDistance: d.EditDistance, Agent: d.Agent, CreatedAt: d.CreatedAt, SentAt: d.SentAt}
			if m, err := st.Message(ctx, d.MessageID); err == nil {
				line.Customer = pii.Mask(m.Text)
			}
			if err := enc.Encode(line); err != nil {
				return err
			}
		}
		if len(page) < draftsPage {
			return nil
		}
		from = page[len(page)-1].CreatedAt.Add(time.Microsecond)
	}
}
