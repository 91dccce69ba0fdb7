package readiness

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestCheckNamesTheFirstNotReady(t *testing.T) {
	var index, intents atomic.Bool
	g := Gate{
		{"the knowledge index is loading", func(context.Context) bool { return index.Load() }},
		{"intents are being trained", func(context.Context) bool { return intents.Load() }},
	}
	ctx := context.Background()
	for _, tc := range []struct {
		index, intents bool
		want           string
	}{
		{false, false, "the knowledge index is loading"},
		{false, true, "the knowledge index is loading"},
		{true, false, "intents are being trained"},
		{true, true, ""},
	} {
		index.Store(tc.index)
		intents.Store(tc.intents)
		got := ""
		if err := g.Check(ctx); err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("index %v, intents %v: Check = %q, want %q", tc.index, tc.intents, got, tc.want)
		}
	}
}

func TestWaitLogsChangesUntilReady(t *testing.T) {
	var calls atomic.Int32
	g := Gate{{"vectors are being computed", func(context.Context) bool { return calls.Add(1) > 3 }}}
	var logs bytes.Buffer
	if err := g.Wait(context.Background(), slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if strings.Count(out, "not ready yet") != 1 || !strings.Contains(out, "vectors are being computed") || !strings.Contains(out, "msg=ready") {
		t.Errorf("logs:\n%s", out)
	}
}

func TestWaitEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*Poll)
	defer cancel()
	never := Gate{{"never", func(context.Context) bool { return false }}}
	start := time.Now()
	if err := never.Wait(ctx, slog.New(slog.DiscardHandler)); err != nil || time.Since(start) > time.Minute {
		t.Errorf("Wait = %v after %v", err, time.Since(start))
	}
}
