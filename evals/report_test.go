package evals

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// synthetic builds a set and two runs of it: the run fixes some cases and breaks others.
func synthetic(n int) (cases []Case, baseline, run []Result) {
	intents := []string{"card_arrival", "card_lost", "refund", "top_up", OOS}
	for i := range n {
		c := Case{ID: fmt.Sprintf("c%03d", i), Text: fmt.Sprintf("我的卡什么时候到？ question %d", i), ExpectedIntent: intents[i%len(intents)]}
		if i%9 == 0 {
			c.ExpectedSources, c.ExpectedAnswer = []string{"kb-1"}, "大约三到五个工作日"
		}
		cases = append(cases, c)
		baseline = append(baseline, Score(c, outcome(c, i, 0)))
		run = append(run, Score(c, outcome(c, i, 1)))
	}
	cases[0].Text = `<script>alert("x")</script> where is my card`
	return cases, baseline, run
}

// outcome fakes the bot: mostly right, confidently; wrong on a pattern that shifts per run.
func outcome(c Case, i, runNo int) Outcome {
	o := Outcome{Intent: c.ExpectedIntent, Decision: DecisionAnswer, Confidence: 0.5 + float64(i%50)/100,
		Text: "大约三到五个工作日 <b>bold</b>", Sources: []string{"kb-1"}, Millis: float64(10 + i%30)}
	if c.ExpectedIntent == OOS {
		o.Intent, o.Decision = "", DecisionHandoff
	}
	if (i+runNo)%4 == 0 {
		o.Intent, o.Decision, o.Confidence = "card_lost", DecisionAnswer, float64(i%10)/10
	}
	return o
}

func render(t *testing.T, d ReportData) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteReport(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestWriteReport(t *testing.T) {
	cases, baseline, run := synthetic(300)
	changes, _ := Compare(cases, baseline, run)
	created := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	d := ReportData{
		Title: "Banking <eval>", Set: "banking77/test",
		Run:      &RunInfo{ID: "run-2", CreatedAt: created, Config: map[string]string{"model": "gpt-4o-mini", "threshold": "0.7"}, Metrics: Summarize(run, 0.9)},
		Baseline: &RunInfo{ID: "run-1", CreatedAt: created.Add(-time.Hour), Config: map[string]string{"model": "gpt-4o-mini", "threshold": "0.6"}, Metrics: Summarize(baseline, 0.9)},
		Results:  run, BaselineResults: baseline, Cases: cases, Changes: changes,
	}
	out := render(t, d)
	checkHTML(t, out)
	for _, want := range []string{
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; where is my card", // case text escaped
		"Banking &lt;eval&gt;",
		"Reliability · 可靠性图", "Risk–coverage · 风险–覆盖率曲线", "reported confidence · 置信度", "coverage (share answered) · 覆盖率",
		`class="op"`,                              // the operating point
		`class="num worse"`, `class="num better"`, // coloured deltas
		"broken · 退化", "fixed · 修复",
		"Intent confusion · 意图混淆", "rotate(-45)\">card_lost</text>",
		`<tr class="differs"><td>threshold</td>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(out, "<b>bold") || strings.Contains(out, "ZgotmplZ") {
		t.Error("data reached the page unescaped")
	}
	if got := strings.Count(out, "<svg"); got != 3 {
		t.Errorf("%d svg charts, want reliability, risk–coverage and confusion", got)
	}
	for _, external := range []string{"src=", "href=", "url(", "@import", "<link", "<script"} {
		if strings.Contains(out, external) {
			t.Errorf("report is not self-contained: has %q", external)
		}
	}
	if b, f := strings.Index(out, "broken · 退化"), strings.Index(out, "fixed · 修复"); b > f {
		t.Error("fixed cases listed before broken ones")
	}
}

// voidElements have no end tag in HTML.
var voidElements = map[string]bool{"meta": true, "br": true, "hr": true, "img": true, "input": true, "link": true}

// checkHTML parses the page and checks that every element is closed in order and that nothing
// is loaded from elsewhere.
func checkHTML(t *testing.T, page string) {
	t.Helper()
	if _, err := html.Parse(strings.NewReader(page)); err != nil {
		t.Fatalf("html.Parse: %v", err)
	}
	z := html.NewTokenizer(strings.NewReader(page))
	var open []string
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatal(z.Err())
			}
			if len(open) > 0 {
				t.Fatalf("unclosed elements %v", open)
			}
			return
		case html.StartTagToken:
			if name, _ := z.TagName(); !voidElements[string(name)] {
				open = append(open, string(name))
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(open) == 0 || open[len(open)-1] != string(name) {
				t.Fatalf("</%s> closes %v", name, open)
			}
			open = open[:len(open)-1]
		case html.TextToken:
			if strings.Contains(string(z.Text()), "ZgotmplZ") {
				t.Fatal("html/template rejected a value: ZgotmplZ")
			}
		}
	}
}

func TestWriteReportShapes(t *testing.T) {
	cases, baseline, run := synthetic(2400)
	changes, _ := Compare(cases, baseline, run)
	tests := []struct {
		name      string
		data      ReportData
		svgs      int
		rows      int
		want, not []string
	}{
		{"many changes", ReportData{Results: run, BaselineResults: baseline, Cases: cases, Changes: changes}, 3, maxReportRows,
			[]string{fmt.Sprintf("Showing the first 500 of %d rows", len(changes)), "Case changes · 用例变化", "baseline · 基线"}, nil},
		{"no baseline", ReportData{Title: "Nightly", Results: run[:40], Cases: cases[:40]}, 3, 8, // cases 3, 7, …, 39 but 11 and 31
			[]string{"Wrong cases · 错误用例", "wrong · 错误"}, []string{"Showing the first", "Before · 之前", "baseline · 基线"}},
		{"baseline, no changes", ReportData{Results: run[:40], BaselineResults: run[:40], Cases: cases[:40]}, 3, 0,
			[]string{"No case changed against the baseline"}, nil},
		{"empty run", ReportData{}, 2, 0,
			[]string{"no answered cases · 没有已回答的用例", "No intent errors"}, []string{`class="op"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, tt.data)
			checkHTML(t, out)
			if got := strings.Count(out, "<svg"); got != tt.svgs {
				t.Errorf("%d svg charts, want %d", got, tt.svgs)
			}
			if got := strings.Count(out, `<tr class="diff">`); got != tt.rows {
				t.Errorf("%d case rows, want %d", got, tt.rows)
			}
			for _, s := range tt.want {
				if !strings.Contains(out, s) {
					t.Errorf("report lacks %q", s)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(out, s) {
					t.Errorf("report has %q", s)
				}
			}
		})
	}
}
