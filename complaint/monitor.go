package complaint

import (
	"context"
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"tandem/analytics"
)

// MetricOverdue names the complaint breach alert.
const MetricOverdue = "complaints_overdue"

// overdueListed is how many overdue case numbers the alert's message lists.
const overdueListed = 5

// Monitor watches the complaint cases for the alerter: an alert while any is past its decision
// due date, and the open and overdue counts as gauges.
type Monitor struct {
	cases         *Service
	open, overdue prometheus.Gauge
}

// NewMonitor registers the gauges with reg.
func NewMonitor(cs *Service, reg prometheus.Registerer) *Monitor {
	m := &Monitor{cases: cs,
		open:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "tandem_complaints_open", Help: "Complaint cases not closed."}),
		overdue: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tandem_complaints_overdue", Help: "Complaint cases past their decision due date without a decision."}),
	}
	reg.MustRegister(m.open, m.overdue)
	return m
}

// Check refreshes the gauges and returns the breach alert if any case is overdue; a nil Monitor
// raises nothing.
func (m *Monitor) Check(ctx context.Context) (analytics.Alert, bool) {
	if m == nil {
		return analytics.Alert{}, false
	}
	open, err := m.cases.OpenCases(ctx)
	if err != nil {
		return analytics.Alert{}, false
	}
	over, err := m.cases.Overdue(ctx)
	if err != nil {
		return analytics.Alert{}, false
	}
	m.open.Set(float64(len(open)))
	m.overdue.Set(float64(len(over)))
	if len(over) == 0 {
		return analytics.Alert{}, false
	}
	nums := make([]string, 0, min(len(over), overdueListed))
	for _, c := range over[:min(len(over), overdueListed)] {
		nums = append(nums, c.Number)
	}
	return analytics.Alert{Rule: analytics.Rule{Metric: MetricOverdue, Op: ">", Value: 0}, Value: float64(len(over)),
		Message: fmt.Sprintf("%d complaint case(s) past their decision due date: %s", len(over), strings.Join(nums, ", "))}, true
}
