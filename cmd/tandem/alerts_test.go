package main

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

	"tandem/analytics"
)

// factsStore returns fixed facts.
type factsStore []analytics.Facts

func (f factsStore) AnalyticsFacts(context.Context, time.Time, time.Time) ([]analytics.Facts, error) {
	return f, nil
}

func (f factsStore) Judgements(context.Context, time.Time, time.Time) ([]analytics.Judgement, error) {
	return nil, nil
}

func TestParseRules(t *testing.T) {
	rules, err := parseRules("wait_p90_seconds>300, handoff_rate>0.3,rating_avg<3.5")
	if err != nil || len(rules) != 3 || rules[1].Metric != "handoff_rate" || rules[2].Op != "<" || rules[0].Value != 300 {
		t.Fatalf("rules = %+v %v", rules, err)
	}
	for _, bad := range []string{"wait>300", "handoff_rate=0.3", "handoff_rate>x", ">1"} {
		if _, err := parseRules(bad); err == nil {
			t.Errorf("parseRules(%q) accepted", bad)
		}
	}
}

// TestAlerts: a handoff-rate rule over the last day fires to the log and the webhook, and the
// day's figures reach the Prometheus gauges.
func TestAlerts(t *testing.T) {
	got := make(chan map[string]any, 1)
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
	rules, _ := parseRules("handoff_rate>0.3")
	reg := prometheus.NewRegistry()
	var logs strings.Builder
	a := &alerter{store: facts, gauges: newServiceGauges(reg), rules: rules, url: hook.URL, window: 24 * time.Hour, client: hook.Client(),
		log: slog.New(slog.NewTextHandler(&logs, nil)), nowFunc: func() time.Time { return now }}
	if err := a.check(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := <-got
	al, _ := b["alert"].(map[string]any)
	if msg, _ := al["message"].(string); !strings.Contains(msg, "handoff rate is 50") {
		t.Fatalf("webhook got %v", b)
	}
	if !strings.Contains(logs.String(), "handoff rate is 50") {
		t.Fatalf("log: %s", logs.String())
	}
	if v := testutil.ToFloat64(a.gauges.handoffRate); v != 0.5 {
		t.Fatalf("handoff gauge = %v, want 0.5", v)
	}
}
