package main

import (
	"context"
	"time"

	"tandem/chat"
	"tandem/httpapi"
)

// evalStore is the eval loop's storage: review candidates, eval sets, runs.
type evalStore interface {
	Reviews(ctx context.Context, f chat.ReviewFilter) ([]chat.ReviewItem, error)
	Review(ctx context.Context, id int64) (chat.ReviewItem, error)
	SetReviewStatus(ctx context.Context, ids []int64, status string) (int, error)
	PutEvalCases(ctx context.Context, set string, cases []chat.EvalRecord, replace bool, at time.Time) (int, error)
	EvalSets(ctx context.Context) ([]chat.EvalSet, error)
	EvalCases(ctx context.Context, set string) ([]chat.EvalRecord, error)
	DeleteEvalSet(ctx context.Context, set string) error
	PutEvalRun(ctx context.Context, run chat.EvalRun, results []chat.EvalRecord) error
	EvalRun(ctx context.Context, id string) (chat.EvalRun, []chat.EvalRecord, error)
	EvalRuns(ctx context.Context, set string, limit int) ([]chat.EvalRun, error)
}

// newTrainer wires the trainer API to the store.
func newTrainer(st store) *httpapi.Trainer {
	return &httpapi.Trainer{
		Store: st,
		Analytics: func(ctx context.Context, from, to time.Time) (any, error) {
			return report(ctx, st, from, to)
		},
	}
}
