package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"tandem/care"
	"tandem/channels/wechat"
	"tandem/channels/wecomkf"
	"tandem/channels/whatsapp"
	"tandem/complaint"
	"tandem/config"
	"tandem/conversation"
	"tandem/followup"
)

// The layers the conversation core puts around the bot: complaints, follow-ups, priority care.

// newComplaints builds the complaint service from TANDEM_COMPLAINTS and hooks it to the bot's
// handoffs, so the complaint intent opens a case.
func newComplaints(cfg config.Config, st store, svc *conversation.Service, log *slog.Logger, now func() time.Time) (*complaint.Service, error) {
	conf, err := complaint.ParseConfig(cfg.Complaints)
	if err != nil {
		return nil, fmt.Errorf("TANDEM_COMPLAINTS: %w", err)
	}
	cs := &complaint.Service{Store: st, Directory: st, Notifier: svc, Config: conf, Log: log, Now: now}
	svc.Handed = cs.FromTurn
	if next, ok := svc.Bot.(complaint.DraftingBot); ok {
		svc.Bot = complaint.Bot{Next: next, Cases: cs}
	}
	return cs, nil
}

// newFollowUps builds the follow-up service (outside WhatsApp's window, follow-ups go as the
// configured template when there is one) and puts the opt-out words in front of the bot and of
// the people who own conversations.
func newFollowUps(st store, svc *conversation.Service, log *slog.Logger, now func() time.Time, whatsAppTemplate bool) *followup.Service {
	fu := &followup.Service{Store: st, Conversations: st, Notifier: svc, Log: log, Now: now,
		Windows:   map[string]time.Duration{whatsapp.Channel: whatsapp.Window, wechat.Channel: wechat.Window, wecomkf.Channel: wecomkf.Window},
		Templates: map[string]bool{whatsapp.Channel: whatsAppTemplate}}
	svc.OptOut = fu.OptOut
	if next, ok := svc.Bot.(followup.DraftingBot); ok {
		svc.Bot = followup.Bot{Next: next, FollowUps: fu}
	}
	return fu
}

// newCare puts the priority-care rules (TANDEM_CARE) in front of the bot and returns the check
// the widget uses to offer care customers their one-step "talk to a person" and larger text.
func newCare(cfg config.Config, st store, svc *conversation.Service, now func() time.Time) (func(ctx context.Context, customerID string) bool, error) {
	rules, err := care.ParseRules(cfg.Care)
	if err != nil {
		return nil, fmt.Errorf("TANDEM_CARE: %w", err)
	}
	if next, ok := svc.Bot.(care.DraftingBot); ok {
		svc.Bot = care.Bot{Next: next, Rules: rules, Customers: st, Now: now}
	}
	return func(ctx context.Context, customerID string) bool {
		cu, err := st.Customer(ctx, customerID)
		return err == nil && rules.Applies(cu, now())
	}, nil
}
