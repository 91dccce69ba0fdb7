package analytics

import (
	"sort"
	"time"
)

// DayLayout is how Report.ByDay names a day (UTC).
const DayLayout = "2006-01-02"

// Report is the service's figures over a set of conversations, overall and broken down by
// channel and by the UTC day each conversation was created.
type Report struct {
	Metrics
	ByChannel map[string]Metrics `json:"by_channel"`
	ByDay     []Day              `json:"by_day"`
}

// Day is the figures of the conversations created on one UTC day.
type Day struct {
	Day string `json:"day"` // e.g. "2026-11-30"
	Metrics
}

// Metrics is the figures of one set of conversations. Rates are shares in [0, 1], 0 when their
// denominator is empty.
type Metrics struct {
	Conversations int `json:"conversations"`
	// Containment is the share of conversations the bot resolved on its own (Facts.Contained):
	// the customer wrote, the bot answered, no handoff and no person ever took it, and the
	// customer did not come back between ResolvedAfter and ReopenWindow after a bot answer.
	// Conversations where the customer never wrote count in the denominator but never as
	// contained.
	Containment float64 `json:"containment"`
	// HandoffRate is the share of conversations handed to people (a transition to waiting).
	HandoffRate float64 `json:"handoff_rate"`
	// HandoffReasons counts handed-off conversations by the reason of their first handoff
	// ("" when the handoff gave none).
	HandoffReasons map[string]int `json:"handoff_reasons"`
	// IntentMix counts the bot's answers by the intent they answered (omitted when none did).
	IntentMix map[string]int `json:"intent_mix,omitempty"`
	// FirstResponseSeconds: from the customer's first message to the first bot or agent reply,
	// over conversations that have both.
	FirstResponseSeconds Percentiles `json:"first_response_seconds"`
	// WaitSeconds: from the first handoff to a person accepting, over conversations whose first
	// wait ended with a person accepting.
	WaitSeconds Percentiles `json:"wait_seconds"`
	// HandleSeconds: from a person first accepting to the conversation going back to the bot or
	// being closed by people, over conversations that have both.
	HandleSeconds Percentiles `json:"handle_seconds"`
	// RatingAvg is the mean of the conversations' latest ratings, over RatingCount rated ones.
	RatingAvg   float64 `json:"rating_avg"`
	RatingCount int     `json:"rating_count"`
	// DropOffRate is the share of handed-off conversations whose customer left the first wait
	// before a person accepted (Facts.DroppedOff), among those whose first wait has ended: one
	// still in the queue is neither.
	DropOffRate float64 `json:"drop_off_rate"`
}

// Percentiles summarises durations in seconds by nearest rank: of N values sorted ascending,
// the p-th percentile is the value at rank ceil(p/100 × N) (1-based), so it is always one of
// the observed values. Both are 0 when N is 0.
type Percentiles struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
}

// Compute reports the figures of facts. It is pure: the same facts give the same report.
func Compute(facts []Facts) Report {
	all := &tally{}
	channels := map[string]*tally{}
	days := map[string]*tally{}
	for _, f := range facts {
		day := f.CreatedAt.UTC().Format(DayLayout)
		if channels[f.Channel] == nil {
			channels[f.Channel] = &tally{}
		}
		if days[day] == nil {
			days[day] = &tally{}
		}
		for _, t := range []*tally{all, channels[f.Channel], days[day]} {
			t.add(f)
		}
	}
	r := Report{Metrics: all.metrics(), ByChannel: map[string]Metrics{}, ByDay: []Day{}}
	for ch, t := range channels {
		r.ByChannel[ch] = t.metrics()
	}
	for day, t := range days {
		r.ByDay = append(r.ByDay, Day{Day: day, Metrics: t.metrics()})
	}
	sort.Slice(r.ByDay, func(i, j int) bool { return r.ByDay[i].Day < r.ByDay[j].Day })
	return r
}

// tally accumulates the counts and samples behind Metrics.
type tally struct {
	n, contained, handedOff, waitEnded, droppedOff, rated, ratingSum int
	reasons, intents                                                 map[string]int
	firstResponse, wait, handle                                      []time.Duration
}

func (t *tally) add(f Facts) {
	t.n++
	if f.Contained() {
		t.contained++
	}
	if f.HandedOff() {
		t.handedOff++
		if t.reasons == nil {
			t.reasons = map[string]int{}
		}
		t.reasons[f.HandoffReason]++
		if !f.Waiting {
			t.waitEnded++
		}
		if f.DroppedOff {
			t.droppedOff++
		} else if !f.AcceptedAt.Before(f.HandoffAt) {
			t.wait = append(t.wait, f.AcceptedAt.Sub(f.HandoffAt))
		}
	}
	if !f.FirstCustomerAt.IsZero() && !f.FirstReplyAt.IsZero() {
		t.firstResponse = append(t.firstResponse, f.FirstReplyAt.Sub(f.FirstCustomerAt))
	}
	if !f.AcceptedAt.IsZero() && !f.ReleasedAt.IsZero() {
		t.handle = append(t.handle, f.ReleasedAt.Sub(f.AcceptedAt))
	}
	if f.Rating > 0 {
		t.rated++
		t.ratingSum += f.Rating
	}
	for in, n := range f.Intents {
		if t.intents == nil {
			t.intents = map[string]int{}
		}
		t.intents[in] += n
	}
}

func (t *tally) metrics() Metrics {
	m := Metrics{
		Conversations:        t.n,
		Containment:          share(t.contained, t.n),
		HandoffRate:          share(t.handedOff, t.n),
		HandoffReasons:       t.reasons,
		FirstResponseSeconds: percentiles(t.firstResponse),
		WaitSeconds:          percentiles(t.wait),
		HandleSeconds:        percentiles(t.handle),
		RatingAvg:            share(t.ratingSum, t.rated),
		RatingCount:          t.rated,
		DropOffRate:          share(t.droppedOff, t.waitEnded),
		IntentMix:            t.intents,
	}
	if m.HandoffReasons == nil {
		m.HandoffReasons = map[string]int{}
	}
	return m
}

// share is n/of, or 0 when of is 0.
func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

func percentiles(ds []time.Duration) Percentiles {
	sorted := append([]time.Duration(nil), ds...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	return Percentiles{N: len(sorted), P50: nearestRank(sorted, 50), P90: nearestRank(sorted, 90)}
}

// nearestRank is the p-th percentile of sorted in seconds: the value at 1-based rank
// ceil(p/100 × N), computed in integers so no rounding moves it; 0 for no values.
func nearestRank(sorted []time.Duration, p int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := PercentileRank(p, len(sorted))
	return sorted[rank-1].Seconds()
}
