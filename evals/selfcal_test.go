package evals

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"tandem/chat"
	"tandem/retrieval"
	"tandem/sqlite/sqlitetest"
)

// selfCal is a self-calibration over the demo knowledge base at a version, storing into st.
func selfCal(t *testing.T, st SettingsStore, version *string, ready *bool, folds *int) *SelfCalibration {
	t.Helper()
	s, docs := demoKB(t)
	return &SelfCalibration{
		Version:      func() string { return *version },
		VectorsReady: func(context.Context) bool { return *ready },
		Documents:    func() []chat.Document { return docs },
		Fold: func(drop func(docID, phrasing string) bool) *retrieval.Searcher {
			*folds++
			return s.Fold(drop)
		},
		Store: st, Target: func() float64 { return 0.9 }, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// TestSelfCalibration: the fit waits for vectors, fits once they are there and stores the fit,
// which another replica adopts without fitting; a new knowledge version is fitted again.
func TestSelfCalibration(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.Open(t)
	version, ready, folds := "", false, 0
	c := selfCal(t, st, &version, &ready, &folds)
	if err := c.Step(ctx); err != nil || c.Status().State != "" || c.Ready() {
		t.Fatalf("before the knowledge loads: %+v, %v", c.Status(), err)
	}
	version = "v1"
	if err := c.Step(ctx); err != nil || c.Status().State != "waiting" || folds != 0 {
		t.Fatalf("without vectors: %+v, %v, %d folds", c.Status(), err, folds)
	}
	ready = true
	if err := c.Step(ctx); err != nil {
		t.Fatal(err)
	}
	s := c.Status()
	if s.State != "done" || s.Version != "v1" || s.Fit == nil || !c.Ready() || folds == 0 {
		t.Fatalf("after the fit: %+v", s)
	}
	if c.For("en") == nil && c.For("zh") == nil {
		t.Errorf("no language fitted on the demo knowledge base: %+v", s.Fit.Langs)
	}
	stored, err := ReadSelfCalibration(ctx, st)
	if err != nil || stored.State != "done" || stored.Version != "v1" {
		t.Fatalf("stored = %+v, %v", stored, err)
	}
	lines := stored.Lines()
	if !strings.Contains(lines[0], "fitted on the knowledge base (version v1, target precision 0.90)") || len(lines) < 2 {
		t.Errorf("lines = %q", lines)
	}

	otherFolds := 0
	other := selfCal(t, st, &version, &ready, &otherFolds)
	if err := other.Step(ctx); err != nil || !other.Ready() || otherFolds != 0 {
		t.Fatalf("another replica: ready %v, %d folds, %v; want the stored fit adopted", other.Ready(), otherFolds, err)
	}
	version = "v2"
	if c.Ready() {
		t.Fatal("ready on a knowledge version it was not fitted on")
	}
	if err := c.Step(ctx); err != nil || c.Status().Version != "v2" || !c.Ready() {
		t.Fatalf("after a change: %+v, %v", c.Status(), err)
	}
}

func TestSelfCalStatusLines(t *testing.T) {
	for _, tt := range []struct {
		s    SelfCalStatus
		want string
	}{
		{SelfCalStatus{}, "not fitted yet"},
		{SelfCalStatus{State: "waiting"}, "waiting for vectors"},
		{SelfCalStatus{State: "running", Done: 3, Total: 10}, "fitting, 3 of 10 questions"},
		{SelfCalStatus{State: "failed", Error: "boom"}, "fit failed: boom"},
	} {
		if got := tt.s.Lines(); len(got) != 1 || !strings.Contains(got[0], tt.want) {
			t.Errorf("%+v: %q, want %q", tt.s, got, tt.want)
		}
	}
}
