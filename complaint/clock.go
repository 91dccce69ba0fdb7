package complaint

import (
	"context"
	"time"
)

// Tick runs the clocks of the open cases at now: an owner's reminder when a decision is due
// within the rule's reminder period, a breach when it is overdue; each is recorded once per due
// date as a step. It returns the cases reminded and breached by this tick.
func (s *Service) Tick(ctx context.Context) (reminded, breached []Case, err error) {
	cases, err := s.Store.OpenCases(ctx, listLimit)
	if err != nil {
		return nil, nil, err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	for _, c := range cases {
		if !c.Status.Open() || c.PausedAt != nil {
			continue
		}
		kind := ""
		switch {
		case c.BreachedAt == nil && now.After(c.DueAt):
			kind, c.BreachedAt = StepBreach, &now
		case c.RemindedAt == nil && c.BreachedAt == nil && !now.Before(s.Config.Rule(c.Category).Remind(c.DueAt)):
			kind, c.RemindedAt = StepReminder, &now
		default:
			continue
		}
		prev := c.UpdatedAt
		c.UpdatedAt = now
		if err := s.Store.UpdateCase(ctx, c, prev, Step{CaseID: c.ID, Kind: kind, Actor: "system", Note: "due " + day(c.DueAt), At: now}); err != nil {
			s.Log.Warn("complaint clock step not stored", "case", c.Number, "kind", kind, "err", err)
			continue
		}
		if kind == StepBreach {
			s.Log.Warn("complaint decision overdue", "case", c.Number, "owner", c.Owner, "due_at", c.DueAt)
			breached = append(breached, c)
		} else {
			s.Log.Info("complaint decision due soon", "case", c.Number, "owner", c.Owner, "due_at", c.DueAt)
			reminded = append(reminded, c)
		}
	}
	return reminded, breached, nil
}

// Overdue lists the open cases past their due date at now, due soonest first.
func (s *Service) Overdue(ctx context.Context) ([]Case, error) {
	cases, err := s.Store.OpenCases(ctx, listLimit)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var out []Case
	for _, c := range cases {
		if c.Breached(now) {
			out = append(out, c)
		}
	}
	return out, nil
}

// ClockInterval is how often the complaint clocks (reminders, breaches) are checked.
const ClockInterval = time.Minute

// RunClock ticks every interval until ctx ends.
func (s *Service) RunClock(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.Log.Warn("complaint clock failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// StatusText answers a customer asking about their complaint: their newest case's status in
// lang, or that there is none; an unverified customer is asked to sign in.
func (s *Service) StatusText(ctx context.Context, customerID string, verified bool, lang string) (string, error) {
	if !verified {
		return pick(noticeSignIn, lang), nil
	}
	cases, err := s.Store.CustomerCases(ctx, customerID)
	if err != nil {
		return "", err
	}
	if len(cases) == 0 {
		return pick(noticeNoCase, lang), nil
	}
	c := cases[0]
	if c.Status.Open() {
		return textf(lang, noticeStatus, c.Number, c.Status.words(lang), day(c.DueAt)), nil
	}
	return textf(lang, noticeStatusDone, c.Number, c.Status.words(lang)), nil
}
