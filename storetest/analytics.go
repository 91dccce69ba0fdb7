package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"tandem/analytics"
)

// AnalyticsStart is the first day of the histories the analytics tests and benchmarks generate.
var AnalyticsStart = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

// AnalyticsStore is what the analytics test needs of a store.
type AnalyticsStore interface {
	analytics.Writer
	analytics.SummaryStore
	AnalyticsFacts(ctx context.Context, from, to time.Time) ([]analytics.Facts, error)
}

// RunAnalyticsFacts stores a generated history through the store's ordinary methods and checks
// the facts and the report from AnalyticsFacts against the generator's own figures, and the
// Summary the store aggregates in SQL against Compute's over the whole history, one day of it
// and an empty window.
func RunAnalyticsFacts(t *testing.T, s AnalyticsStore) {
	ctx := context.Background()
	h := analytics.Generate(1, 600, AnalyticsStart)
	if err := h.Store(ctx, s); err != nil {
		t.Fatal(err)
	}
	facts, err := s.AnalyticsFacts(ctx, h.From, h.To)
	if err != nil {
		t.Fatal(err)
	}
	if len(facts) != len(h.WantFacts) {
		t.Fatalf("%d facts, want %d", len(facts), len(h.WantFacts))
	}
	for i, f := range facts {
		if !reflect.DeepEqual(f, h.WantFacts[i]) {
			t.Errorf("facts %d:\n got %+v\nwant %+v", i, f, h.WantFacts[i])
		}
	}
	CompareReports(t, analytics.Compute(facts), h.Want)
	day := h.From.Add(24 * time.Hour)
	for _, w := range []struct{ from, to time.Time }{{h.From, h.To}, {day, day.Add(24 * time.Hour)}, {h.To, h.To.Add(time.Hour)}} {
		facts, err := s.AnalyticsFacts(ctx, w.from, w.to)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Summary(ctx, w.from, w.to)
		if err != nil {
			t.Fatal(err)
		}
		if want := analytics.Compute(facts).Summary(); got != want {
			t.Errorf("summary of [%s, %s):\n got %+v\nwant %+v", w.from, w.to, got, want)
		}
	}
}

// CompareReports fails tb unless got is want, naming the headline figures that differ.
func CompareReports(tb testing.TB, got, want analytics.Report) {
	tb.Helper()
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"conversations", float64(got.Conversations), float64(want.Conversations)},
		{"containment", got.Containment, want.Containment},
		{"handoff rate", got.HandoffRate, want.HandoffRate},
		{"wait p90", got.WaitSeconds.P90, want.WaitSeconds.P90},
		{"rating avg", got.RatingAvg, want.RatingAvg},
		{"drop-off rate", got.DropOffRate, want.DropOffRate},
	} {
		if c.got != c.want {
			tb.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if !reflect.DeepEqual(got, want) {
		tb.Errorf("report:\n got %+v\nwant %+v", got, want)
	}
	if want.Conversations == 0 || want.WaitSeconds.N == 0 || want.RatingCount == 0 || len(want.ByDay) != analytics.GeneratedDays {
		tb.Fatalf("the generated history is too thin to test anything: %+v", want.Metrics)
	}
}
