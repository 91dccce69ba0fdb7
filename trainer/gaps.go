package trainer

import (
	"context"
	"strings"
	"time"

	"tandem/chat"
	"tandem/evals"
)

// maxGapHandoffs bounds the handoffs one gap report clusters.
const maxGapHandoffs = 5000

// gapArticlePrefix starts the id of an article written for a gap (gap-<key>).
const gapArticlePrefix = "gap-"

// GapReport is the missing articles of a period.
type GapReport struct {
	Gaps []evals.Gap `json:"gaps"`
}

// Gaps clusters the handoffs of [from, to) into missing articles, with the before/after
// handoff rates of those an article was written for (documents named gap-<key>). Handoffs the
// customer asked for, or policy made, are not missing articles.
func (t *Console) Gaps(ctx context.Context, from, to time.Time) (GapReport, error) {
	items, err := t.Store.Reviews(ctx, chat.ReviewFilter{Reason: chat.ReviewHandoff, From: from, To: to, Limit: maxGapHandoffs})
	if err != nil {
		return GapReport{}, err
	}
	qs := make([]evals.HandedOff, 0, len(items))
	for _, it := range items {
		if evals.PolicyHandoff(it.HandoffReason) {
			continue
		}
		qs = append(qs, evals.HandedOff{Text: it.Text, Answer: it.Answer, ConversationID: it.ConversationID, At: it.CreatedAt})
	}
	docs, err := t.Store.Documents(ctx)
	if err != nil {
		return GapReport{}, err
	}
	articles := map[string]time.Time{}
	for _, d := range docs {
		if strings.HasPrefix(d.ID, gapArticlePrefix) {
			articles[d.ID] = d.UpdatedAt
		}
	}
	return GapReport{Gaps: evals.Gaps(qs, articles, t.now())}, nil
}
