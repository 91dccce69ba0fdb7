package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"text/tabwriter"
	"time"

	"tandem/chat"
	"tandem/demo"
	"tandem/intent"
	"tandem/retrieval"
)

// intentStore is what intents need of a store.
type intentStore interface {
	PutIntent(ctx context.Context, in chat.Intent) error
	Intents(ctx context.Context) ([]chat.Intent, error)
	DeleteIntent(ctx context.Context, name string) error
	IntentsVersion(ctx context.Context) (string, error)
	Documents(ctx context.Context) ([]chat.Document, error)
}

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
func cmdIntents(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, intentsUsage)
		if len(args) == 0 {
			return errors.New("which intents command? see above")
		}
		return errHelp
	}
	_, _, st, rest, err := setup(ctx, "intents "+args[0], args[1:], getenv, stderr, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	switch args[0] {
	case "import":
		if len(rest) != 1 {
			return errors.New("give one JSONL file: tandem intents import intents.jsonl")
		}
		data, err := os.ReadFile(rest[0])
		if err != nil {
			return err
		}
		n, err := importIntents(ctx, st, data)
		if err != nil {
			return fmt.Errorf("%s: %w", rest[0], err)
		}
		fmt.Fprintf(stdout, "imported %d intents\n", n)
		return nil
	case "list":
		return listIntents(ctx, st, stdout)
	case "export":
		ins, err := st.Intents(ctx)
		if err != nil {
			return err
		}
		return intent.WriteJSONL(stdout, ins)
	case "delete":
		for _, name := range rest {
			if err := st.DeleteIntent(ctx, name); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "deleted %s\n", name)
		}
		return nil
	}
	return fmt.Errorf("unknown intents command %q\n\n%s", args[0], intentsUsage)
}

// importIntents stores the intents of a JSONL file, all checked before any is stored.
func importIntents(ctx context.Context, st intentStore, data []byte) (int, error) {
	ins, err := intent.ParseJSONL(bytes.NewReader(data), time.Now().UTC())
	if err != nil {
		return 0, err
	}
	for _, in := range ins {
		if err := st.PutIntent(ctx, in); err != nil {
			return 0, err
		}
	}
	return len(ins), nil
}

func listIntents(ctx context.Context, st intentStore, w io.Writer) error {
	ins, err := st.Intents(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tACTION\tTEAM\tPRIORITY\tEXAMPLES")
	for _, in := range ins {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", in.Name, in.Action, in.Team, in.Priority, len(in.Examples))
	}
	return tw.Flush()
}

// loadDemoIntents stores the demo intents unless the store has intents already (a trainer's).
func loadDemoIntents(ctx context.Context, st intentStore) error {
	ins, err := st.Intents(ctx)
	if err != nil || len(ins) > 0 {
		return err
	}
	_, err = importIntents(ctx, st, demo.Intents)
	return err
}

// intentSync retrains the intent router whenever the stored intents change.
type intentSync struct {
	store   intentStore
	live    *intent.Live
	log     *slog.Logger
	mu      sync.Mutex // the loop and API changes retrain one at a time
	version string
}

// loaded reports whether the intents have been trained (or found empty) at least once.
func (s *intentSync) loaded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version != ""
}

// load trains a router from the stored intents, with the knowledge questions as out-of-scope.
func (s *intentSync) load(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.store.IntentsVersion(ctx)
	if err != nil || v == s.version {
		return err
	}
	ins, err := s.store.Intents(ctx)
	if err != nil {
		return err
	}
	if len(ins) == 0 {
		s.live.Set(nil)
		s.version = v
		return nil
	}
	docs, err := s.store.Documents(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	r, err := intent.NewRouter(ins, knowledgeNegatives(ins, docs))
	if err != nil {
		return err
	}
	s.live.Set(r)
	s.version = v
	s.log.Info("intents trained", "intents", len(ins), "seconds", time.Since(start).Seconds())
	return nil
}

// nearExample is the share of shared words (of the shorter text) from which a knowledge phrasing
// counts as saying what an intent's example says. Chinese words are character pairs, so a short
// Chinese phrasing shares few of them: 0.4 keeps "我的理赔进度怎么样" from teaching the router to
// refuse the claim-status action, while "How do I pay my premium?" stays a negative for the
// next-premium action (both checked with the demo's action eval set and the answers eval).
const nearExample = 0.4

// knowledgeNegatives are the router's out-of-scope examples: the articles' titles and customer
// phrasings, except phrasings that say what an intent's own example says ("where is my claim"
// beside the claim-status action's "where is my claim CL…"): as negatives they would teach the
// router to refuse its own intents.
func knowledgeNegatives(ins []chat.Intent, docs []chat.Document) []string {
	var examples []map[string]bool
	for _, in := range ins {
		for _, ex := range in.Examples {
			examples = append(examples, wordSet(ex))
		}
	}
	var out []string
	for _, d := range docs {
		out = append(out, d.Title)
		for _, q := range d.Questions {
			if !nearAny(wordSet(q), examples) {
				out = append(out, q)
			}
		}
	}
	return out
}

func wordSet(text string) map[string]bool {
	set := map[string]bool{}
	for _, w := range retrieval.Tokens(text) {
		set[w] = true
	}
	return set
}

// nearAny reports whether words share at least nearExample of the smaller set with any example.
func nearAny(words map[string]bool, examples []map[string]bool) bool {
	for _, ex := range examples {
		shared := 0
		for w := range words {
			if ex[w] {
				shared++
			}
		}
		if n := min(len(words), len(ex)); n > 0 && float64(shared) >= nearExample*float64(n) {
			return true
		}
	}
	return false
}
