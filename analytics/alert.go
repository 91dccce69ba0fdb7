package analytics

import (
	"fmt"
	"strings"
)

// The metrics a Rule may watch.
const (
	MetricWaitP90     = "wait_p90_seconds" // Report.WaitSeconds.P90
	MetricHandoffRate = "handoff_rate"     // Report.HandoffRate
	MetricRatingAvg   = "rating_avg"       // Report.RatingAvg
	MetricContainment = "containment"      // Report.Containment
)

// Rule raises an alert when Metric is above (Op ">") or below (Op "<") Value. Rates are
// shares in [0, 1] (0.3 is 30 %), waits are seconds.
type Rule struct {
	Metric string  `json:"metric"`
	Op     string  `json:"op"`
	Value  float64 `json:"value"`
}

// Validate reports whether r names a known metric and operator, so configuration mistakes
// surface at load time instead of as silent rules.
func (r Rule) Validate() error {
	if _, ok := metricLabels[r.Metric]; !ok {
		return fmt.Errorf("alert rule: unknown metric %q", r.Metric)
	}
	if r.Op != ">" && r.Op != "<" {
		return fmt.Errorf("alert rule: op must be > or <, not %q", r.Op)
	}
	return nil
}

// Alert is a rule that fired: the metric's value and a sentence for people.
type Alert struct {
	Rule    Rule    `json:"rule"`
	Value   float64 `json:"value"`
	Message string  `json:"message"` // e.g. "wait p90 is 412 s, above 300 s"
}

var metricLabels = map[string]string{
	MetricWaitP90:     "wait p90",
	MetricHandoffRate: "handoff rate",
	MetricRatingAvg:   "rating avg",
	MetricContainment: "containment",
}

// Check returns the alerts s raises under rules, in the rules' order. Invalid rules and
// metrics without data (no conversations, no completed waits, no ratings) raise nothing: an
// empty night is not an alarm.
func Check(s Summary, rules []Rule) []Alert {
	var out []Alert
	for _, rule := range rules {
		if rule.Validate() != nil {
			continue
		}
		v, ok := metricValue(s, rule.Metric)
		if !ok {
			continue
		}
		if (rule.Op == ">" && v > rule.Value) || (rule.Op == "<" && v < rule.Value) {
			out = append(out, Alert{Rule: rule, Value: v, Message: message(rule, v)})
		}
	}
	return out
}

// metricValue is the metric's value in r and whether it has data.
func metricValue(r Summary, metric string) (float64, bool) {
	switch metric {
	case MetricWaitP90:
		return r.WaitSeconds.P90, r.WaitSeconds.N > 0
	case MetricHandoffRate:
		return r.HandoffRate, r.Conversations > 0
	case MetricRatingAvg:
		return r.RatingAvg, r.RatingCount > 0
	case MetricContainment:
		return r.Containment, r.Conversations > 0
	}
	return 0, false
}

func message(rule Rule, v float64) string {
	dir := "above"
	if rule.Op == "<" {
		dir = "below"
	}
	return fmt.Sprintf("%s is %s, %s %s", metricLabels[rule.Metric], format(rule.Metric, v), dir, format(rule.Metric, rule.Value))
}

// format writes a metric's value in its unit: seconds, percent or a score.
func format(metric string, v float64) string {
	switch metric {
	case MetricWaitP90:
		return fmt.Sprintf("%s s", trim(fmt.Sprintf("%.1f", v)))
	case MetricHandoffRate, MetricContainment:
		return fmt.Sprintf("%s %%", trim(fmt.Sprintf("%.1f", v*100)))
	}
	return trim(fmt.Sprintf("%.2f", v))
}

// trim drops a fraction of zeros: "412.0" → "412", "3.50" → "3.5".
func trim(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}
