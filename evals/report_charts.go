package evals

import (
	"fmt"
	"math"
	"strings"
)

// Chart geometry, in SVG user units: the plot area sits inside margins that hold the title,
// tick labels and axis labels.
const (
	chartW, chartH   = 460.0, 400.0
	marginL, marginR = 60.0, 20.0
	marginT, marginB = 40.0, 116.0 // the bottom holds tick labels, the axis label and the legend
	plotW, plotH     = chartW - marginL - marginR, chartH - marginT - marginB
	legendY          = marginT + plotH + 56
	ticks            = 5   // intervals per axis
	maxCurvePoints   = 400 // a risk–coverage curve is thinned to this many points
	riskHeadroom     = 1.1 // the risk axis reaches a little above the highest risk
)

// riskAxes are the heights the risk axis may take: each divides into five round ticks.
var riskAxes = []float64{0.05, 0.1, 0.25, 0.5, 1}

// chart is one inline SVG chart laid out for the template.
type chart struct {
	Title, Desc    string
	W, H           float64
	X, Y, PW, PH   float64 // plot area
	XTicks, YTicks []tick
	XLabel, YLabel string
	Bars           []bar
	Lines          []polyline
	Marker         *marker
	Legend         []legendItem
	Empty          string // shown instead of data when there is none
}

type tick struct {
	X1, Y1, X2, Y2, TX, TY float64
	Label                  string
}

type bar struct {
	X, Y, W, H, TX, TY float64
	Label, Tip         string
}

type polyline struct{ Points, Class string }

type marker struct {
	X, Y, TX, TY float64
	Anchor       string
	Label        string
}

type legendItem struct {
	X, Y  float64
	Class string
	Label string
}

// plot maps data coordinates in [0, xMax] × [0, yMax] onto the plot area.
type plot struct{ xMax, yMax float64 }

func (p plot) px(x float64) float64 { return r1(marginL + x/p.xMax*plotW) }
func (p plot) py(y float64) float64 { return r1(marginT + plotH - y/p.yMax*plotH) }

func r1(v float64) float64 { return math.Round(v*10) / 10 }

// frame returns an empty chart with axes, ticks and labels for p.
func (p plot) frame(title, desc, xLabel, yLabel string, xFmt, yFmt func(float64) string) chart {
	c := chart{Title: title, Desc: desc, W: chartW, H: chartH, X: marginL, Y: marginT, PW: plotW, PH: plotH,
		XLabel: xLabel, YLabel: yLabel}
	for i := 0; i <= ticks; i++ {
		x, y := p.xMax*float64(i)/ticks, p.yMax*float64(i)/ticks
		c.XTicks = append(c.XTicks, tick{X1: p.px(x), Y1: marginT + plotH, X2: p.px(x), Y2: marginT, TX: p.px(x), TY: marginT + plotH + 16, Label: xFmt(x)})
		c.YTicks = append(c.YTicks, tick{X1: marginL, Y1: p.py(y), X2: marginL + plotW, Y2: p.py(y), TX: marginL - 6, TY: p.py(y) + 4, Label: yFmt(y)})
	}
	return c
}

func decimal(v float64) string { return fmt.Sprintf("%.1f", v) }
func percent(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) }

// reliabilityChart draws accuracy per confidence bin against the diagonal of perfect
// calibration, each bar labelled with its count.
func reliabilityChart(results []Result, m Metrics) chart {
	p := plot{xMax: 1, yMax: 1}
	c := p.frame(fmt.Sprintf("Reliability · 可靠性图 (ECE %.3f)", m.ECE),
		"Accuracy of answered cases per confidence bin against the diagonal of perfect calibration · 各置信度区间的实际准确率与完美校准对角线",
		"reported confidence · 置信度", "accuracy · 准确率", decimal, percent)
	total := 0
	for _, b := range ReliabilityBins(results, eceBins) {
		total += b.Count
		if b.Count == 0 {
			continue
		}
		x0, x1, y := p.px(b.Lo)+1, p.px(b.Hi)-1, p.py(b.Accuracy)
		c.Bars = append(c.Bars, bar{X: x0, Y: y, W: r1(x1 - x0), H: r1(p.py(0) - y), TX: r1((x0 + x1) / 2), TY: y - 4,
			Label: fmt.Sprint(b.Count),
			Tip: fmt.Sprintf("confidence %.1f–%.1f: accuracy %.1f%%, mean confidence %.2f, n=%d · 准确率 %.1f%%，平均置信度 %.2f，数量 %d",
				b.Lo, b.Hi, 100*b.Accuracy, b.Confidence, b.Count, 100*b.Accuracy, b.Confidence, b.Count)})
	}
	c.Lines = []polyline{{Points: points(p, [][2]float64{{0, 0}, {1, 1}}), Class: "diag"}}
	c.Legend = []legendItem{{X: marginL, Y: legendY, Class: "bar", Label: "accuracy per bin (n above) · 区间准确率（上方为数量）"},
		{X: marginL, Y: legendY + 18, Class: "diag", Label: "perfect calibration · 完美校准"}}
	if total == 0 {
		c.Empty = "no answered cases · 没有已回答的用例"
	}
	return c
}

// riskChart draws the risk–coverage curves of the run (and baseline) with the target
// precision's risk and the run's operating point marked.
func riskChart(results, baseline []Result, m Metrics) chart {
	cur, base := RiskCoverage(results), RiskCoverage(baseline)
	p := plot{xMax: 1, yMax: riskAxis(cur, base, 1-m.Target)}
	c := p.frame("Risk–coverage · 风险–覆盖率曲线",
		"Share of wrong answers against the share of cases answered as the confidence threshold falls · 随置信度阈值降低，回答比例与错误率的关系",
		"coverage (share answered) · 覆盖率", "risk (1 − precision) · 风险", percent, percent)
	c.Lines = append(c.Lines, polyline{Points: points(p, [][2]float64{{0, 1 - m.Target}, {1, 1 - m.Target}}), Class: "target"})
	c.Legend = append(c.Legend, legendItem{X: marginL, Y: legendY, Class: "run", Label: "this run · 本次"})
	if len(base) > 0 {
		c.Lines = append(c.Lines, polyline{Points: curve(p, base), Class: "base"})
		c.Legend = append(c.Legend, legendItem{X: marginL, Y: legendY + 18, Class: "base", Label: "baseline · 基线"})
	}
	c.Lines = append(c.Lines, polyline{Points: curve(p, cur), Class: "run"})
	c.Legend = append(c.Legend, legendItem{X: marginL, Y: legendY + 36, Class: "target",
		Label: fmt.Sprintf("target precision %.0f%% · 目标精确率", 100*m.Target)})
	c.Marker = operatingMarker(p, m)
	if len(cur) == 0 {
		c.Empty = "no answered cases · 没有已回答的用例"
	}
	return c
}

// riskAxis is the top of the risk axis: the highest risk shown, with headroom, on a round number.
func riskAxis(cur, base []Point, targetRisk float64) float64 {
	top := targetRisk
	for _, pt := range append(cur[:len(cur):len(cur)], base...) {
		top = max(top, pt.Risk)
	}
	for _, a := range riskAxes {
		if top*riskHeadroom <= a {
			return a
		}
	}
	return 1
}

// operatingMarker marks where the run reaches its target precision, or nil when it never does.
func operatingMarker(p plot, m Metrics) *marker {
	if m.Coverage == 0 {
		return nil
	}
	x, y := p.px(m.Coverage), p.py(1-m.PrecisionAtThreshold)
	mk := &marker{X: x, Y: y, TX: x + 8, TY: y - 8, Anchor: "start",
		Label: fmt.Sprintf("threshold %.2f: coverage %.1f%% · 阈值 %.2f：覆盖率 %.1f%%", m.Threshold, 100*m.Coverage, m.Threshold, 100*m.Coverage)}
	if m.Coverage > 0.5 {
		mk.TX, mk.Anchor = x-8, "end"
	}
	return mk
}

// curve thins a risk–coverage curve to at most maxCurvePoints, keeping its ends.
func curve(p plot, pts []Point) string {
	step := max(1, (len(pts)+maxCurvePoints-1)/maxCurvePoints)
	var xy [][2]float64
	for i, pt := range pts {
		if i%step == 0 || i == len(pts)-1 {
			xy = append(xy, [2]float64{pt.Coverage, pt.Risk})
		}
	}
	return points(p, xy)
}

func points(p plot, xy [][2]float64) string {
	var b strings.Builder
	for i, v := range xy {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", p.px(v[0]), p.py(min(v[1], p.yMax)))
	}
	return b.String()
}

// Derived positions the template needs.
func (c chart) YBottom() float64      { return c.Y + c.PH }
func (c chart) XRight() float64       { return c.X + c.PW }
func (c chart) XMid() float64         { return r1(c.X + c.PW/2) }
func (c chart) YMid() float64         { return r1(c.Y + c.PH/2) }
func (c chart) XLabelY() float64      { return marginT + plotH + 36 }
func (l legendItem) LineEnd() float64 { return l.X + 18 }
func (l legendItem) TextX() float64   { return l.X + 24 }
func (l legendItem) TextY() float64   { return l.Y + 4 }
