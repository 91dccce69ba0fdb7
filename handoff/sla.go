package handoff

import (
	"time"

	"tandem/chat"
)

// SLA is how soon a person should first answer a waiting conversation, per priority.
// A zero target means no SLA applies to that priority.
type SLA struct {
	High, Normal, Low time.Duration
}

// DefaultSLA returns the targets used when none are configured: 2 minutes for high priority,
// 5 for normal, 15 for low.
func DefaultSLA() SLA {
	return SLA{High: 2 * time.Minute, Normal: 5 * time.Minute, Low: 15 * time.Minute}
}

// Target returns the first-response target for priority; unknown priorities count as normal.
func (s SLA) Target(priority string) time.Duration {
	switch priority {
	case PriorityHigh:
		return s.High
	case PriorityLow:
		return s.Low
	}
	return s.Normal
}

// Due returns when c's first response is due: QueuedAt plus its priority's target. It returns
// the zero time (no SLA, as in chat.Conversation.FirstResponseDue) when c was never queued or
// the target is zero.
func (s SLA) Due(c chat.Conversation) time.Time {
	target := s.Target(c.Priority)
	if c.QueuedAt.IsZero() || target <= 0 {
		return time.Time{}
	}
	return c.QueuedAt.Add(target)
}
