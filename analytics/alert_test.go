package analytics

import (
	"reflect"
	"testing"
)

func TestCheck(t *testing.T) {
	r := Report{Metrics: Metrics{Conversations: 100, Containment: 0.55, HandoffRate: 0.35,
		WaitSeconds: Percentiles{N: 3, P50: 120, P90: 412}, RatingAvg: 3.8, RatingCount: 10}}
	rules := []Rule{
		{Metric: "wait_p90_seconds", Op: ">", Value: 300},
		{Metric: "handoff_rate", Op: ">", Value: 0.3},
		{Metric: "rating_avg", Op: "<", Value: 4},
		{Metric: "containment", Op: "<", Value: 0.6},
		{Metric: "containment", Op: ">", Value: 0.9},      // holds: no alert
		{Metric: "wait_p90_seconds", Op: ">", Value: 412}, // equal is not above
		{Metric: "queue_length", Op: ">", Value: 1},       // unknown
		{Metric: "handoff_rate", Op: ">=", Value: 0},      // bad op
	}
	var got []string
	for _, a := range Check(r.Summary(), rules) {
		got = append(got, a.Message)
	}
	want := []string{
		"wait p90 is 412 s, above 300 s",
		"handoff rate is 35 %, above 30 %",
		"rating avg is 3.8, below 4",
		"containment is 55 %, below 60 %",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("alerts:\n got %q\nwant %q", got, want)
	}
}

func TestCheckWithoutData(t *testing.T) {
	rules := []Rule{{Metric: "wait_p90_seconds", Op: "<", Value: 10}, {Metric: "rating_avg", Op: "<", Value: 4},
		{Metric: "containment", Op: "<", Value: 0.6}, {Metric: "handoff_rate", Op: "<", Value: 0.1}}
	if got := Check(Compute(nil).Summary(), rules); len(got) != 0 {
		t.Errorf("an empty report raised %+v", got)
	}
}

func TestRuleValidate(t *testing.T) {
	for _, r := range []Rule{{Metric: "rating_avg", Op: "<", Value: 4}, {Metric: "wait_p90_seconds", Op: ">", Value: 300}} {
		if err := r.Validate(); err != nil {
			t.Errorf("%+v: %v", r, err)
		}
	}
	for _, r := range []Rule{{Metric: "rating", Op: "<"}, {Metric: "rating_avg", Op: "="}} {
		if r.Validate() == nil {
			t.Errorf("%+v was accepted", r)
		}
	}
}
