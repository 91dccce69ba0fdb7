package analytics

import (
	"context"
	"time"
)

// Summary is the headline figures of a set of conversations: what alert rules and the service
// gauges watch. Stores aggregate it in SQL (SummaryStore) instead of loading every conversation's
// Facts; for the same conversations it equals Compute's Metrics.Summary.
type Summary struct {
	Conversations        int
	Containment          float64
	HandoffRate          float64
	DropOffRate          float64
	RatingAvg            float64
	RatingCount          int
	FirstResponseSeconds Percentiles
	WaitSeconds          Percentiles
	HandleSeconds        Percentiles
}

// Summary is m's headline figures.
func (m Metrics) Summary() Summary {
	return Summary{Conversations: m.Conversations, Containment: m.Containment, HandoffRate: m.HandoffRate, DropOffRate: m.DropOffRate,
		RatingAvg: m.RatingAvg, RatingCount: m.RatingCount, FirstResponseSeconds: m.FirstResponseSeconds, WaitSeconds: m.WaitSeconds,
		HandleSeconds: m.HandleSeconds}
}

// SummaryStore aggregates the Summary of conversations created in [from, to) in the database.
type SummaryStore interface {
	Summary(ctx context.Context, from, to time.Time) (Summary, error)
}

// Counts are what a store's SQL aggregates for a Summary: the same tallies Compute keeps
// (Facts.Contained, HandedOff, DroppedOff, Waiting, Rating) and the nearest-rank percentiles of
// the three durations. Ratios are left to Summary so every store divides alike.
type Counts struct {
	Conversations, Contained, HandedOff, WaitEnded, DroppedOff, Rated, RatingSum int
	FirstResponse, Wait, Handle                                                  Ranked
}

// Ranked is a duration sample's size and its nearest-rank 50th and 90th percentiles
// (PercentileRank picks the rows).
type Ranked struct {
	N        int
	P50, P90 time.Duration
}

// PercentileRank is the 1-based rank of the p-th percentile of n sorted values by nearest
// rank: ceil(p/100 × n), at least 1. Stores compute the same in SQL, in integers.
func PercentileRank(p, n int) int { return max((p*n+99)/100, 1) }

// Summary turns the counts into figures.
func (c Counts) Summary() Summary {
	return Summary{
		Conversations:        c.Conversations,
		Containment:          share(c.Contained, c.Conversations),
		HandoffRate:          share(c.HandedOff, c.Conversations),
		DropOffRate:          share(c.DroppedOff, c.WaitEnded),
		RatingAvg:            share(c.RatingSum, c.Rated),
		RatingCount:          c.Rated,
		FirstResponseSeconds: c.FirstResponse.percentiles(),
		WaitSeconds:          c.Wait.percentiles(),
		HandleSeconds:        c.Handle.percentiles(),
	}
}

func (r Ranked) percentiles() Percentiles {
	if r.N == 0 {
		return Percentiles{}
	}
	return Percentiles{N: r.N, P50: r.P50.Seconds(), P90: r.P90.Seconds()}
}
