package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"tandem/analytics"
	"tandem/chat"
	"tandem/config"
	"tandem/evals"
	"tandem/httpapi"
	"tandem/trainer"
)

// newTrainer wires the trainer API to the store; the console's Run button replays a set as
// `tandem eval run --set NAME --baseline latest` does.
func newTrainer(cfg config.Config, st store, threshold func() float64, log *slog.Logger) *httpapi.Trainer {
	run := func(ctx context.Context, set string, progress func(done, total int)) (string, error) {
		p := &evals.Replayer{Store: st, Notes: io.Discard, Evaluator: func(ctx context.Context) (*evals.Evaluator, error) {
			return newEvaluator(ctx, cfg, st, io.Discard)
		}}
		r, err := p.Replay(ctx, set, "latest", 0, progress)
		return r.Run.ID, err
	}
	tc := &trainer.Console{Store: st}
	return &httpapi.Trainer{
		Store:  st,
		Runs:   &httpapi.RunJobs{Run: run, Log: log},
		Accept: tc.Accept,
		Cases:  func(ctx context.Context, set string) (any, error) { return evals.LoadCases(ctx, st, set) },
		Report: func(ctx context.Context, w http.ResponseWriter, id string) error {
			r, err := evals.LoadSetRun(ctx, st, id)
			if err != nil {
				return err
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			return r.WriteReport(w)
		},
		Analytics: func(ctx context.Context, from, to time.Time) (any, error) {
			return analytics.Load(ctx, st, from, to)
		},
		Gaps:        func(ctx context.Context, from, to time.Time) (any, error) { return tc.Gaps(ctx, from, to) },
		IntentStats: func(ctx context.Context, set string) (any, error) { return tc.IntentStats(ctx, set) },
		PreviewIntents: func(ctx context.Context, set string, ins []chat.Intent) (any, error) {
			return tc.PreviewIntents(ctx, set, ins)
		},
		Confidence: func(ctx context.Context, from, to time.Time) (any, error) {
			js, err := st.Judgements(ctx, from, to)
			if err != nil {
				return nil, err
			}
			return map[string]any{"threshold": threshold(), "weeks": analytics.Confidence(js, threshold())}, nil
		},
	}
}
