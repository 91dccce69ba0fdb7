package followup

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

// Limits.
const (
	// MaxTextRunes is the longest follow-up or consent text.
	MaxTextRunes = 2000
	// MaxDelay is the furthest ahead a follow-up may be scheduled.
	MaxDelay = 90 * 24 * time.Hour
	// tickLimit is the most follow-ups one tick sends.
	tickLimit = 100
)

// kinds are the follow-up kinds.
var kinds = map[string]bool{"satisfaction": true, "claim_progress": true, "reminder": true}

// Notifier sends the customer a message in a conversation (conversation.Service).
type Notifier interface {
	Notify(ctx context.Context, conversationID, text, reason string) (chat.Message, error)
}

// Conversations reads conversations.
type Conversations interface {
	Conversation(ctx context.Context, id string) (chat.Conversation, error)
}

// Service runs consent and follow-ups.
type Service struct {
	Store         Store
	Conversations Conversations
	Notifier      Notifier
	// Windows is each channel's messaging window after the customer's last message (WhatsApp
	// 24 h, WeChat 48 h); a channel not listed has none.
	Windows map[string]time.Duration
	// Templates lists channels that send an approved template outside their window (WhatsApp
	// with TANDEM_WHATSAPP_TEMPLATE); outside it, a follow-up on any other windowed channel is
	// not sent.
	Templates map[string]bool
	Log       *slog.Logger
	Now       func() time.Time
}

// Grant records the customer of a conversation agreeing to follow-ups on its channel.
func (s *Service) Grant(ctx context.Context, conversationID, text, source string) (Consent, error) {
	return s.record(ctx, conversationID, true, text, source, "")
}

// Withdraw records the customer of a conversation withdrawing consent on its channel.
func (s *Service) Withdraw(ctx context.Context, conversationID, source, evidence string) (Consent, error) {
	return s.record(ctx, conversationID, false, "", source, evidence)
}

func (s *Service) record(ctx context.Context, conversationID string, granted bool, text, source, evidence string) (Consent, error) {
	text = strings.TrimSpace(text)
	if granted && text == "" {
		return Consent{}, chat.Errorf(chat.EINVALID, "say what the customer agreed to (text)")
	}
	if err := checkText(text); err != nil {
		return Consent{}, err
	}
	if err := checkText(evidence); err != nil {
		return Consent{}, err
	}
	conv, err := s.Conversations.Conversation(ctx, conversationID)
	if err != nil {
		return Consent{}, err
	}
	c := Consent{CustomerID: conv.CustomerID, Channel: conv.Channel, Purpose: PurposeFollowUp, Granted: granted, Text: text,
		Source: source, Evidence: evidence, At: s.Now().UTC().Truncate(time.Microsecond)}
	if err := s.Store.AddConsent(ctx, c); err != nil {
		return c, err
	}
	s.Log.Info("consent recorded", "customer_id", c.CustomerID, "channel", c.Channel, "granted", granted, "source", source)
	return c, nil
}

// Ledger lists a conversation's customer's consent ledger.
func (s *Service) Ledger(ctx context.Context, conversationID string) ([]Consent, error) {
	conv, err := s.Conversations.Conversation(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	return s.Store.Consents(ctx, conv.CustomerID)
}

// Consented reports whether the customer's latest ledger entry for follow-ups on channel grants it.
func (s *Service) Consented(ctx context.Context, customerID, channel string) (bool, error) {
	ledger, err := s.Store.Consents(ctx, customerID)
	if err != nil {
		return false, err
	}
	granted := false
	for _, c := range ledger {
		if c.Channel == channel && c.Purpose == PurposeFollowUp {
			granted = c.Granted
		}
	}
	return granted, nil
}

// Schedule schedules a follow-up in a closed conversation, delay from now.
func (s *Service) Schedule(ctx context.Context, conversationID, kind, text string, delay time.Duration, actor string) (FollowUp, error) {
	text = strings.TrimSpace(text)
	if !kinds[kind] {
		return FollowUp{}, chat.Errorf(chat.EINVALID, "kind must be satisfaction, claim_progress or reminder")
	}
	if text == "" {
		return FollowUp{}, chat.Errorf(chat.EINVALID, "text is required")
	}
	if err := checkText(text); err != nil {
		return FollowUp{}, err
	}
	if delay < 0 || delay > MaxDelay {
		return FollowUp{}, chat.Errorf(chat.EINVALID, "a follow-up is due within %d days", int(MaxDelay.Hours()/24))
	}
	conv, err := s.Conversations.Conversation(ctx, conversationID)
	if err != nil {
		return FollowUp{}, err
	}
	if conv.Owner != chat.OwnerClosed {
		return FollowUp{}, chat.Errorf(chat.ECONFLICT, "follow-ups are scheduled once the conversation is closed")
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	f := FollowUp{ID: newID(), CustomerID: conv.CustomerID, ConversationID: conv.ID, Channel: conv.Channel, Kind: kind, Text: text,
		DueAt: now.Add(delay), Status: StatusScheduled, CreatedBy: actor, CreatedAt: now}
	return f, s.Store.CreateFollowUp(ctx, f)
}

// Tick sends the due follow-ups: to consenting customers inside the channel's window; every
// other one is skipped with its reason. It returns the follow-ups it finished.
func (s *Service) Tick(ctx context.Context) ([]FollowUp, error) {
	now := s.Now().UTC().Truncate(time.Microsecond)
	due, err := s.Store.DueFollowUps(ctx, now, tickLimit)
	if err != nil {
		return nil, err
	}
	var done []FollowUp
	for _, f := range due {
		f.Status, f.Reason = s.decide(ctx, f, now)
		if f.Status == StatusSent {
			m, err := s.Notifier.Notify(ctx, f.ConversationID, f.Text, "followup")
			if err != nil {
				f.Status, f.Reason = StatusSkipped, ReasonSendFailed
				s.Log.Warn("follow-up not sent", "followup_id", f.ID, "err", err)
			}
			f.MessageID = m.ID
		}
		f.DoneAt = &now
		ok, err := s.Store.FinishFollowUp(ctx, f)
		if err != nil {
			return done, err
		}
		if ok {
			s.Log.Info("follow-up finished", "followup_id", f.ID, "status", f.Status, "reason", f.Reason, "channel", f.Channel)
			done = append(done, f)
		}
	}
	return done, nil
}

// decide says whether a due follow-up may go out now: to a consenting customer, inside the
// channel's window or, outside it, as the channel's approved template.
func (s *Service) decide(ctx context.Context, f FollowUp, now time.Time) (status, reason string) {
	ok, err := s.Consented(ctx, f.CustomerID, f.Channel)
	if err != nil || !ok {
		return StatusSkipped, ReasonNoConsent
	}
	if w, has := s.Windows[f.Channel]; has {
		conv, err := s.Conversations.Conversation(ctx, f.ConversationID)
		switch {
		case err != nil || conv.LastCustomerAt.IsZero():
			return StatusSkipped, ReasonOutsideWindow
		case now.Sub(conv.LastCustomerAt) <= w:
			return StatusSent, ""
		case s.Templates[f.Channel]:
			return StatusSent, ReasonTemplate // the channel's adapter sends it as the template
		}
		return StatusSkipped, ReasonOutsideWindow
	}
	return StatusSent, ""
}

// ClockInterval is how often due follow-ups are sent.
const ClockInterval = time.Minute

// RunClock ticks every interval until ctx ends.
func (s *Service) RunClock(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.Log.Warn("follow-up tick failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func checkText(v string) error {
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > MaxTextRunes {
		return chat.Errorf(chat.EINVALID, "text must be valid UTF-8 of at most %d characters", MaxTextRunes)
	}
	return nil
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
