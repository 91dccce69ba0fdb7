package main

import (
	"log/slog"
	"time"

	"tandem/channels/wechat"
	"tandem/channels/whatsapp"
	"tandem/conversation"
	"tandem/followup"
)

// followUpInterval is how often due follow-ups are sent.
const followUpInterval = time.Minute

// newFollowUps builds the follow-up service and puts the opt-out words in front of the bot and
// of the people who own conversations.
func newFollowUps(st store, svc *conversation.Service, log *slog.Logger, now func() time.Time) *followup.Service {
	fu := &followup.Service{Store: st, Conversations: st, Notifier: svc, Log: log, Now: now,
		Windows: map[string]time.Duration{whatsapp.Channel: whatsapp.Window, wechat.Channel: wechat.Window}}
	svc.OptOut = fu.OptOut
	if next, ok := svc.Bot.(followup.DraftingBot); ok {
		svc.Bot = followup.Bot{Next: next, FollowUps: fu}
	}
	return fu
}
