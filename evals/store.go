package evals

import (
	"context"
	"time"

	"tandem/chat"
)

// Store is the eval loop's storage: review candidates, eval sets and runs. sqlite.Store and
// postgres.Store implement it.
type Store interface {
	AddReview(ctx context.Context, it chat.ReviewItem, dedupe string) (bool, error)
	SetReviewAnswer(ctx context.Context, conversationID, answer string) error
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
