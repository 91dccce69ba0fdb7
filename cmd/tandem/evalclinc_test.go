package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestEvalCLINC150: intents trained from CLINC150 train, the val split imported as an eval set,
// `tandem eval run` writes a report whose charts render in headless Chromium, and `tandem eval
// calibrate` moves the intent threshold so that precision on the held-out half is within 3
// points of the target.
func TestEvalCLINC150(t *testing.T) {
	sets := filepath.Join("..", "..", "..", "shared", "evalsets", "clinc150")
	if _, err := os.Stat(filepath.Join(sets, "val.jsonl")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CLINC150 not found beside the project: %v", err)
		}
		t.Skipf("CLINC150 not found: %v", err)
	}
	dir := t.TempDir()
	env := map[string]string{"TANDEM_DATA_DIR": dir, "TANDEM_LOG_LEVEL": "warn"}
	for _, args := range [][]string{
		{"intents", "import", filepath.Join(sets, "train.jsonl")},
		{"eval", "import", "--set", "clinc-val", filepath.Join(sets, "val.jsonl")},
	} {
		if code, out := runCLI(t, env, args...); code != 0 {
			t.Fatalf("%v = %d: %s", args, code, out)
		}
	}
	// Exported in the dataset's own format, the set is the file it came from.
	code, out := runCLI(t, env, "eval", "export", "--set", "clinc-val", "--format", "intents")
	if want, _ := os.ReadFile(filepath.Join(sets, "val.jsonl")); code != 0 || strings.Count(out, "\n") != strings.Count(string(want), "\n") ||
		!strings.Contains(out, `"intent":"translate","text":"in spanish, meet me tomorrow is said how"`) {
		t.Fatalf("export = %d, %d lines", code, strings.Count(out, "\n"))
	}
	report := filepath.Join(dir, "report.html")
	code, out = runCLI(t, env, "eval", "run", "--set", "clinc-val", "--report", report)
	if code != 0 || !strings.Contains(out, "3100 cases") {
		t.Fatalf("eval run = %d: %s", code, out)
	}
	t.Log(out)

	// The report's charts render: three SVGs with visible size, and a screenshot.
	ctx := browser(t)
	within(t, ctx, 20*time.Second, chromedp.EmulateViewport(1300, 2200), chromedp.Navigate("file://"+report),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('svg').length >= 3`))
	sizes := eval[[]float64](t, ctx, `[...document.querySelectorAll('svg')].map(s => s.getBoundingClientRect().width * s.getBoundingClientRect().height)`)
	for i, a := range sizes {
		if a < 10000 {
			t.Errorf("chart %d renders %v px², want a visible chart", i, a)
		}
	}
	if bars := eval[int](t, ctx, `document.querySelectorAll('svg rect').length`); bars < 10 {
		t.Errorf("the charts draw %d rects, want bars and cells", bars)
	}
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(tctx, chromedp.CaptureScreenshot())
	if err != nil || len(png) < 20000 {
		t.Fatalf("screenshot of the report: %d bytes, %v", len(png), err)
	}
	shot(t, ctx, "eval-report-clinc150.png")

	// Calibrate for 0.9: precision on the held-out half lands within 3 points of it.
	code, out = runCLI(t, env, "eval", "calibrate", "--set", "clinc-val", "--target", "0.9")
	if code != 0 {
		t.Fatalf("calibrate = %d: %s", code, out)
	}
	t.Log(out)
	m := regexp.MustCompile(`precision ([0-9.]+) \(target`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no held-out precision in %q", out)
	}
	p, _ := strconv.ParseFloat(m[1], 64)
	if p < 0.87 || p > 0.93 {
		t.Fatalf("held-out precision %.3f, want within 3 points of 0.90", p)
	}
	if code, out := runCLI(t, env, "eval", "calibrate", "--revert"); code != 0 || !strings.Contains(out, "reverted") {
		t.Fatalf("revert = %d: %s", code, out)
	}
}

// TestCalibrateAnswers: on a knowledge set (CMRC2018 passages and questions) calibrate refits the
// answer calibrator and reports its held-out precision at the target; revert restores the default.
func TestCalibrateAnswers(t *testing.T) {
	sets := filepath.Join("..", "..", "..", "shared", "evalsets", "cmrc2018-zh")
	if _, err := os.Stat(filepath.Join(sets, "questions.jsonl")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CMRC2018 not found beside the project: %v", err)
		}
		t.Skipf("CMRC2018 not found: %v", err)
	}
	dir := t.TempDir()
	env := map[string]string{"TANDEM_DATA_DIR": dir, "TANDEM_LOG_LEVEL": "warn"}
	data, err := os.ReadFile(filepath.Join(sets, "questions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(data), "\n", 401)
	subset := filepath.Join(dir, "questions.jsonl")
	os.WriteFile(subset, []byte(strings.Join(lines[:400], "\n")+"\n"), 0o644)
	for _, args := range [][]string{
		{"kb", "import", filepath.Join(sets, "knowledge.jsonl")},
		{"eval", "import", "--set", "cmrc", subset},
	} {
		if code, out := runCLI(t, env, args...); code != 0 {
			t.Fatalf("%v = %d: %s", args, code, out)
		}
	}
	code, out := runCLI(t, env, "eval", "calibrate", "--set", "cmrc", "--target", "0.9")
	if code != 0 || !strings.Contains(out, "answer calibrator refitted") {
		t.Fatalf("calibrate = %d: %s", code, out)
	}
	t.Log(out)
	m := regexp.MustCompile(`at P ≥ 0.90 precision ([0-9.]+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no held-out answer precision in %q", out)
	}
	if p, _ := strconv.ParseFloat(m[1], 64); p < 0.87 {
		t.Fatalf("held-out answer precision %.3f at target 0.9", p)
	}
	if code, out := runCLI(t, env, "eval", "calibrate", "--revert"); code != 0 || !strings.Contains(out, "reverted") {
		t.Fatalf("revert = %d: %s", code, out)
	}
}
