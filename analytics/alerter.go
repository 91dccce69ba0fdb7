package analytics

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
)

// FactsStore returns the per-conversation facts of conversations created in [from, to).
type FactsStore interface {
	AnalyticsFacts(ctx context.Context, from, to time.Time) ([]Facts, error)
}

// Load computes the report of conversations created in [from, to).
func Load(ctx context.Context, st FactsStore, from, to time.Time) (Report, error) {
	facts, err := st.AnalyticsFacts(ctx, from, to)
	if err != nil {
		return Report{}, err
	}
	return Compute(facts), nil
}

// ParseRules reads alert rules such as "wait_p90_seconds>300,handoff_rate>0.3,rating_avg<3.5".
func ParseRules(s string) ([]Rule, error) {
	var rules []Rule
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
		r := Rule{Metric: strings.TrimSpace(part[:i]), Op: part[i : i+1], Value: v}
		if err := r.Validate(); err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// AlertStore is what the Alerter reads: the window's Summary, aggregated in SQL, and the
// week's judged turns for calibration drift.
type AlertStore interface {
	SummaryStore
	Judgements(ctx context.Context, from, to time.Time) ([]Judgement, error)
}

// Alerter checks the rules against the last Window of conversations every interval and sends
// what fires to the log and, when URL is set, a webhook. A rule that keeps firing is sent once
// per interval it holds; when it clears, that is logged. Run it on one replica at a time.
type Alerter struct {
	Store AlertStore
	// Threshold is the target precision, for the share below it (nil: no drift alert).
	Threshold func() float64
	Gauges    *Gauges // nil: none
	Rules     []Rule
	URL       string
	Window    time.Duration
	Client    *http.Client
	Log       *slog.Logger
	Now       func() time.Time
	// Extra are further checks raising an alert each (e.g. complaint cases past due).
	Extra []func(ctx context.Context) (Alert, bool)

	firing map[string]bool
}

// Run checks until ctx ends.
func (a *Alerter) Run(ctx context.Context, interval time.Duration) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if err := a.Check(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("alert check failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Check refreshes the gauges and sends the alerts that fire now.
func (a *Alerter) Check(ctx context.Context) error {
	now := a.Now()
	sum, err := a.Store.Summary(ctx, now.Add(-a.Window), now)
	if err != nil {
		return err
	}
	a.Gauges.Set(sum)
	fired := Check(sum, a.Rules)
	if al, ok := a.drift(ctx, now); ok {
		fired = append(fired, al)
	}
	for _, extra := range a.Extra {
		if al, ok := extra(ctx); ok {
			fired = append(fired, al)
		}
	}
	firing := map[string]bool{}
	for _, al := range fired {
		firing[al.Rule.Metric+al.Rule.Op] = true
		a.Log.Warn("alert", "metric", al.Rule.Metric, "value", al.Value, "message", al.Message)
		if a.URL != "" {
			if err := a.post(ctx, al); err != nil {
				a.Log.Warn("alert webhook failed", "err", err)
			}
		}
	}
	for key := range a.firing {
		if !firing[key] {
			a.Log.Info("alert cleared", "rule", key)
		}
	}
	a.firing = firing
	return nil
}

// drift raises an alert when this week's predicted confidence and observed correctness part.
func (a *Alerter) drift(ctx context.Context, now time.Time) (Alert, bool) {
	if a.Threshold == nil {
		return Alert{}, false
	}
	js, err := a.Store.Judgements(ctx, now.AddDate(0, 0, -7), now)
	if err != nil {
		return Alert{}, false
	}
	weeks := Confidence(js, a.Threshold())
	if len(weeks) == 0 || !weeks[len(weeks)-1].Alert {
		return Alert{}, false
	}
	w := weeks[len(weeks)-1]
	return Alert{Rule: Rule{Metric: "calibration_drift", Op: ">", Value: DriftAlert}, Value: w.Drift,
		Message: fmt.Sprintf("calibration drift in %s: the bot predicted %.0f %% right, %.0f %% were (%d judged turns)",
			w.Week, 100*w.Predicted, 100*w.Observed, w.Judged)}, true
}

func (a *Alerter) post(ctx context.Context, al Alert) error {
	body, _ := json.Marshal(map[string]any{"alert": al, "window": a.Window.String(), "at": a.Now().UTC()})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := a.Client.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("alert webhook answered %s", res.Status)
	}
	return nil
}

// Gauges export the last day's service figures to Prometheus, refreshed with the alerts.
type Gauges struct {
	Containment, HandoffRate, DropOff, RatingAvg prometheus.Gauge
	FirstResponseP90, WaitP90, HandleP90         prometheus.Gauge
}

// NewGauges registers the service gauges with reg.
func NewGauges(reg prometheus.Registerer) *Gauges {
	g := func(name, help string) prometheus.Gauge {
		x := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help + " Over conversations started in the last 24 h."})
		reg.MustRegister(x)
		return x
	}
	return &Gauges{
		Containment:      g("tandem_containment_ratio", "Share of conversations the bot resolved: no handoff, no person, not reopened within 24 h."),
		HandoffRate:      g("tandem_handoff_ratio", "Share of conversations handed to people."),
		DropOff:          g("tandem_waiting_drop_off_ratio", "Share of handed-off conversations the customer left before a person took them."),
		RatingAvg:        g("tandem_rating_average", "Mean post-chat rating (1–5) of rated conversations."),
		FirstResponseP90: g("tandem_first_response_p90_seconds", "90th percentile of the time to the first reply."),
		WaitP90:          g("tandem_wait_p90_seconds", "90th percentile of the wait from handoff to a person accepting."),
		HandleP90:        g("tandem_handle_p90_seconds", "90th percentile of the time a person held a conversation."),
	}
}

// Set shows s; a nil Gauges does nothing.
func (g *Gauges) Set(s Summary) {
	if g == nil {
		return
	}
	g.Containment.Set(s.Containment)
	g.HandoffRate.Set(s.HandoffRate)
	g.DropOff.Set(s.DropOffRate)
	g.RatingAvg.Set(s.RatingAvg)
	g.FirstResponseP90.Set(s.FirstResponseSeconds.P90)
	g.WaitP90.Set(s.WaitSeconds.P90)
	g.HandleP90.Set(s.HandleSeconds.P90)
}
