package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tandem/analytics"
	"tandem/complaint"
)

// analyticsStore computes the service's facts.
type analyticsStore interface {
	AnalyticsFacts(ctx context.Context, from, to time.Time) ([]analytics.Facts, error)
	Judgements(ctx context.Context, from, to time.Time) ([]analytics.Judgement, error)
}

// report computes the analytics of conversations created in [from, to).
func report(ctx context.Context, st analyticsStore, from, to time.Time) (analytics.Report, error) {
	facts, err := st.AnalyticsFacts(ctx, from, to)
	if err != nil {
		return analytics.Report{}, err
	}
	return analytics.Compute(facts), nil
}

// ParseRules reads alert rules such as "wait_p90_seconds>300,handoff_rate>0.3,rating_avg<3.5".
func parseRules(s string) ([]analytics.Rule, error) {
	var rules []analytics.Rule
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		i := strings.IndexAny(part, "<>")
		if i <= 0 {
			return nil, fmt.Errorf("alert rule %q: want metric>value or metric<value", part)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(part[i+1:]), 64)
		if err != nil {
			return nil, fmt.Errorf("alert rule %q: %q is not a number", part, part[i+1:])
		}
		r := analytics.Rule{Metric: strings.TrimSpace(part[:i]), Op: part[i : i+1], Value: v}
		if err := r.Validate(); err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// alerter checks the rules against the last window of conversations every interval and sends
// what fires to the log and, when set, a webhook. A rule that keeps firing is sent once per
// interval it holds; when it clears, that is logged.
type alerter struct {
	store     analyticsStore
	threshold func() float64 // the target precision, for the share below it
	gauges    *serviceGauges
	rules     []analytics.Rule
	url       string
	window    time.Duration
	client    *http.Client
	log       *slog.Logger
	firing    map[string]bool
	nowFunc   func() time.Time
	// complaints raises the alert for complaint cases past due (nil: none).
	complaints *complaint.Monitor
}

// run checks until ctx ends.
func (a *alerter) run(ctx context.Context, interval time.Duration) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if err := a.check(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("alert check failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func (a *alerter) check(ctx context.Context) error {
	now := a.nowFunc()
	r, err := report(ctx, a.store, now.Add(-a.window), now)
	if err != nil {
		return err
	}
	a.gauges.set(r)
	fired := analytics.Check(r, a.rules)
	if al, ok := a.drift(ctx, now); ok {
		fired = append(fired, al)
	}
	if al, ok := a.complaints.Check(ctx); ok {
		fired = append(fired, al)
	}
	now2 := map[string]bool{}
	for _, al := range fired {
		key := al.Rule.Metric + al.Rule.Op
		now2[key] = true
		a.log.Warn("alert", "metric", al.Rule.Metric, "value", al.Value, "message", al.Message)
		if a.url != "" {
			if err := a.post(ctx, al); err != nil {
				a.log.Warn("alert webhook failed", "err", err)
			}
		}
	}
	for key := range a.firing {
		if !now2[key] {
			a.log.Info("alert cleared", "rule", key)
		}
	}
	a.firing = now2
	return nil
}

// drift raises an alert when this week's predicted confidence and observed correctness part.
func (a *alerter) drift(ctx context.Context, now time.Time) (analytics.Alert, bool) {
	js, err := a.store.Judgements(ctx, now.AddDate(0, 0, -7), now)
	if err != nil || a.threshold == nil {
		return analytics.Alert{}, false
	}
	weeks := analytics.Confidence(js, a.threshold())
	if len(weeks) == 0 || !weeks[len(weeks)-1].Alert {
		return analytics.Alert{}, false
	}
	w := weeks[len(weeks)-1]
	return analytics.Alert{Rule: analytics.Rule{Metric: "calibration_drift", Op: ">", Value: analytics.DriftAlert}, Value: w.Drift,
		Message: fmt.Sprintf("calibration drift in %s: the bot predicted %.0f %% right, %.0f %% were (%d judged turns)",
			w.Week, 100*w.Predicted, 100*w.Observed, w.Judged)}, true
}

func (a *alerter) post(ctx context.Context, al analytics.Alert) error {
	body, _ := json.Marshal(map[string]any{"alert": al, "window": a.window.String(), "at": a.nowFunc().UTC()})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := a.client.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("alert webhook answered %s", res.Status)
	}
	return nil
}

// serviceGauges export the last day's service figures to Prometheus, refreshed with the alerts.
type serviceGauges struct {
	containment, handoffRate, dropOff, ratingAvg prometheus.Gauge
	firstResponseP90, waitP90, handleP90         prometheus.Gauge
}

func newServiceGauges(reg prometheus.Registerer) *serviceGauges {
	g := func(name, help string) prometheus.Gauge {
		x := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help + " Over conversations started in the last 24 h."})
		reg.MustRegister(x)
		return x
	}
	return &serviceGauges{
		containment:      g("tandem_containment_ratio", "Share of conversations the bot resolved: no handoff, no person, not reopened within 24 h."),
		handoffRate:      g("tandem_handoff_ratio", "Share of conversations handed to people."),
		dropOff:          g("tandem_waiting_drop_off_ratio", "Share of handed-off conversations the customer left before a person took them."),
		ratingAvg:        g("tandem_rating_average", "Mean post-chat rating (1–5) of rated conversations."),
		firstResponseP90: g("tandem_first_response_p90_seconds", "90th percentile of the time to the first reply."),
		waitP90:          g("tandem_wait_p90_seconds", "90th percentile of the wait from handoff to a person accepting."),
		handleP90:        g("tandem_handle_p90_seconds", "90th percentile of the time a person held a conversation."),
	}
}

func (g *serviceGauges) set(r analytics.Report) {
	if g == nil {
		return
	}
	g.containment.Set(r.Containment)
	g.handoffRate.Set(r.HandoffRate)
	g.dropOff.Set(r.DropOffRate)
	g.ratingAvg.Set(r.RatingAvg)
	g.firstResponseP90.Set(float64(r.FirstResponseSeconds.P90))
	g.waitP90.Set(float64(r.WaitSeconds.P90))
	g.handleP90.Set(float64(r.HandleSeconds.P90))
}
