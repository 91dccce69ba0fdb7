package conversation

import (
	"context"
	"time"

	"tandem/chat"
	"tandem/handoff"
)

// DeskInterval is how often the desk loop routes, sweeps presence and checks SLAs.
const DeskInterval = time.Second

// RunDesk keeps the queue moving on this replica until ctx ends: every interval, and at once
// when kicked, it marks stale agents offline (their conversations return to the queue), assigns
// waiting conversations when routing is automatic, raises SLA breaches, and tells this replica's
// waiting customers their position. Every step is safe with other replicas doing the same.
func (s *Service) RunDesk(ctx context.Context, interval time.Duration) error {
	s.desk.init()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-s.desk.kick:
		}
		start := time.Now()
		if err := s.DeskStep(ctx); err != nil && ctx.Err() == nil {
			s.Log.Warn("desk step failed", "err", err)
		}
		// Kicks arriving meanwhile are served together: at most one step per deskCoalesce.
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(deskCoalesce - time.Since(start)):
		}
	}
}

// deskCoalesce is the least time between two desk steps, however often the desk is kicked.
const deskCoalesce = 250 * time.Millisecond

// DeskStep runs one round of the desk loop.
func (s *Service) DeskStep(ctx context.Context) error {
	agents, err := s.Store.Agents(ctx)
	if err != nil {
		return err
	}
	agents = s.sweep(ctx, agents)
	queue, err := s.Store.Queue(ctx, queueLimit)
	if err != nil {
		return err
	}
	handoff.Order(queue)
	s.Metrics.Waiting.Set(float64(len(queue)))
	if s.Routing.Auto {
		queue = s.route(ctx, queue, agents)
	}
	if err := s.breaches(ctx); err != nil {
		return err
	}
	s.refreshWaits(ctx)
	s.announce(queue, agents)
	return nil
}

// sweep marks agents whose console went quiet offline and returns the rest.
func (s *Service) sweep(ctx context.Context, agents []chat.Agent) []chat.Agent {
	now := s.Now()
	out := agents[:0]
	for _, a := range agents {
		if a.Status != chat.PresenceOffline && handoff.Stale(a, now) {
			s.Log.Info("agent went quiet; marking offline", "agent", a.Username)
			if _, err := s.SetPresence(ctx, a.Username, chat.PresenceOffline); err != nil {
				s.Log.Warn("mark offline failed", "agent", a.Username, "err", err)
			}
			a.Status = chat.PresenceOffline
		}
		out = append(out, a)
	}
	return out
}

// route assigns queued conversations, highest rank first, to the least-loaded eligible agent,
// and returns those still waiting. A conversation someone else took meanwhile is skipped.
func (s *Service) route(ctx context.Context, queue []chat.Conversation, agents []chat.Agent) []chat.Conversation {
	var left []chat.Conversation
	for _, c := range queue {
		a, ok := handoff.Pick(c, agents)
		if !ok {
			left = append(left, c)
			continue
		}
		if _, err := s.assign(ctx, a, c.ID, "router"); err != nil {
			if chat.ErrorCode(err) != chat.ECONFLICT {
				s.Log.Warn("assign failed", "conversation_id", c.ID, "agent", a.Username, "err", err)
			}
			continue
		}
		for i := range agents {
			if agents[i].Username == a.Username {
				agents[i].Load++
			}
		}
	}
	return left
}

// breaches raises an event (and a log line and metric) for each conversation past its
// first-response time; marking it first means one replica raises it once.
func (s *Service) breaches(ctx context.Context) error {
	over, err := s.Store.Overdue(ctx, s.Now().UTC())
	if err != nil {
		return err
	}
	for _, c := range over {
		ok, err := s.Store.MarkBreached(ctx, c.ID, s.Now().UTC())
		if err != nil || !ok {
			continue
		}
		s.Log.Warn("first-response SLA breached", "conversation_id", c.ID, "priority", c.Priority, "team", c.Team,
			"due", c.FirstResponseDue)
		s.Metrics.SLABreaches.Inc()
		s.flush(ctx, &batch{events: []chat.Event{{Type: chat.EventSLABreach, ConversationID: c.ID, Team: c.Team, Priority: c.Priority}}})
	}
	return nil
}

// announce tells this replica's waiting customers their place and expected wait when it changed.
func (s *Service) announce(queue []chat.Conversation, agents []chat.Agent) {
	if s.Local == nil {
		return
	}
	online := 0
	for _, a := range agents {
		if a.Status == chat.PresenceOnline {
			online++
		}
	}
	pos := handoff.Positions(queue)
	s.desk.mu.Lock()
	defer s.desk.mu.Unlock()
	next := make(map[string][2]int, len(pos))
	for id, p := range pos {
		wait := int(s.estimate(p, online).Seconds())
		next[id] = [2]int{p, wait}
		if s.desk.positions[id] != next[id] {
			s.Local(chat.Event{Type: chat.EventPosition, ConversationID: id, Position: p, Wait: wait})
		}
	}
	s.desk.positions = next
}

// waitWindow is how far back measured queue waits inform the estimate; waitSamples is how
// many of the newest are used; waitRefresh is how often they are read again.
const (
	waitWindow  = time.Hour
	waitSamples = 50
	waitRefresh = 30 * time.Second
)

// estimate is the expected wait at position: from the waits measured in the last hour when there
// are any, otherwise from the configured handling time when one is set, otherwise none (0).
func (s *Service) estimate(position, online int) time.Duration {
	if len(s.desk.waits) > 0 {
		return handoff.EstimateFromWaits(position, s.desk.waits)
	}
	if s.Routing.AvgHandle > 0 {
		return handoff.EstimateWait(position, online, s.Routing.AvgHandle)
	}
	return 0
}

// refreshWaits reads the recent queue waits at most every waitRefresh.
func (s *Service) refreshWaits(ctx context.Context) {
	now := s.Now()
	if now.Sub(s.desk.waitsAt) < waitRefresh && !s.desk.waitsAt.IsZero() {
		return
	}
	waits, err := s.Store.RecentWaits(ctx, now.Add(-waitWindow), waitSamples)
	if err != nil {
		s.Log.Warn("recent queue waits could not be read", "err", err)
		return
	}
	s.desk.mu.Lock()
	s.desk.waits, s.desk.waitsAt = waits, now
	s.desk.mu.Unlock()
}

// Position returns a waiting conversation's last announced place and wait (0, 0 if unknown).
func (s *Service) Position(id string) (position, wait int) {
	s.desk.init()
	s.desk.mu.Lock()
	defer s.desk.mu.Unlock()
	p := s.desk.positions[id]
	return p[0], p[1]
}
