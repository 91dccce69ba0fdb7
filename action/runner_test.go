package action

import (
	"log/slog"
	"testing"
)

func TestRunnerSharesOneExecutor(t *testing.T) {
	if _, err := NewRunner([]string{"http://not a host"}, nil, nil, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("a bad allow-list was accepted")
	}
	r, err := NewRunner([]string{"127.0.0.1:8080"}, []string{"api"}, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	b, a := r.Bot(nil), r.Approvals()
	if b.Exec != a.Exec || b.Exec.Breakers == nil || len(b.Exec.Allow) != 1 {
		t.Fatal("the bot layer and the approvals do not share one executor with its breakers and allow-list")
	}
	if !b.Trusted["api"] || !a.Trusted["api"] || b.Trusted["web"] {
		t.Errorf("trusted channels: bot %v, approvals %v", b.Trusted, a.Trusted)
	}
}
