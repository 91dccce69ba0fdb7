package handoff

import (
	"testing"
	"time"

	"tandem/chat"
)

func TestStale(t *testing.T) {
	now := t0
	tests := []struct {
		name   string
		status string
		seen   time.Time
		want   bool
	}{
		{"online, just seen", chat.PresenceOnline, now, false},
		{"online, at the timeout", chat.PresenceOnline, now.Add(-PresenceTimeout), false},
		{"online, past the timeout", chat.PresenceOnline, now.Add(-PresenceTimeout - time.Second), true},
		{"away, past the timeout", chat.PresenceAway, now.Add(-time.Hour), true},
		{"away, recent", chat.PresenceAway, now.Add(-10 * time.Second), false},
		{"online, never seen", chat.PresenceOnline, time.Time{}, true},
		{"offline already", chat.PresenceOffline, now.Add(-time.Hour), false},
		{"seen in the future (clock skew)", chat.PresenceOnline, now.Add(time.Minute), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := chat.Agent{Username: "ann", Status: tt.status, SeenAt: tt.seen}
			if got := Stale(a, now); got != tt.want {
				t.Errorf("Stale = %v, want %v", got, tt.want)
			}
		})
	}
}
