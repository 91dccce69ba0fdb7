package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"tandem/chat"
	"tandem/demo/seed"
)

// AskResult is the --json output of tandem ask.
type AskResult struct {
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

// ask answers one question from the knowledge base in the store (the demo knowledge base
// when the store has none).
func (d Deps) ask(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var asJSON bool
	// A one-shot command prints its answer; routine log lines would only be noise on stderr.
	cfg, rest, err := LoadConfig("ask", args, WithDefault(getenv, "TANDEM_LOG_LEVEL", "warn"), stderr, func(fs *flag.FlagSet) {
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
	st, err := d.Open(ctx, cfg)
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
	b, err := d.Bot(ctx, cfg, st, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	r, err := b.Turn(ctx, chat.Conversation{}, nil, q, nil)
	if err != nil {
		return err
	}
	res := AskResult{Question: q, Answer: r.Text, Decision: r.Decision, Reason: r.Reason, Intent: r.Intent, Confidence: r.Confidence,
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
