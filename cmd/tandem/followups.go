package main

import (
	"log/slog"
	"time"

	"tandem/channels/wechat"
	"tandem/channels/wecomkf"
	"tandem/channels/whatsapp"
	"tandem/conversation"
	"tandem/followup"
)

// followUpInterval is how often due follow-ups are sent.
const followUpInterval = time.Minute

// newFollowUps builds the follow-up service (outside WhatsApp's window, follow-ups go as the
// configured template when there is one) and puts the opt-out words in front of the bot and
// of the people who own conversations.
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
