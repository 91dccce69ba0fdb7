package main

// What the command-line tools run on, besides the server: throwaway stores, the evaluator and
// the bot of tandem ask.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"tandem/cli"
	"tandem/config"
	"tandem/conversation"
	"tandem/evals"
	"tandem/intent"
	"tandem/knowledge"
	"tandem/llm"
	"tandem/postgres"
	"tandem/settings"
	"tandem/sqlite"
)

// tandem kb import refreshes Postgres's planner statistics after a bulk import.
var _ interface{ Analyze(context.Context) error } = (*postgres.Store)(nil)

// judgeTimeout bounds one grading call of the LLM judge.
const judgeTimeout = 20 * time.Second

// tempStore opens a fresh, migrated store that cleanup removes: a SQLite file in a temporary
// directory, or a temporary schema when DATABASE_URL is set.
func tempStore(ctx context.Context, cfg config.Config) (store, func(), error) {
	if cfg.DatabaseURL != "" {
		schema := fmt.Sprintf("eval_%d", time.Now().UnixNano())
		pg, err := postgres.OpenSchema(ctx, cfg.DatabaseURL, schema)
		if err != nil {
			return nil, nil, err
		}
		cleanup := func() { pg.DropSchema(context.Background(), schema); pg.Close() }
		if err := pg.Migrate(ctx); err != nil {
			cleanup()
			return nil, nil, err
		}
		return pg, cleanup, nil
	}
	dir, err := os.MkdirTemp("", "tandem-eval-*")
	if err != nil {
		return nil, nil, err
	}
	lite, err := sqlite.Open(filepath.Join(dir, "eval.db"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	cleanup := func() { lite.Close(); os.RemoveAll(dir) }
	if err := lite.Migrate(ctx); err != nil {
		cleanup()
		return nil, nil, err
	}
	return lite, cleanup, nil
}

// loaded is the stored knowledge base (embedded and indexed), intents and settings, loaded as
// the server loads them, for a one-shot command.
type loaded struct {
	kb      *knowledge.Base
	intents *intent.Live
	tune    *settings.Tuning
	log     *slog.Logger
}

func load(ctx context.Context, cfg config.Config, st store, stderr io.Writer) (loaded, error) {
	l := loaded{log: cli.Logger(cfg, stderr)}
	kb, err := knowledge.New(ctx, cfg, st, l.log)
	if err != nil {
		return l, err
	}
	if err := kb.Ready(ctx, stderr); err != nil {
		return l, err
	}
	intents := &intent.Sync{Store: st, Live: &intent.Live{}, Log: l.log}
	if err := intents.Load(ctx); err != nil {
		return l, err
	}
	l.kb, l.intents, l.tune = kb, intents.Live, settings.NewTuning(st, cfg.TargetPrecision, nil, l.log)
	l.tune.Intents = intents.Live
	return l, l.tune.Load(ctx)
}

// newEvaluator wires an evaluator over the stored knowledge base, intents and settings, as
// `tandem serve` would answer.
func newEvaluator(ctx context.Context, cfg config.Config, st store, stderr io.Writer) (*evals.Evaluator, error) {
	l, err := load(ctx, cfg, st, stderr)
	if err != nil {
		return nil, err
	}
	kv, _ := st.KnowledgeVersion(ctx)
	iv, _ := st.IntentsVersion(ctx)
	conf := map[string]string{"target_precision": fmt.Sprint(l.tune.TargetPrecision()), "intent_threshold": fmt.Sprint(l.intents.Threshold()),
		"knowledge_version": kv, "intents_version": iv, "embedder": cfg.Embedder, "llm": cfg.LLMModel}
	b := newBot(cfg, l.kb, l.intents, l.tune, l.log)
	ev := &evals.Evaluator{Rehearsal: &evals.Rehearsal{Next: b, Defs: st, Log: l.log}, Search: l.kb.Search, Intents: l.intents, Config: conf,
		Target: l.tune.TargetPrecision()}
	if g, ok := b.LLM.(*llm.Chat); ok {
		ev.Rehearsal.Chooser = g // as in tandem serve: the model may choose actions too
	}
	if cfg.LLMBaseURL != "" {
		judge := llm.NewChat(llm.ChatConfig{BaseURL: cfg.LLMBaseURL, APIKey: cfg.LLMAPIKey, Model: cfg.LLMModel, Timeout: judgeTimeout,
			HTTPClient: cfg.Outbound().Client(0)})
		ev.Judge, conf["judge"] = judge.Judge, cfg.LLMModel
	}
	return ev, nil
}

// askBot is the bot of tandem ask: over the stored knowledge base and intents, with the answer
// calibrator fitted on the knowledge base.
func askBot(ctx context.Context, cfg config.Config, st store, stderr io.Writer) (conversation.Bot, error) {
	l, err := load(ctx, cfg, st, stderr)
	if err != nil {
		return nil, err
	}
	selfcal := newSelfCalibration(l.kb, st, l.tune.TargetPrecision, l.log)
	l.tune.Self = selfcal
	if err := selfcal.Step(ctx); err != nil {
		return nil, err
	}
	return newBot(cfg, l.kb, l.intents, l.tune, l.log), nil
}
