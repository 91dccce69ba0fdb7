package evals

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// maxReportRows bounds the per-case table so a report of a large set stays a page a browser
// opens instantly; the rest are counted in a note.
const maxReportRows = 500

// Snippet lengths, in characters, of texts in the per-case table.
const (
	textChars    = 280
	snippetChars = 160
)

//go:embed report.html
var reportHTML string

var reportTmpl = template.Must(template.New("report").Parse(reportHTML))

// RunInfo identifies a stored run: its configuration and headline metrics.
type RunInfo struct {
	ID        string            `json:"id"`
	CreatedAt time.Time         `json:"created_at"`
	Config    map[string]string `json:"config,omitempty"`
	Metrics   Metrics           `json:"metrics"`
}

// ReportData is everything an eval report shows. Run and Baseline may be nil: the run's metrics
// are then summarised from Results (and the baseline's from BaselineResults, if any).
type ReportData struct {
	Title, Set      string
	Run, Baseline   *RunInfo
	Results         []Result
	BaselineResults []Result
	Cases           []Case
	Changes         []Change
	// Answers, when set, is an answers eval's summary (tandem eval answers): the page leads with
	// it and lists each miss with what the bot cited.
	Answers *AnswersReport
}

// reportView is ReportData laid out for the template: formatted numbers, chart geometry.
type reportView struct {
	Title, Set    string
	Run, Baseline *RunInfo
	HasBaseline   bool
	Metrics       []metricRow
	Config        []configRow
	Reliability   chart
	Risk          chart
	Confusion     heatMap
	Diffs         []diffRow
	DiffTotal     int
	DiffsWrong    bool // no baseline: the rows are this run's wrong cases
	Answers       []answerRow
}

// WriteReport writes a self-contained HTML page (no scripts, no external resources) for
// trainers: metrics against the baseline, reliability and risk–coverage charts, the worst
// intent confusions and the per-case differences between the runs.
func WriteReport(w io.Writer, d ReportData) error {
	run, base, hasBase := reportMetrics(d)
	v := reportView{
		Title: cmp.Or(d.Title, "Eval report · 评测报告"), Set: d.Set, Run: d.Run, Baseline: d.Baseline,
		HasBaseline: hasBase,
		Metrics:     metricRows(run, base, hasBase),
		Config:      configRows(d.Run, d.Baseline),
		Reliability: reliabilityChart(d.Results, run),
		Risk:        riskChart(d.Results, d.BaselineResults, run),
		Confusion:   layoutHeatMap(confusion(d.Results)),
	}
	v.Diffs, v.DiffTotal, v.DiffsWrong = diffRows(d, hasBase)
	v.Answers = answerRows(d.Answers)
	if err := reportTmpl.Execute(w, v); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// reportMetrics picks the stored metrics, or summarises the results when none are stored.
func reportMetrics(d ReportData) (run, base Metrics, hasBase bool) {
	if d.Run != nil {
		run = d.Run.Metrics
	} else {
		run = Summarize(d.Results, DefaultTarget)
	}
	switch {
	case d.Baseline != nil:
		return run, d.Baseline.Metrics, true
	case len(d.BaselineResults) > 0:
		return run, Summarize(d.BaselineResults, run.Target), true
	}
	return run, Metrics{}, false
}

type configRow struct {
	Key, Run, Base string
	Differs        bool
}

// configRows lists every configuration key of either run, flagging those that differ.
func configRows(run, base *RunInfo) []configRow {
	var rc, bc map[string]string
	if run != nil {
		rc = run.Config
	}
	if base != nil {
		bc = base.Config
	}
	keys := slices.Sorted(maps.Keys(rc))
	for k := range bc {
		if _, ok := rc[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	rows := make([]configRow, len(keys))
	for i, k := range keys {
		rows[i] = configRow{Key: k, Run: rc[k], Base: bc[k], Differs: base != nil && rc[k] != bc[k]}
	}
	return rows
}

// snippet shortens s to at most n characters on one line.
func snippet(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
