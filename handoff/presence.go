package handoff

import (
	"time"

	"tandem/chat"
)

// PresenceTimeout is how long an agent's console may go without a heartbeat before the agent
// counts as gone: long enough to ride out a few missed pings, short enough that customers are
// not assigned to a closed tab.
const PresenceTimeout = 45 * time.Second

// Stale reports whether a is marked online or away but was last seen more than
// PresenceTimeout before now, so their presence should be dropped to offline.
func Stale(a chat.Agent, now time.Time) bool {
	if a.Status != chat.PresenceOnline && a.Status != chat.PresenceAway {
		return false
	}
	return now.Sub(a.SeenAt) > PresenceTimeout
}
