package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tandem/analytics"
	"tandem/complaint"
	"tandem/config"
	"tandem/conversation"
)

// newComplaints builds the complaint service from TANDEM_COMPLAINTS and hooks it to the bot's
// handoffs, so the complaint intent opens a case.
func newComplaints(cfg config.Config, st store, svc *conversation.Service, log *slog.Logger, now func() time.Time) (*complaint.Service, error) {
	conf, err := complaint.ParseConfig(cfg.Complaints)
	if err != nil {
		return nil, fmt.Errorf("TANDEM_COMPLAINTS: %w", err)
	}
	cs := &complaint.Service{Store: st, Directory: st, Notifier: svc, Config: conf, Log: log, Now: now}
	svc.Handed = cs.FromTurn
	if next, ok := svc.Bot.(complaint.DraftingBot); ok {
		svc.Bot = complaint.Bot{Next: next, Cases: cs}
	}
	return cs, nil
}

// complaintAlert watches the complaint cases for the alerter: an alert while any is past its
// decision due date, and the open and overdue counts as gauges.
type complaintAlert struct {
	cases         *complaint.Service
	open, overdue prometheus.Gauge
}

func newComplaintAlert(cs *complaint.Service, reg prometheus.Registerer) *complaintAlert {
	a := &complaintAlert{cases: cs,
		open:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "tandem_complaints_open", Help: "Complaint cases not closed."}),
		overdue: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tandem_complaints_overdue", Help: "Complaint cases past their decision due date without a decision."}),
	}
	reg.MustRegister(a.open, a.overdue)
	return a
}

// MetricComplaintsOverdue names the complaint breach alert.
const MetricComplaintsOverdue = "complaints_overdue"

// check refreshes the gauges and returns the breach alert if any case is overdue.
func (a *complaintAlert) check(ctx context.Context) (analytics.Alert, bool) {
	if a == nil {
		return analytics.Alert{}, false
	}
	open, err := a.cases.OpenCases(ctx)
	if err != nil {
		return analytics.Alert{}, false
	}
	over, err := a.cases.Overdue(ctx)
	if err != nil {
		return analytics.Alert{}, false
	}
	a.open.Set(float64(len(open)))
	a.overdue.Set(float64(len(over)))
	if len(over) == 0 {
		return analytics.Alert{}, false
	}
	nums := make([]string, 0, min(len(over), 5))
	for _, c := range over[:min(len(over), 5)] {
		nums = append(nums, c.Number)
	}
	return analytics.Alert{Rule: analytics.Rule{Metric: MetricComplaintsOverdue, Op: ">", Value: 0}, Value: float64(len(over)),
		Message: fmt.Sprintf("%d complaint case(s) past their decision due date: %s", len(over), strings.Join(nums, ", "))}, true
}
