package handoff

import (
	"math"
	"slices"
	"strings"
	"time"

	"tandem/chat"
)

// Priorities of a waiting conversation; "" is normal.
const (
	PriorityHigh   = "high"
	PriorityNormal = "normal"
	PriorityLow    = "low"
)

// PriorityBoost is how much earlier a high-priority conversation ranks than it was queued
// (and a low-priority one later): a VIP who has waited a little goes ahead of ordinary
// customers, without starving those who have waited much longer.
const PriorityBoost = 10 * time.Minute

// boost returns how much earlier than its QueuedAt a conversation of priority ranks.
// Unknown priorities count as normal.
func boost(priority string) time.Duration {
	switch priority {
	case PriorityHigh:
		return PriorityBoost
	case PriorityLow:
		return -PriorityBoost
	}
	return 0
}

// Rank returns the time a waiting conversation is served as if it had been queued at:
// QueuedAt, 10 minutes earlier for high priority, 10 minutes later for low.
func Rank(c chat.Conversation) time.Time {
	return c.QueuedAt.Add(-boost(c.Priority))
}

// Order sorts waiting conversations into serving order: by Rank, then by ID so the order is
// the same on every call.
func Order(convs []chat.Conversation) {
	slices.SortFunc(convs, func(a, b chat.Conversation) int {
		if c := Rank(a).Compare(Rank(b)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// Pick chooses the agent to assign c to automatically: among agents who are online, below
// capacity and serve c's team, the one with the least load, then the smallest share of their
// capacity in use, then the first username. It reports false when nobody is eligible.
// Callers mark agents with stale presence (see Stale) away before picking.
func Pick(c chat.Conversation, agents []chat.Agent) (chat.Agent, bool) {
	var best chat.Agent
	found := false
	for _, a := range agents {
		if !eligible(a, c.Team) {
			continue
		}
		if !found || lessBusy(a, best) {
			best, found = a, true
		}
	}
	return best, found
}

// eligible reports whether a can take a new conversation of team now.
func eligible(a chat.Agent, team string) bool {
	return a.Status == chat.PresenceOnline && a.Load < a.Capacity && a.Serves(team)
}

// lessBusy reports whether eligible agent a should get a conversation before eligible agent b.
func lessBusy(a, b chat.Agent) bool {
	if a.Load != b.Load {
		return a.Load < b.Load
	}
	// Equal loads: compare Load/Capacity without floats. Both capacities exceed the
	// (equal) load, so they are positive whenever the loads are not negative.
	if ra, rb := a.Load*b.Capacity, b.Load*a.Capacity; ra != rb {
		return ra < rb
	}
	return a.Username < b.Username
}

// Positions maps each conversation ID in an ordered queue to its place, 1 being next.
// A repeated ID keeps its first place.
func Positions(queue []chat.Conversation) map[string]int {
	pos := make(map[string]int, len(queue))
	for i, c := range queue {
		if _, ok := pos[c.ID]; !ok {
			pos[c.ID] = i + 1
		}
	}
	return pos
}

// maxMinutes is the most whole minutes a time.Duration holds.
const maxMinutes = math.MaxInt64 / int64(time.Minute)

// minWait is the shortest wait EstimateWait promises: "under a minute" reads as "now".
const minWait = time.Minute

// EstimateWait estimates how long the customer at position waits: position × avgHandle shared
// among the online agents (at least one is assumed, so a queue with nobody online still gets
// an estimate), rounded up to whole minutes, and at least a minute.
func EstimateWait(position, onlineAgents int, avgHandle time.Duration) time.Duration {
	if position < 1 || avgHandle <= 0 {
		return minWait
	}
	agents := int64(max(1, onlineAgents))
	per := int64(avgHandle)
	var total int64
	if int64(position) > math.MaxInt64/per {
		total = math.MaxInt64 // saturate rather than overflow
	} else {
		total = int64(position) * per
	}
	mins := min(ceilDiv(ceilDiv(total, agents), int64(time.Minute)), maxMinutes)
	return max(minWait, time.Duration(mins)*time.Minute)
}

// ceilDiv returns a/b rounded up, for a ≥ 0 and b > 0.
func ceilDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 {
		q++
	}
	return q
}

// EstimateFromWaits estimates the wait of the customer at position from the waits of recently
// accepted customers: their median times the position, rounded up to whole minutes and at least
// a minute. With no recent waits it returns 0: no estimate rather than a guess.
func EstimateFromWaits(position int, recent []time.Duration) time.Duration {
	if position < 1 || len(recent) == 0 {
		return 0
	}
	sorted := slices.Clone(recent)
	slices.Sort(sorted)
	median := sorted[len(sorted)/2]
	if len(sorted)%2 == 0 {
		median = (sorted[len(sorted)/2-1] + median) / 2
	}
	total := int64(math.MaxInt64) // saturate rather than overflow
	if median <= 0 || int64(position) <= math.MaxInt64/int64(median) {
		total = int64(position) * int64(median)
	}
	mins := min(ceilDiv(total, int64(time.Minute)), maxMinutes)
	return max(minWait, time.Duration(mins)*time.Minute)
}
