package evals

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

func numberedCases(n int) []Case {
	cases := make([]Case, n)
	for i := range cases {
		cases[i] = Case{ID: strconv.Itoa(i), Text: fmt.Sprint("q", i), ExpectedIntent: "even"}
		if i%2 == 1 {
			cases[i].ExpectedIntent = "odd"
		}
	}
	return cases
}

// parity answers with the case number's parity; multiples of 7 fail, multiples of 11 panic.
func parity(_ context.Context, c Case) (Outcome, error) {
	i, _ := strconv.Atoi(c.ID)
	switch {
	case i%7 == 3:
		return Outcome{}, errors.New("llm unavailable")
	case i%11 == 5:
		panic("nil map")
	}
	intent := "even"
	if i%2 == 1 {
		intent = "odd"
	}
	return Outcome{Intent: intent, Decision: DecisionAnswer, Confidence: 0.9, Millis: 1}, nil
}

func TestRun(t *testing.T) {
	cases := numberedCases(200)
	var last, calls atomic.Int64
	results, err := Run(context.Background(), cases, 8, parity, func(done, total int) {
		if total != len(cases) || int64(done) != last.Load()+1 {
			t.Errorf("progress(%d, %d) after %d", done, total, last.Load())
		}
		last.Store(int64(done))
		calls.Add(1)
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != int64(len(cases)) {
		t.Errorf("progress called %d times", calls.Load())
	}
	for i, r := range results {
		if r.CaseID != cases[i].ID {
			t.Fatalf("result %d is case %s", i, r.CaseID)
		}
		failed := i%7 == 3 || i%11 == 5
		if r.Correct == failed || (r.Err != "") != failed {
			t.Errorf("case %d: correct %v error %q", i, r.Correct, r.Err)
		}
	}
	if got := results[3].Err; got != "llm unavailable" {
		t.Errorf("turn error recorded as %q", got)
	}
	if got := results[5].Err; got != "panic: nil map" {
		t.Errorf("panic recorded as %q", got)
	}
	if results[0].Millis != 1 {
		t.Errorf("reported millis overwritten: %v", results[0].Millis)
	}
}

func TestRunCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var started atomic.Int64
	turn := func(ctx context.Context, c Case) (Outcome, error) {
		if started.Add(1) == 10 {
			cancel()
		}
		if err := ctx.Err(); err != nil {
			return Outcome{}, err
		}
		return Outcome{Decision: DecisionHandoff}, nil
	}
	results, err := Run(ctx, numberedCases(1000), 4, turn, nil)
	if !errors.Is(err, context.Canceled) || results != nil {
		t.Fatalf("results %d, err %v; want context.Canceled", len(results), err)
	}
	if n := started.Load(); n > 10+4 {
		t.Errorf("%d turns started after cancel", n)
	}
}

func TestRunFast(t *testing.T) {
	cases := numberedCases(10_000)
	turn := func(context.Context, Case) (Outcome, error) {
		return Outcome{Decision: DecisionAnswer, Intent: "even"}, nil
	}
	start := time.Now()
	results, err := Run(context.Background(), cases, 16, turn, func(int, int) {})
	if err != nil || len(results) != len(cases) {
		t.Fatalf("%d results, %v", len(results), err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("10,000 trivial cases took %v", d)
	}
	if m := Summarize(results, 0.9); m.Accuracy != 0.5 {
		t.Fatalf("accuracy %v, want 0.5", m.Accuracy)
	}
}

func TestRunEmpty(t *testing.T) {
	results, err := Run(context.Background(), nil, 0, parity, nil)
	if err != nil || len(results) != 0 {
		t.Fatalf("%v, %v", results, err)
	}
}
