package analytics

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// factsStore sums fixed facts as a store's SQL would.
type factsStore []Facts

func (f factsStore) Summary(context.Context, time.Time, time.Time) (Summary, error) {
	return Compute(f).Summary(), nil
}

func (f factsStore) Judgements(context.Context, time.Time, time.Time) ([]Judgement, error) {
	return nil, nil
}

func TestParseRules(t *testing.T) {
	rules, err := ParseRules("wait_p90_seconds>300, handoff_rate>0.3,rating_avg<3.5")
	if err != nil || len(rules) != 3 || rules[1].Metric != "handoff_rate" || rules[2].Op != "<" || rules[0].Value != 300 {
		t.Fatalf("rules = %+v %v", rules, err)
	}
	for _, bad := range []string{"wait>300", "handoff_rate=0.3", "handoff_rate>x", ">1"} {
		if _, err := ParseRules(bad); err == nil {
			t.Errorf("ParseRules(%q) accepted", bad)
		}
	}
}

// TestAlerts: a handoff-rate rule over the last day fires to the log and the webhook, and the
// day's figures reach the Prometheus gauges; an extra check fires too, and clears.
func TestAlerts(t *testing.T) {
	got := make(chan map[string]any, 2)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b map[string]any
		json.NewDecoder(r.Body).Decode(&b)
		got <- b
	}))
	defer hook.Close()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	facts := factsStore{
		{ID: "a", Channel: "web", CreatedAt: now.Add(-time.Hour), HandoffAt: now.Add(-50 * time.Minute), HandoffReason: "low_confidence"},
		{ID: "b", Channel: "web", CreatedAt: now.Add(-time.Hour)},
	}
	rules, _ := ParseRules("handoff_rate>0.3")
	reg := prometheus.NewRegistry()
	var logs strings.Builder
	overdue := true
	a := &Alerter{Store: facts, Gauges: NewGauges(reg), Rules: rules, URL: hook.URL, Window: 24 * time.Hour, Client: hook.Client(),
		Log: slog.New(slog.NewTextHandler(&logs, nil)), Now: func() time.Time { return now },
		Extra: []func(context.Context) (Alert, bool){func(context.Context) (Alert, bool) {
			return Alert{Rule: Rule{Metric: "complaints_overdue", Op: ">"}, Value: 1, Message: "1 complaint case past due"}, overdue
		}}}
	if err := a.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := <-got
	al, _ := b["alert"].(map[string]any)
	if msg, _ := al["message"].(string); !strings.Contains(msg, "handoff rate is 50") {
		t.Fatalf("webhook got %v", b)
	}
	if b = <-got; !strings.Contains(b["alert"].(map[string]any)["message"].(string), "complaint case past due") {
		t.Fatalf("webhook got %v", b)
	}
	if !strings.Contains(logs.String(), "handoff rate is 50") {
		t.Fatalf("log: %s", logs.String())
	}
	if v := testutil.ToFloat64(a.Gauges.HandoffRate); v != 0.5 {
		t.Fatalf("handoff gauge = %v, want 0.5", v)
	}
	overdue = false
	if err := a.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-got
	if !strings.Contains(logs.String(), "alert cleared") || !strings.Contains(logs.String(), "complaints_overdue>") {
		t.Fatalf("log: %s", logs.String())
	}
}

// TestCountsSummary: the counts a store aggregates give the figures Compute gives for the same
// conversations, over a generated history.
func TestCountsSummary(t *testing.T) {
	h := Generate(3, 400, time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC))
	var c Counts
	var first, wait, handle []time.Duration
	for _, f := range h.WantFacts {
		tl := &tally{}
		tl.add(f)
		c.Conversations++
		c.Contained += tl.contained
		c.HandedOff += tl.handedOff
		c.WaitEnded += tl.waitEnded
		c.DroppedOff += tl.droppedOff
		c.Rated += tl.rated
		c.RatingSum += tl.ratingSum
		first, wait, handle = append(first, tl.firstResponse...), append(wait, tl.wait...), append(handle, tl.handle...)
	}
	c.FirstResponse, c.Wait, c.Handle = ranked(first), ranked(wait), ranked(handle)
	if got, want := c.Summary(), h.Want.Metrics.Summary(); got != want {
		t.Fatalf("summary:\n got %+v\nwant %+v", got, want)
	}
}

func ranked(ds []time.Duration) Ranked {
	sorted := append([]time.Duration(nil), ds...)
	for i := range sorted { // insertion sort: a test helper, independent of percentiles()
		for j := i; j > 0 && sorted[j] < sorted[j-1]; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	if len(sorted) == 0 {
		return Ranked{}
	}
	return Ranked{N: len(sorted), P50: sorted[PercentileRank(50, len(sorted))-1], P90: sorted[PercentileRank(90, len(sorted))-1]}
}
