package complaint_test

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"tandem/complaint"
)

func TestMonitorAlertsOnOverdueCases(t *testing.T) {
	ctx := context.Background()
	var none *complaint.Monitor
	if _, ok := none.Check(ctx); ok {
		t.Fatal("a nil monitor raised an alert")
	}
	r := newRig(t, "")
	reg := prometheus.NewRegistry()
	m := complaint.NewMonitor(r.cases, reg)
	conv := r.complain(t, "li", "en", "I want to complain")
	if _, ok := m.Check(ctx); ok {
		t.Fatal("an alert for a case within its due date")
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP tandem_complaints_open Complaint cases not closed.
# TYPE tandem_complaints_open gauge
tandem_complaints_open 1
`), "tandem_complaints_open"); err != nil {
		t.Error(err)
	}
	r.clock.advance(days(16))
	al, ok := m.Check(ctx)
	number := r.caseOf(t, conv.ID).Number
	if !ok || al.Rule.Metric != complaint.MetricOverdue || al.Value != 1 || !strings.Contains(al.Message, number) {
		t.Fatalf("alert = %+v, %v; want one naming %s", al, ok, number)
	}
}
