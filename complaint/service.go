package complaint

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"tandem/chat"
)

// Limits on what agents write on a case.
const (
	// MaxTextRunes is the longest summary, decision, resolution or note.
	MaxTextRunes = 4000
	// MaxTagRunes is the longest category, severity or root-cause tag.
	MaxTagRunes = 64
	// listLimit is the most cases a list returns.
	listLimit = 500
)

// Notifier tells a customer something in one of their conversations (conversation.Service).
type Notifier interface {
	Notify(ctx context.Context, conversationID, text, reason string) (chat.Message, error)
}

// Directory is what the service reads about conversations and agents.
type Directory interface {
	Conversation(ctx context.Context, id string) (chat.Conversation, error)
	Agent(ctx context.Context, username string) (chat.Agent, error)
	Customer(ctx context.Context, id string) (chat.Customer, error)
}

// Service runs complaint cases: opening, moving through the statuses, the clock and telling
// the customer.
type Service struct {
	Store     Store
	Directory Directory
	Notifier  Notifier
	Config    Config
	Log       *slog.Logger
	Now       func() time.Time
}

// OpenRequest is what an agent or the API says about a new complaint.
type OpenRequest struct {
	Category string `json:"category"`
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
}

// severities are the accepted severities.
var severities = map[string]bool{"low": true, "normal": true, "high": true}

// Open opens a case for the complaint made in a conversation: a case already open for the
// customer gets the conversation linked, a case closed within the reopen period is reopened,
// otherwise a new case is numbered and the customer told its number.
func (s *Service) Open(ctx context.Context, conversationID, actor string, req OpenRequest) (Case, error) {
	req.Category, req.Severity = strings.ToLower(strings.TrimSpace(req.Category)), strings.ToLower(strings.TrimSpace(req.Severity))
	if req.Category == "" {
		req.Category = "general"
	}
	if req.Severity == "" {
		req.Severity = "normal"
	}
	if !severities[req.Severity] {
		return Case{}, chat.Errorf(chat.EINVALID, "severity must be low, normal or high")
	}
	if err := checkText("category", req.Category, MaxTagRunes); err != nil {
		return Case{}, err
	}
	if err := checkText("summary", req.Summary, MaxTextRunes); err != nil {
		return Case{}, err
	}
	conv, err := s.Directory.Conversation(ctx, conversationID)
	if err != nil {
		return Case{}, err
	}
	cases, err := s.Store.CustomerCases(ctx, conv.CustomerID)
	if err != nil {
		return Case{}, err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	for _, c := range cases {
		switch {
		case c.Status != Closed:
			return s.link(ctx, c, conversationID, actor)
		case c.ClosedAt != nil && now.Sub(*c.ClosedAt) <= s.reopenPeriod():
			c, err := s.link(ctx, c, conversationID, actor)
			if err != nil {
				return c, err
			}
			return s.Reopen(ctx, c.Number, actor, "the customer complained again")
		}
	}
	rule := s.Config.Rule(req.Category)
	c := Case{ID: newID(), CustomerID: conv.CustomerID, Channel: conv.Channel, Lang: conv.Lang, Conversations: []string{conversationID},
		Category: req.Category, Severity: req.Severity, Status: Received, Summary: strings.TrimSpace(req.Summary),
		ReceivedAt: now, DueAt: rule.Due(now, ExtendNone), UpdatedAt: now}
	c, err = s.Store.CreateCase(ctx, c, s.Config.Prefix, Step{Kind: StepOpened, To: Received, Actor: actor, At: now})
	if err != nil {
		return c, err
	}
	s.Log.Info("complaint case opened", "case", c.Number, "conversation_id", conversationID, "category", c.Category, "actor", actor)
	s.tell(ctx, c, textf(c.Lang, noticeReceived, c.Number, day(c.DueAt)))
	return c, nil
}

// FromTurn opens a case when the bot handed a conversation off for the complaint intent
// (conversation.Service.Handed).
func (s *Service) FromTurn(ctx context.Context, conv chat.Conversation, r chat.Reply) {
	if r.Decision != chat.DecisionHandoff || r.Intent != s.Config.Intent {
		return
	}
	sev := "normal"
	if r.Priority == "high" {
		sev = "high"
	}
	if _, err := s.Open(ctx, conv.ID, "bot", OpenRequest{Severity: sev}); err != nil {
		s.Log.Error("complaint case not opened", "conversation_id", conv.ID, "err", err)
	}
}

func (s *Service) link(ctx context.Context, c Case, conversationID, actor string) (Case, error) {
	for _, id := range c.Conversations {
		if id == conversationID {
			return c, nil
		}
	}
	if err := s.Store.LinkConversation(ctx, c.ID, conversationID, s.Now().UTC()); err != nil {
		return c, err
	}
	c.Conversations = append(c.Conversations, conversationID)
	s.tell(ctx, c, textf(c.Lang, noticeLinked, c.Number, c.Status.words(c.Lang)))
	return c, nil
}

func (s *Service) reopenPeriod() time.Duration {
	return time.Duration(s.Config.ReopenDays) * 24 * time.Hour
}

// Case returns a case by id or number with its timeline.
func (s *Service) Case(ctx context.Context, idOrNumber string) (Case, []Step, error) {
	c, err := s.Store.Case(ctx, idOrNumber)
	if err != nil {
		return c, nil, err
	}
	steps, err := s.Store.CaseSteps(ctx, c.ID)
	return c, steps, err
}

// Open cases lists the cases not closed, due soonest first.
func (s *Service) OpenCases(ctx context.Context) ([]Case, error) {
	return s.Store.OpenCases(ctx, listLimit)
}

// Move changes a case's status. The agent must serve the complaints team; the first to
// acknowledge a case without an owner owns it. Resolving needs the decision (note), which the
// customer is told with where to go if they disagree; escalating needs a reason.
func (s *Service) Move(ctx context.Context, id, actor string, to Status, note string) (Case, error) {
	if to == Closed {
		return Case{}, chat.Errorf(chat.EINVALID, "closing needs a resolution summary and a root cause: use close")
	}
	note = strings.TrimSpace(note)
	if err := checkText("note", note, MaxTextRunes); err != nil {
		return Case{}, err
	}
	if (to == Resolved || to == Escalated) && note == "" {
		return Case{}, chat.Errorf(chat.EINVALID, "%s needs a note: the decision, or why it is escalated", to)
	}
	return s.change(ctx, id, actor, func(c *Case, now time.Time) (Step, string, error) {
		if !Allowed(c.Status, to) {
			return Step{}, "", chat.Errorf(chat.ECONFLICT, "a %s case cannot become %s", c.Status, to)
		}
		st := Step{Kind: StepStatus, From: c.Status, To: to, Actor: actor, Note: note, At: now}
		c.Status = to
		if c.Owner == "" && actor != "bot" {
			c.Owner = actor
		}
		text := textf(c.Lang, statusNotice[to], c.Number)
		switch to {
		case Resolved:
			c.Decision, c.DecidedAt, c.PausedAt = note, &now, nil
			text = textf(c.Lang, noticeResolved, c.Number, note) + "\n" + s.escalation(c.Lang)
		case Escalated:
			text = textf(c.Lang, noticeEscalated, c.Number) + "\n" + s.escalation(c.Lang)
		}
		return st, text, nil
	})
}

// Close closes a case with a resolution summary and a root-cause tag.
func (s *Service) Close(ctx context.Context, id, actor, resolution, rootCause string) (Case, error) {
	resolution, rootCause = strings.TrimSpace(resolution), strings.ToLower(strings.TrimSpace(rootCause))
	if resolution == "" || rootCause == "" {
		return Case{}, chat.Errorf(chat.EINVALID, "closing needs a resolution summary and a root-cause tag")
	}
	if err := checkText("resolution", resolution, MaxTextRunes); err != nil {
		return Case{}, err
	}
	if err := checkText("root_cause", rootCause, MaxTagRunes); err != nil {
		return Case{}, err
	}
	return s.change(ctx, id, actor, func(c *Case, now time.Time) (Step, string, error) {
		if !Allowed(c.Status, Closed) {
			return Step{}, "", chat.Errorf(chat.ECONFLICT, "a %s case cannot be closed: give the decision first", c.Status)
		}
		st := Step{Kind: StepStatus, From: c.Status, To: Closed, Actor: actor, Note: resolution, At: now}
		c.Status, c.Resolution, c.RootCause, c.ClosedAt = Closed, resolution, rootCause, &now
		if c.DecidedAt == nil {
			c.DecidedAt = &now
		}
		return st, textf(c.Lang, noticeClosed, c.Number, resolution, s.Config.ReopenDays), nil
	})
}

// Reopen reopens a case closed within the reopen period: it is investigated again, with a new
// decision due.
func (s *Service) Reopen(ctx context.Context, id, actor, note string) (Case, error) {
	return s.change(ctx, id, actor, func(c *Case, now time.Time) (Step, string, error) {
		if c.Status != Closed || c.ClosedAt == nil {
			return Step{}, "", chat.Errorf(chat.ECONFLICT, "only a closed case can be reopened; this one is %s", c.Status)
		}
		if now.Sub(*c.ClosedAt) > s.reopenPeriod() {
			return Step{}, "", chat.Errorf(chat.ECONFLICT, "case %s closed more than %d days ago: open a new case", c.Number, s.Config.ReopenDays)
		}
		st := Step{Kind: StepReopened, From: Closed, To: Investigating, Actor: actor, Note: note, At: now}
		c.Status, c.Reopens, c.ClosedAt, c.DecidedAt, c.Extension = Investigating, c.Reopens+1, nil, nil, ExtendNone
		c.DueAt, c.RemindedAt, c.BreachedAt = s.Config.Rule(c.Category).Due(now, ExtendNone), nil, nil
		return st, textf(c.Lang, noticeReopened, c.Number, day(c.DueAt)), nil
	})
}

// Assign makes an agent of the complaints team the case's owner.
func (s *Service) Assign(ctx context.Context, id, actor, owner string) (Case, error) {
	if err := s.mayHandle(ctx, owner); err != nil {
		return Case{}, chat.Errorf(chat.EINVALID, "%s cannot own complaints: not in team %s", owner, s.Config.Team)
	}
	return s.change(ctx, id, actor, func(c *Case, now time.Time) (Step, string, error) {
		c.Owner = owner
		return Step{Kind: StepAssigned, Actor: actor, Note: owner, At: now}, "", nil
	})
}

// Extend moves a case's decision deadline: to the complex period (a reason needed), or, with
// an approver's approval, by the further period; the customer is told the new date.
func (s *Service) Extend(ctx context.Context, id, actor string, level int, reason, approver string) (Case, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Case{}, chat.Errorf(chat.EINVALID, "an extension needs a reason")
	}
	if err := checkText("reason", reason, MaxTextRunes); err != nil {
		return Case{}, err
	}
	if level == ExtendApproved && approver == "" {
		return Case{}, chat.Errorf(chat.EFORBIDDEN, "the further extension needs an approver (an admin)")
	}
	return s.change(ctx, id, actor, func(c *Case, now time.Time) (Step, string, error) {
		if !c.Status.Open() {
			return Step{}, "", chat.Errorf(chat.ECONFLICT, "a %s case has its decision", c.Status)
		}
		if level != c.Extension+1 || level > ExtendApproved {
			return Step{}, "", chat.Errorf(chat.ECONFLICT, "extension %d cannot follow extension %d", level, c.Extension)
		}
		note := reason
		if approver != "" {
			note = reason + " (approved by " + approver + ")"
		}
		paused := c.DueAt.Sub(s.Config.Rule(c.Category).Due(c.ReceivedAt, c.Extension)) // time the clock stood still
		c.Extension = level
		c.DueAt = s.Config.Rule(c.Category).Due(c.ReceivedAt, level).Add(paused)
		c.RemindedAt, c.BreachedAt = nil, nil
		return Step{Kind: StepExtended, Actor: actor, Note: note, At: now}, textf(c.Lang, noticeExtended, c.Number, day(c.DueAt)), nil
	})
}

// Pause stops a case's clock where its category's rule allows it; Resume starts it again,
// moving the due date by the time it stood still.
func (s *Service) Pause(ctx context.Context, id, actor, reason string) (Case, error) {
	if strings.TrimSpace(reason) == "" {
		return Case{}, chat.Errorf(chat.EINVALID, "pausing the clock needs a reason")
	}
	return s.change(ctx, id, actor, func(c *Case, now time.Time) (Step, string, error) {
		if !s.Config.Rule(c.Category).Pausable {
			return Step{}, "", chat.Errorf(chat.EFORBIDDEN, "the rules for %s complaints do not let the clock stop", c.Category)
		}
		if !c.Status.Open() || c.PausedAt != nil {
			return Step{}, "", chat.Errorf(chat.ECONFLICT, "the clock of this case cannot be paused now")
		}
		c.PausedAt = &now
		return Step{Kind: StepPaused, Actor: actor, Note: reason, At: now}, "", nil
	})
}

// Resume restarts a paused clock.
func (s *Service) Resume(ctx context.Context, id, actor string) (Case, error) {
	return s.change(ctx, id, actor, func(c *Case, now time.Time) (Step, string, error) {
		if c.PausedAt == nil {
			return Step{}, "", chat.Errorf(chat.ECONFLICT, "the clock is not paused")
		}
		c.DueAt = c.DueAt.Add(now.Sub(*c.PausedAt))
		c.PausedAt = nil
		return Step{Kind: StepResumed, Actor: actor, Note: "due " + day(c.DueAt), At: now}, "", nil
	})
}

// change applies fn to the stored case and stores it with fn's step, then tells the customer
// fn's text (if any). The actor must serve the complaints team.
func (s *Service) change(ctx context.Context, id, actor string, fn func(c *Case, now time.Time) (Step, string, error)) (Case, error) {
	if err := s.mayHandle(ctx, actor); err != nil {
		return Case{}, err
	}
	c, err := s.Store.Case(ctx, id)
	if err != nil {
		return c, err
	}
	prev, now := c.UpdatedAt, s.Now().UTC().Truncate(time.Microsecond)
	st, text, err := fn(&c, now)
	if err != nil {
		return c, err
	}
	st.CaseID, c.UpdatedAt = c.ID, now
	if err := s.Store.UpdateCase(ctx, c, prev, st); err != nil {
		return c, err
	}
	s.Log.Info("complaint case changed", "case", c.Number, "kind", st.Kind, "status", c.Status, "actor", actor)
	if text != "" {
		s.tell(ctx, c, text)
	}
	return c, nil
}

// mayHandle says whether actor may work on complaints: the bot, the system clock, or an agent
// serving the complaints team.
func (s *Service) mayHandle(ctx context.Context, actor string) error {
	if actor == "bot" || actor == "system" || actor == "api" {
		return nil
	}
	a, err := s.Directory.Agent(ctx, actor)
	if err != nil || !a.Serves(s.Config.Team) {
		return chat.Errorf(chat.EFORBIDDEN, "complaints are handled by the %s team", s.Config.Team)
	}
	return nil
}

// tell sends text to the customer in the case's newest conversation; a failure is logged, the
// case change stands.
func (s *Service) tell(ctx context.Context, c Case, text string) {
	if s.Notifier == nil || len(c.Conversations) == 0 {
		return
	}
	conv := c.Conversations[len(c.Conversations)-1]
	if _, err := s.Notifier.Notify(ctx, conv, text, "complaint"); err != nil {
		s.Log.Warn("complaint notice not sent", "case", c.Number, "conversation_id", conv, "err", err)
	}
}

func (s *Service) escalation(lang string) string {
	if t, ok := s.Config.Escalation[lang]; ok {
		return t
	}
	return s.Config.Escalation["en"]
}

func checkText(field, v string, limit int) error {
	if !utf8.ValidString(v) {
		return chat.Errorf(chat.EINVALID, "%s must be valid UTF-8", field)
	}
	if utf8.RuneCountInString(v) > limit {
		return chat.Errorf(chat.EINVALID, "%s is longer than %d characters", field, limit)
	}
	return nil
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
