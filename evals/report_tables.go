package evals

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// Directions in which a metric improves.
const (
	higherBetter = 1
	lowerBetter  = -1
	neutral      = 0
)

// Number formats of metrics.
const (
	asCount = iota
	asPercent
	asNumber
	asMillis
)

type metricDef struct {
	en, zh string
	get    func(Metrics) float64
	format int
	better int
	over   func(Judged) int // how many cases the rate is over (nil: all)
}

var metricDefs = []metricDef{
	{"Cases", "用例数", func(m Metrics) float64 { return float64(m.Cases) }, asCount, neutral, nil},
	{"Errors", "出错", func(m Metrics) float64 { return float64(m.Errors) }, asCount, lowerBetter, nil},
	{"Accuracy", "准确率", func(m Metrics) float64 { return m.Accuracy }, asPercent, higherBetter, nil},
	{"Intent accuracy (in scope)", "意图准确率（范围内）", func(m Metrics) float64 { return m.IntentAccuracy }, asPercent, higherBetter, func(j Judged) int { return j.Intent }},
	{"Out-of-scope recall", "范围外召回率", func(m Metrics) float64 { return m.OOSRecall }, asPercent, higherBetter, func(j Judged) int { return j.OOS }},
	{"Decision precision", "回答精确率", func(m Metrics) float64 { return m.DecisionPrecision }, asPercent, higherBetter, func(j Judged) int { return j.Answered }},
	{"Decision recall", "回答召回率", func(m Metrics) float64 { return m.DecisionRecall }, asPercent, higherBetter, func(j Judged) int { return j.ExpectedAnswer }},
	{"Hit@1", "首位命中率", func(m Metrics) float64 { return m.HitAt1 }, asPercent, higherBetter, func(j Judged) int { return j.Sources }},
	{"Hit@5", "前五命中率", func(m Metrics) float64 { return m.HitAt5 }, asPercent, higherBetter, func(j Judged) int { return j.Sources }},
	{"Answer F1", "答案 F1", func(m Metrics) float64 { return m.AnswerF1 }, asNumber, higherBetter, func(j Judged) int { return j.AnswerText }},
	{"Action accuracy", "操作准确率", func(m Metrics) float64 { return m.ActionAccuracy }, asPercent, higherBetter, func(j Judged) int { return j.Actions }},
	{"ECE (calibration error)", "期望校准误差", func(m Metrics) float64 { return m.ECE }, asNumber, lowerBetter, nil},
	{"Target precision", "目标精确率", func(m Metrics) float64 { return m.Target }, asPercent, neutral, nil},
	{"Confidence threshold", "置信度阈值", func(m Metrics) float64 { return m.Threshold }, asNumber, neutral, nil},
	{"Coverage at target", "目标下覆盖率", func(m Metrics) float64 { return m.Coverage }, asPercent, higherBetter, nil},
	{"Precision at threshold", "阈值处精确率", func(m Metrics) float64 { return m.PrecisionAtThreshold }, asPercent, higherBetter, nil},
	{"Latency p50", "延迟 p50", func(m Metrics) float64 { return m.P50Millis }, asMillis, lowerBetter, nil},
	{"Latency p99", "延迟 p99", func(m Metrics) float64 { return m.P99Millis }, asMillis, lowerBetter, nil},
}

type metricRow struct {
	En, Zh, Run, Base, Delta string
	Class                    string // better | worse | ""
}

func metricRows(run, base Metrics, hasBase bool) []metricRow {
	rows := make([]metricRow, len(metricDefs))
	for i, d := range metricDefs {
		r, b := d.get(run), d.get(base)
		rows[i] = metricRow{En: d.en, Zh: d.zh, Run: formatMetric(r, d.format)}
		if d.none(run) {
			rows[i].Run = notApplicable
		}
		if !hasBase {
			continue
		}
		if d.none(run) || d.none(base) {
			rows[i].Base = formatMetric(b, d.format)
			if d.none(base) {
				rows[i].Base = notApplicable
			}
			continue
		}
		rows[i].Base, rows[i].Delta = formatMetric(b, d.format), formatDelta(r-b, d.format)
		if diff := (r - b) * float64(d.better); diff > regressionSlack {
			rows[i].Class = "better"
		} else if diff < -regressionSlack {
			rows[i].Class = "worse"
		}
	}
	return rows
}

// notApplicable is shown for a rate over no case: "0 %" would read as a failure.
const notApplicable = "n/a"

// none reports whether the rate is over no case of the run (unknown for runs stored before
// the counts were: then it is shown).
func (d metricDef) none(m Metrics) bool {
	return d.over != nil && m.Judged != nil && d.over(*m.Judged) == 0
}

func formatMetric(v float64, format int) string {
	switch format {
	case asCount:
		return fmt.Sprintf("%.0f", v)
	case asPercent:
		return fmt.Sprintf("%.1f %%", 100*v)
	case asMillis:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.3f", v)
}

func formatDelta(d float64, format int) string {
	if math.Abs(d) < regressionSlack {
		return "±0"
	}
	switch format {
	case asCount:
		return fmt.Sprintf("%+.0f", d)
	case asPercent:
		return fmt.Sprintf("%+.1f pp", 100*d)
	case asMillis:
		return fmt.Sprintf("%+.1f ms", d)
	}
	return fmt.Sprintf("%+.3f", d)
}

type diffRow struct {
	Kind, KindLabel, CaseID, Text string
	Expected                      expectation
	Before, After                 *side // Before is nil when there is no baseline
}

type expectation struct{ Decision, Intent, Answer, Sources, Action string }

type side struct {
	Decision, Reason, Intent, Snippet, Confidence, Err, Sources, Action string
	Correct                                                             bool
}

var kindLabels = map[string]string{
	ChangeBroken:   "broken · 退化",
	ChangeFixed:    "fixed · 修复",
	ChangeChanged:  "changed · 变化",
	"wrong":        "wrong · 错误",
	AnswerDeferred: "deferred · 未回答",
	OOSAnswered:    "out of scope, answered · 范围外却回答",
	AnswerError:    "error · 出错",
}

// diffRows lays out the changes between the runs, broken first; without a baseline, this run's
// wrong cases. At most maxReportRows are kept; total counts them all.
func diffRows(d ReportData, hasBase bool) (rows []diffRow, total int, wrong bool) {
	cases := make(map[string]Case, len(d.Cases))
	for _, c := range d.Cases {
		cases[c.ID] = c
	}
	changes := slices.Clone(d.Changes)
	if !hasBase && len(changes) == 0 {
		wrong = true
		for _, r := range d.Results {
			if !r.Correct {
				changes = append(changes, Change{CaseID: r.CaseID, After: r, Kind: cmp.Or(r.Class, "wrong")})
			}
		}
		// Confidently wrong answers mislead customers most: list them first.
		slices.SortStableFunc(changes, func(a, b Change) int { return cmp.Compare(b.After.Confidence, a.After.Confidence) })
	}
	slices.SortStableFunc(changes, func(a, b Change) int { return cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)) })
	for _, ch := range changes[:min(len(changes), maxReportRows)] {
		rows = append(rows, diffRowOf(ch, cases[ch.CaseID], wrong))
	}
	return rows, len(changes), wrong
}

func diffRowOf(ch Change, c Case, wrong bool) diffRow {
	row := diffRow{Kind: ch.Kind, KindLabel: cmp.Or(kindLabels[ch.Kind], ch.Kind), CaseID: ch.CaseID,
		Text: snippet(cmp.Or(ch.Text, c.Text), textChars), After: sideOf(ch.After)}
	row.Expected = expectation{Decision: cmp.Or(ch.After.ExpectedDecision, expectedDecision(c)),
		Intent: cmp.Or(c.ExpectedIntent, ch.After.ExpectedIntent), Answer: snippet(c.ExpectedAnswer, snippetChars),
		Sources: snippet(strings.Join(c.ExpectedSources, ", "), snippetChars), Action: actionLine(c.ExpectedAction, c.ExpectedArgs, c.ExpectedOutcome)}
	if !wrong {
		row.Before = sideOf(ch.Before)
	}
	return row
}

func sideOf(r Result) *side {
	return &side{Decision: r.Decision, Reason: r.Reason, Intent: r.Intent, Snippet: snippet(r.Text, snippetChars),
		Confidence: fmt.Sprintf("%.2f", r.Confidence), Err: snippet(r.Err, snippetChars), Correct: r.Correct,
		Sources: snippet(strings.Join(r.Sources, ", "), snippetChars), Action: actionLine(r.Action, r.Args, r.ActionOutcome)}
}

// actionLine shows an action with its arguments and outcome: claim_status(claim_number=CL…) → ok.
func actionLine(name string, args map[string]string, outcome string) string {
	if name == "" {
		return ""
	}
	keys := slices.Sorted(maps.Keys(args))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+args[k])
	}
	line := name + "(" + strings.Join(parts, ", ") + ")"
	if outcome != "" {
		line += " → " + outcome
	}
	return snippet(line, snippetChars)
}

// answerRow is one line of the answers table: all questions, then each language.
type answerRow struct {
	Lang                                          string
	InScope, OOS                                  int
	Right, Wrong, Deferred, FirstRight, Held, Ans string
}

func answerRows(a *AnswersReport) []answerRow {
	if a == nil {
		return nil
	}
	pct := func(n int, rate float64) string { return fmt.Sprintf("%.1f %% (%d)", 100*rate, n) }
	var rows []answerRow
	for _, t := range append([]AnswerTally{a.Overall}, a.ByLang...) {
		rows = append(rows, answerRow{Lang: cmp.Or(t.Lang, "all · 全部"), InScope: t.InScope, OOS: t.OOS,
			Right: pct(t.Right, t.RightRate), Wrong: pct(t.Wrong, t.WrongRate), Deferred: pct(t.Deferred, t.DeferredRate),
			FirstRight: pct(t.FirstRight, t.FirstRightRate), Held: pct(t.OOSHeld, t.OOSHeldRate), Ans: pct(t.OOSAnswered, t.OOSAnsRate)})
	}
	return rows
}
