package evals

import (
	"math"
	"testing"
)

func TestScore(t *testing.T) {
	intentCase := Case{ID: "i", Text: "card?", ExpectedIntent: "card_arrival"}
	oosCase := Case{ID: "o", Text: "bike?", ExpectedIntent: OOS}
	qaCase := Case{ID: "q", Text: "支付方式？", ExpectedSources: []string{"k2", "k9"}, ExpectedAnswer: "微信和支付宝"}
	textCase := Case{ID: "t", Text: "hours?", ExpectedAnswer: "We open at 9 am"}
	handoffCase := Case{ID: "h", Text: "refund", ExpectedIntent: "refund", ExpectedDecision: DecisionHandoff}
	tests := []struct {
		name        string
		c           Case
		o           Outcome
		correct     bool
		intentOK    *bool
		decisionOK  bool
		hitRank     int
		wantF1      float64 // -1: no F1
		expDecision string
	}{
		{"intent right", intentCase, Outcome{Intent: "card_arrival", Decision: DecisionAnswer}, true, ptr(true), true, 0, -1, DecisionAnswer},
		{"intent wrong", intentCase, Outcome{Intent: "card_lost", Decision: DecisionAnswer}, false, ptr(false), true, 0, -1, DecisionAnswer},
		{"intent right but handed off", intentCase, Outcome{Intent: "card_arrival", Decision: DecisionHandoff}, false, ptr(true), false, 0, -1, DecisionAnswer},
		{"oos handed off", oosCase, Outcome{Decision: DecisionHandoff}, true, ptr(true), true, 0, -1, DecisionHandoff},
		{"oos clarified", oosCase, Outcome{Intent: "bike", Decision: DecisionClarify}, true, ptr(false), true, 0, -1, DecisionHandoff},
		{"oos answered", oosCase, Outcome{Intent: "card_arrival", Decision: DecisionAnswer}, false, ptr(false), false, 0, -1, DecisionHandoff},
		{"oos with error", oosCase, Outcome{Err: "timeout"}, false, ptr(true), false, 0, -1, DecisionHandoff},
		{"expected handoff, unknown decision", handoffCase, Outcome{Intent: "refund", Decision: "shrug"}, false, ptr(true), false, 0, -1, DecisionHandoff},
		{"source at rank 3", qaCase, Outcome{Decision: DecisionAnswer, Text: "支付宝", Sources: []string{"k1", "k5", "k9"}}, true, nil, true, 3, 0.6667, DecisionAnswer},
		{"source at rank 4", qaCase, Outcome{Decision: DecisionAnswer, Text: "微信和支付宝", Sources: []string{"k1", "k5", "k6", "k2"}}, false, nil, true, 4, 1, DecisionAnswer},
		{"no source", qaCase, Outcome{Decision: DecisionAnswer, Text: "微信和支付宝"}, false, nil, true, 0, 1, DecisionAnswer},
		{"answered with error", qaCase, Outcome{Decision: DecisionAnswer, Sources: []string{"k2"}, Err: "llm: 500"}, false, nil, false, 1, -1, DecisionAnswer},
		{"text only, close", textCase, Outcome{Decision: DecisionAnswer, Text: "We open at 9am, see you!"}, true, nil, true, 0, 6.0 / 11, DecisionAnswer},
		{"text only, far", textCase, Outcome{Decision: DecisionAnswer, Text: "Please call us."}, false, nil, true, 0, 0, DecisionAnswer},
		{"expected handoff", handoffCase, Outcome{Intent: "refund", Decision: DecisionHandoff}, true, ptr(true), true, 0, -1, DecisionHandoff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Score(tt.c, tt.o)
			if r.CaseID != tt.c.ID || r.Correct != tt.correct || r.HitRank != tt.hitRank || r.ExpectedDecision != tt.expDecision {
				t.Errorf("got id %q correct %v rank %d expected %q, want %q %v %d %q",
					r.CaseID, r.Correct, r.HitRank, r.ExpectedDecision, tt.c.ID, tt.correct, tt.hitRank, tt.expDecision)
			}
			if !samePtr(r.IntentOK, tt.intentOK) {
				t.Errorf("intent ok = %v, want %v", deref(r.IntentOK), deref(tt.intentOK))
			}
			if r.DecisionOK == nil || *r.DecisionOK != tt.decisionOK {
				t.Errorf("decision ok = %v, want %v", deref(r.DecisionOK), tt.decisionOK)
			}
			if gotF1 := -1.0; r.F1 != nil {
				gotF1 = *r.F1
				if math.Abs(gotF1-tt.wantF1) > 1e-4 {
					t.Errorf("f1 = %v, want %v", gotF1, tt.wantF1)
				}
			} else if tt.wantF1 != -1 {
				t.Errorf("f1 = nil, want %v", tt.wantF1)
			}
		})
	}
}

func samePtr(a, b *bool) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestTokenF1(t *testing.T) {
	tests := []struct {
		pred, ref string
		want      float64
	}{
		{"The card ARRIVES Monday.", "the card arrives monday", 1},
		{"card arrives", "the card arrives monday", 2 * 1 * 0.5 / 1.5},
		{"光荣和ω-force", "光荣和ω-force", 1},
		{"光荣", "光荣和ω-force", 2 * 1 * (2.0 / 5) / (1 + 2.0/5)}, // tokens: 光 荣 和 ω force
		{"东京タワー", "東京タワー", 2 * (4.0 / 5) * (4.0 / 5) / (8.0 / 5)},
		{"", "", 1},
		{"...", "answer", 0},
		{"a a a", "a", 2 * (1.0 / 3) * 1 / (1 + 1.0/3)},
	}
	for _, tt := range tests {
		if got := tokenF1(tt.pred, tt.ref); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("tokenF1(%q, %q) = %v, want %v", tt.pred, tt.ref, got, tt.want)
		}
	}
}

// scored builds a result the way Score would, for metric tests.
func scored(c Case, decision string, conf float64, correctIntent bool) Result {
	o := Outcome{Decision: decision, Confidence: conf, Intent: "wrong"}
	if correctIntent {
		o.Intent = c.ExpectedIntent
	}
	return Score(c, o)
}

func TestSummarize(t *testing.T) {
	in := Case{ID: "in", Text: "x", ExpectedIntent: "a"}
	oos := Case{ID: "oos", Text: "x", ExpectedIntent: OOS}
	qa := Case{ID: "qa", Text: "x", ExpectedSources: []string{"k"}, ExpectedAnswer: "the answer"}
	results := []Result{
		scored(in, DecisionAnswer, 0.95, true),   // right
		scored(in, DecisionAnswer, 0.9, true),    // right
		scored(in, DecisionAnswer, 0.8, false),   // wrong intent
		scored(in, DecisionHandoff, 0.3, true),   // right intent, not answered: wrong
		scored(oos, DecisionHandoff, 0.2, false), // right
		scored(oos, DecisionAnswer, 0.7, false),  // wrong
		Score(qa, Outcome{Decision: DecisionAnswer, Confidence: 0.6, Text: "the answer", Sources: []string{"k"}, Millis: 40}), // right, hit@1
		Score(qa, Outcome{Decision: DecisionAnswer, Confidence: 0.5, Text: "no", Sources: []string{"x", "y", "z", "k"}}),      // wrong, hit@5
		Score(qa, Outcome{Err: "boom", Millis: 100}), // error
	}
	m := Summarize(results, 0.75)
	want := Metrics{
		Cases: 9, Errors: 1,
		Accuracy:          round(4.0 / 9),
		IntentAccuracy:    0.75,           // 3 of 4 in-scope intents
		OOSRecall:         0.5,            // 1 of 2
		DecisionPrecision: round(3.0 / 6), // answered: 0.95 ✓ 0.9 ✓ 0.8 ✗ 0.7 ✗ 0.6 ✓ 0.5 ✗
		DecisionRecall:    round(3.0 / 7), // 4 in + 3 qa expect answers, 3 right
		HitAt1:            round(1.0 / 3),
		HitAt5:            round(2.0 / 3),
		AnswerF1:          0.5, // 1 and 0
		// Bins: 0.9 (0.95, 0.9: acc 1, conf 0.925), 0.8 (0, 0.8), 0.7 (0, 0.7), 0.6 (1, 0.6), 0.5 (0, 0.5).
		ECE:                  round((2*0.075 + 0.8 + 0.7 + 0.4 + 0.5) / 6),
		Target:               0.75,
		Threshold:            0.9, // at 0.8 precision drops to 2/3
		Coverage:             round(2.0 / 9),
		PrecisionAtThreshold: 1,
		P50Millis:            0,
		P99Millis:            100,
	}
	judged := m.Judged
	m.Judged = nil
	if m != want {
		t.Fatalf("metrics\n got %+v\nwant %+v", m, want)
	}
	if want := (Judged{Intent: 4, OOS: 2, Answered: 6, ExpectedAnswer: 7, Sources: 3, AnswerText: 2}); judged == nil || *judged != want {
		t.Fatalf("judged counts = %+v, want %+v", judged, want)
	}
	if got := (metricDef{over: func(j Judged) int { return j.OOS }}).none(Metrics{Judged: &Judged{}}); !got {
		t.Fatal("a rate over no case is not n/a")
	}
	if got := Summarize(nil, 0.9); got.Judged == nil || *got.Judged != (Judged{}) || func() bool { got.Judged = nil; return got != (Metrics{Target: 0.9, Threshold: 1}) }() {
		t.Fatalf("empty run: %+v", got)
	}
}

func TestOperatingPoint(t *testing.T) {
	c := Case{ID: "c", Text: "x", ExpectedIntent: "a"}
	results := []Result{
		scored(c, DecisionAnswer, 0.9, true),
		scored(c, DecisionAnswer, 0.8, false),
		scored(c, DecisionAnswer, 0.6, true),
		scored(c, DecisionAnswer, 0.6, true),
		scored(c, DecisionAnswer, 0.4, false),
		scored(c, DecisionHandoff, 0.1, true),
	}
	tests := []struct {
		target             float64
		threshold, cov, pr float64
	}{
		{1, 0.9, round(1.0 / 6), 1},
		{0.75, 0.6, round(4.0 / 6), 0.75}, // precision is not monotone: 0.8 gives 0.5, 0.6 gives 0.75
		{0.6, 0.4, round(5.0 / 6), 0.6},
		{0, 0.4, round(5.0 / 6), 0.6},
	}
	for _, tt := range tests {
		m := Summarize(results, tt.target)
		if m.Threshold != tt.threshold || m.Coverage != tt.cov || m.PrecisionAtThreshold != tt.pr {
			t.Errorf("target %v: threshold %v coverage %v precision %v, want %v %v %v",
				tt.target, m.Threshold, m.Coverage, m.PrecisionAtThreshold, tt.threshold, tt.cov, tt.pr)
		}
	}
	wrong := []Result{scored(c, DecisionAnswer, 0.9, false)}
	if m := Summarize(wrong, 0.9); m.Threshold != 1 || m.Coverage != 0 {
		t.Errorf("unreachable target: %+v", m)
	}
	curve := RiskCoverage(results)
	want := []Point{{0.9, round(1.0 / 6), 0}, {0.8, round(2.0 / 6), 0.5}, {0.6, round(4.0 / 6), 0.25}, {0.4, round(5.0 / 6), 0.4}}
	if len(curve) != len(want) {
		t.Fatalf("curve %+v, want %+v", curve, want)
	}
	for i := range want {
		if curve[i] != want[i] {
			t.Errorf("point %d = %+v, want %+v", i, curve[i], want[i])
		}
	}
}

func TestReliabilityBins(t *testing.T) {
	c := Case{ID: "c", Text: "x", ExpectedIntent: "a"}
	results := []Result{
		scored(c, DecisionAnswer, 1, true), // top bin, not out of range
		scored(c, DecisionAnswer, 0.95, false),
		scored(c, DecisionAnswer, 0.05, false),
		scored(c, DecisionAnswer, -0.5, false), // clamped into the first bin
		scored(c, DecisionHandoff, 0.5, true),  // not answered: not binned
	}
	bins := ReliabilityBins(results, 10)
	if len(bins) != 10 || bins[9].Count != 2 || bins[9].Accuracy != 0.5 || math.Abs(bins[9].Confidence-0.975) > 1e-9 {
		t.Fatalf("top bin %+v", bins[9])
	}
	if bins[0].Count != 2 || bins[0].Accuracy != 0 || bins[5].Count != 0 {
		t.Fatalf("bins %+v", bins)
	}
	if bins[3].Lo != 0.3 || bins[3].Hi != 0.4 {
		t.Fatalf("bin 3 bounds %+v", bins[3])
	}
}

func TestScoreJudge(t *testing.T) {
	c := Case{ID: "j", Text: "refund?", ExpectedAnswer: "Refunds take five working days."}
	yes, no := true, false
	low := Score(c, Outcome{Decision: DecisionAnswer, Text: "We pay back within a week.", Agrees: &yes})
	high := Score(c, Outcome{Decision: DecisionAnswer, Text: "Refunds take five working days.", Agrees: &no})
	if !low.Correct || high.Correct {
		t.Fatalf("the judge's verdict must decide: %v %v", low.Correct, high.Correct)
	}
}
