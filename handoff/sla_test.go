package handoff

import (
	"testing"
	"time"

	"tandem/chat"
)

func TestSLADue(t *testing.T) {
	def := DefaultSLA()
	tests := []struct {
		name string
		sla  SLA
		conv chat.Conversation
		want time.Time
	}{
		{"high", def, queued("c", "high", 0), t0.Add(2 * time.Minute)},
		{"normal", def, queued("c", "normal", 0), t0.Add(5 * time.Minute)},
		{"default priority", def, queued("c", "", 0), t0.Add(5 * time.Minute)},
		{"unknown priority", def, queued("c", "urgent", 0), t0.Add(5 * time.Minute)},
		{"low", def, queued("c", "low", 0), t0.Add(15 * time.Minute)},
		{"from queued time, not rank", def, queued("c", "high", 7), t0.Add(9 * time.Minute)},
		{"never queued", def, chat.Conversation{Priority: "high"}, time.Time{}},
		{"no target for priority", SLA{High: time.Minute}, queued("c", "low", 0), time.Time{}},
		{"custom target", SLA{Low: time.Hour}, queued("c", "low", 0), t0.Add(time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.sla.Due(tt.conv); !got.Equal(tt.want) {
				t.Errorf("Due = %v, want %v", got, tt.want)
			}
		})
	}
}
