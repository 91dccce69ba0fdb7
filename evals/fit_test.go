package evals

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"tandem/bot"
	"tandem/chat"
	"tandem/demo"
	"tandem/intent"
	"tandem/retrieval"
	"tandem/settings"
)

func TestSplit(t *testing.T) {
	fit, held := Split([]int{0, 1, 2, 3, 4})
	if !reflect.DeepEqual(fit, []int{0, 2, 4}) || !reflect.DeepEqual(held, []int{1, 3}) {
		t.Fatalf("Split = %v, %v; want the even-numbered items to fit and the odd ones held out", fit, held)
	}
}

// predictions: at 0.9 and above all right, at 0.7 one of two right, at 0.5 wrong, and one
// case the router sends out of scope.
var predictions = []Prediction{
	{P: 0.95, Answered: true, Right: true}, {P: 0.9, Answered: true, Right: true}, {P: 0.7, Answered: true, Right: true},
	{P: 0.7, Answered: true}, {P: 0.5, Answered: true}, {P: 0.99},
}

func TestOperate(t *testing.T) {
	for _, tt := range []struct {
		t                   float64
		coverage, precision float64
	}{
		{0.9, 2.0 / 6, 1}, {0.7, 4.0 / 6, 3.0 / 4}, {0.5, 5.0 / 6, 3.0 / 5}, {0.96, 0, 0},
	} {
		if c, p := Operate(predictions, tt.t); c != tt.coverage || p != tt.precision {
			t.Errorf("Operate(%.2f) = %.3f, %.3f; want %.3f, %.3f", tt.t, c, p, tt.coverage, tt.precision)
		}
	}
	if c, p := Operate(nil, 0.5); c != 0 || p != 0 {
		t.Errorf("Operate(nothing) = %v, %v", c, p)
	}
}

func TestLowestThreshold(t *testing.T) {
	for _, tt := range []struct {
		target float64
		want   float64
		ok     bool
	}{
		{1, 0.9, true},    // only the cases at 0.9 and above are all right
		{0.75, 0.7, true}, // 3 of 4 at 0.7
		{0.6, 0.5, true},  // 3 of 5 at 0.5: the most coverage that keeps the promise
	} {
		if got, ok := LowestThreshold(predictions, tt.target); got != tt.want || ok != tt.ok {
			t.Errorf("LowestThreshold(%.2f) = %v, %v; want %v, %v", tt.target, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := LowestThreshold([]Prediction{{P: 0.9, Answered: true}}, 0.5); ok {
		t.Error("a threshold found where every answer is wrong")
	}
}

// intentCases are n intent-only cases, in pairs expecting "pay" and pairs expecting "claim",
// so that both halves of a split hold both.
func intentCases(n int) []Case {
	cs := make([]Case, n)
	for i := range cs {
		want := "pay"
		if i%4 >= 2 {
			want = "claim"
		}
		cs[i] = Case{ID: fmt.Sprint(i), Text: fmt.Sprint(want, " ", i), ExpectedIntent: want}
	}
	return cs
}

func TestFitIntentThreshold(t *testing.T) {
	// The router says "pay" to everything, surer for the cases that are "pay".
	predict := func(text string) (string, float64) {
		if strings.HasPrefix(text, "pay") {
			return "pay", 0.9
		}
		return "pay", 0.6
	}
	cases := append(intentCases(MinFitCases), Case{ID: "kb", Text: "qz", ExpectedSources: []string{"k1"}})
	calls := 0
	fit, ok, err := FitIntentThreshold(cases, predict, 0.95, func(done, total int) { calls++ })
	if err != nil || !ok {
		t.Fatalf("FitIntentThreshold = %v, %v", ok, err)
	}
	if fit.Threshold != 0.9 || fit.HeldOutPrecision != 1 || fit.Coverage != 0.5 {
		t.Errorf("fit = %+v; want threshold 0.9, held-out precision 1 on half the cases", fit)
	}
	if calls != len(cases) {
		t.Errorf("progress called %d times for %d cases", calls, len(cases))
	}
	if _, ok, err := FitIntentThreshold(intentCases(MinFitCases-1), predict, 0.95, nil); ok || err != nil {
		t.Errorf("too few cases: ok %v, err %v; want no fit and no error", ok, err)
	}
	if _, _, err := FitIntentThreshold(intentCases(MinFitCases), func(string) (string, float64) { return "claim", 0.8 }, 0.95, nil); err == nil ||
		!strings.Contains(err.Error(), "no intent threshold reaches precision 0.95") {
		t.Errorf("unreachable target: %v", err)
	}
	oos := func(string) (string, float64) { return intent.OOS, 0.99 }
	if _, _, err := FitIntentThreshold(intentCases(MinFitCases), oos, 0.5, nil); err == nil {
		t.Error("a router that answers nothing got a threshold")
	}
}

// demoKB is the demo knowledge base, searched in memory with the local embedder.
func demoKB(t *testing.T) (*retrieval.Searcher, []chat.Document) {
	t.Helper()
	docs, err := demo.Documents(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s, err := retrieval.NewMemory(context.Background(), docs, retrieval.NewLocal(256))
	if err != nil {
		t.Fatal(err)
	}
	return s, docs
}

// TestMeasure: a question is right when its article comes first, and never right without it.
func TestMeasure(t *testing.T) {
	s, docs := demoKB(t)
	d := docs[0]
	asked, without := measure(context.Background(), s, d.Title, []string{d.ID})
	if !asked.Correct || without.Correct {
		t.Fatalf("%q: asked right %v, without its article right %v", d.Title, asked.Correct, without.Correct)
	}
	if asked.Signals == without.Signals {
		t.Error("the signals without the article are the signals with it")
	}
}

func TestFitAnswerCalibrator(t *testing.T) {
	s, docs := demoKB(t)
	var cases []Case
	for _, d := range docs {
		cases = append(cases, Case{ID: d.ID, Text: d.Title, ExpectedSources: []string{d.ID}}, Case{ID: d.ID + "-intent", Text: d.Title, ExpectedIntent: "x"})
	}
	fit, ok := FitAnswerCalibrator(context.Background(), cases, s, 0.9, nil)
	if !ok {
		t.Fatalf("no fit on %d cases", len(cases))
	}
	if fit.Calibrator.W == bot.DefaultCalibrator.W || fit.ECE < 0 || fit.ECE > 1 || fit.Precision < 0 || fit.Precision > 1 || fit.Coverage <= 0 {
		t.Errorf("fit = %+v", fit)
	}
	if _, ok := FitAnswerCalibrator(context.Background(), cases[:2*(MinFitCases-1)], s, 0.9, nil); ok {
		t.Errorf("fitted on %d cases with sources", MinFitCases-1)
	}
}

// TestConfidence: each question is a pair of samples (as asked, and without its article), half
// of the questions fit and half measure.
func TestConfidence(t *testing.T) {
	s, docs := demoKB(t)
	var qs []Question
	for _, d := range docs {
		qs = append(qs, Question{Question: d.Title, AnswerIDs: []string{d.ID}})
	}
	r := Confidence(context.Background(), qs, s, 0.9, nil)
	if r.N+r.FitN != 2*len(qs) || r.FitN != 2*((len(qs)+1)/2) {
		t.Fatalf("%d measured and %d fitting samples from %d questions", r.N, r.FitN, len(qs))
	}
	if r.ECE < 0 || r.ECE > 1 || r.TargetPrecision != 0.9 || r.PrecisionAtTarget < 0.9 && r.CoverageAtTarget > 0 {
		t.Errorf("report = %+v", r)
	}
}

// TestRefit: what a set can refit is refitted; what it cannot stays as the active calibration
// had it; a set too small for either is refused.
func TestRefit(t *testing.T) {
	ctx := context.Background()
	s, docs := demoKB(t)
	prevCal := bot.DefaultCalibrator
	prev := settings.Calibration{Version: 3, Threshold: 0.42, Coverage: 0.7, Calibrator: &prevCal, AnswerECE: 0.05}
	predict := func(text string) (string, float64) {
		if strings.HasPrefix(text, "pay") {
			return "pay", 0.9
		}
		return "pay", 0.6
	}
	var stages []string
	stage := func(name string) (func(int, int), func()) { stages = append(stages, name); return nil, func() {} }

	var sourced []Case
	for _, d := range docs {
		sourced = append(sourced, Case{ID: d.ID, Text: d.Title, ExpectedSources: []string{d.ID}})
	}
	cal, intents, answers, err := Refit(ctx, sourced, predict, s, prev, 0.9, stage)
	if err != nil || intents || !answers {
		t.Fatalf("knowledge cases only: intents %v, answers %v, err %v", intents, answers, err)
	}
	if cal.Threshold != 0.42 || cal.Coverage != 0.7 || cal.Calibrator == &prevCal || cal.Target != 0.9 || cal.Version != 3 {
		t.Errorf("knowledge cases only: %+v; want the intent threshold kept and a new calibrator", cal)
	}
	if strings.Join(stages, ",") != "intents,answers" {
		t.Errorf("stages %v", stages)
	}

	cal, intents, answers, err = Refit(ctx, intentCases(MinFitCases), predict, s, prev, 0.95, stage)
	if err != nil || !intents || answers {
		t.Fatalf("intent cases only: intents %v, answers %v, err %v", intents, answers, err)
	}
	if cal.Threshold != 0.9 || cal.Calibrator != &prevCal || cal.AnswerECE != 0.05 {
		t.Errorf("intent cases only: %+v; want threshold 0.9 and the calibrator kept", cal)
	}

	if _, _, _, err := Refit(ctx, intentCases(MinFitCases-1), predict, s, prev, 0.95, stage); !errors.Is(err, ErrTooFewCases) {
		t.Errorf("too few cases: %v", err)
	}
}
