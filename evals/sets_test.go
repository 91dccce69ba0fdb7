package evals

import (
	"context"
	"strings"
	"testing"
	"time"

	"tandem/chat"
	"tandem/sqlite/sqlitetest"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestValidSetName(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{{"clinc-val", true}, {"", false}, {"a b", false}, {"a/b", false}, {`a\b`, false}, {strings.Repeat("x", MaxSetName), true}, {strings.Repeat("x", MaxSetName+1), false}} {
		if got := ValidSetName(tt.name) == nil; got != tt.ok {
			t.Errorf("ValidSetName(%q) ok = %v, want %v", tt.name, got, tt.ok)
		}
	}
}

// TestSetsRoundTrip: cases and runs come back as stored, and a baseline is a run of the same set.
func TestSetsRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.Open(t)
	cases := []Case{{ID: "a", Text: "pay my premium", ExpectedIntent: "pay"}, {ID: "b", Text: "hello", ExpectedIntent: OOS}}
	if n, err := PutCases(ctx, st, "s1", cases, false, t0); err != nil || n != 2 {
		t.Fatalf("PutCases = %d, %v", n, err)
	}
	if n, err := PutCases(ctx, st, "s1", cases[:1], true, t0); err != nil || n != 1 {
		t.Fatalf("PutCases with replace = %d, %v; want the set to hold 1", n, err)
	}
	got, err := LoadCases(ctx, st, "s1")
	if err != nil || len(got) != 1 || got[0].ExpectedIntent != "pay" {
		t.Fatalf("LoadCases = %+v, %v", got, err)
	}
	if base, _, err := LoadBaseline(ctx, st, "s1", "latest"); err != nil || base != nil {
		t.Fatalf("latest of a set never run = %v, %v; want none", base, err)
	}
	run := chat.EvalRun{ID: NewRunID(t0), Set: "s1", CreatedAt: t0, Metrics: []byte(`{}`)}
	if !strings.HasPrefix(run.ID, "run-20260302-090000-") {
		t.Errorf("run id %q does not start with the time", run.ID)
	}
	if err := PutRun(ctx, st, run, []Result{{CaseID: "a", Correct: true}}); err != nil {
		t.Fatal(err)
	}
	base, results, err := LatestRun(ctx, st, "s1")
	if err != nil || base == nil || base.ID != run.ID || len(results) != 1 || !results[0].Correct {
		t.Fatalf("LatestRun = %v, %+v, %v", base, results, err)
	}
	if _, _, err := LoadBaseline(ctx, st, "s2", run.ID); err == nil || !strings.Contains(err.Error(), "is a run of s1, not s2") {
		t.Fatalf("a baseline of another set: %v", err)
	}
	if base, _, err := LoadBaseline(ctx, st, "s1", ""); base != nil || err != nil {
		t.Fatalf("no baseline asked = %v, %v", base, err)
	}
	if _, err := PutCases(ctx, st, "s2", cases, false, t0); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := WriteSets(ctx, st, &b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "SET") || !strings.Contains(b.String(), run.ID+"  0.000") || !strings.HasPrefix(strings.Join(strings.Fields(lines[2]), " "), "s2 2 - -") {
		t.Errorf("sets:\n%s", b.String())
	}
}

// TestExport: the dataset formats keep the cases that fit them, and personal data is masked.
func TestExport(t *testing.T) {
	cases := func() []Case {
		return []Case{
			{ID: "a", Text: "my email is ann@example.com, pay my premium", ExpectedIntent: "pay"},
			{ID: "b", Text: "what is a deductible", ExpectedSources: []string{"k1"}, ExpectedAnswer: "call 13800138000"},
		}
	}
	for _, tt := range []struct {
		format, want, not string
	}{
		{"intents", `{"intent":"pay","text":"my email is`, "deductible"},
		{"qa", `"answer_ids":["k1"]`, "premium"},
		{"case", `"id":"a"`, "ann@example.com"},
	} {
		var b strings.Builder
		if err := Export(&b, cases(), tt.format); err != nil {
			t.Fatal(err)
		}
		if out := b.String(); !strings.Contains(out, tt.want) || strings.Contains(out, tt.not) || strings.Contains(out, "ann@example.com") || strings.Contains(out, "13800138000") {
			t.Errorf("%s export = %s", tt.format, out)
		}
	}
	if err := Export(&strings.Builder{}, cases(), "csv"); err == nil {
		t.Error("an unknown format exported")
	}
}
