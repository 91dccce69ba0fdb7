package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"tandem/channels"
	"tandem/channels/chatwoot"
	"tandem/channels/telegram"
	"tandem/channels/webhook"
	"tandem/channels/whatsapp"
	"tandem/chat"
	"tandem/config"
	"tandem/conversation"
)

// channelReceiver hands channel messages to the conversation core: the customer's open
// conversation, or a new one.
type channelReceiver struct {
	svc   *conversation.Service
	store conversation.Store
}

// FromChannel implements channels.Receiver.
func (c *channelReceiver) FromChannel(ctx context.Context, in channels.Inbound) error {
	conv, err := c.store.LatestConversation(ctx, in.CustomerKey)
	if chat.ErrorCode(err) == chat.ENOTFOUND {
		conv, err = c.svc.Start(ctx, chat.Customer{ID: in.CustomerKey, Channel: in.Channel, ExternalID: in.ExternalID, Name: in.Name}, "")
	}
	if err != nil {
		return err
	}
	_, err = c.svc.Receive(ctx, conversation.Inbound{ConversationID: conv.ID, Channel: in.Channel,
		ExternalID: in.Channel + ":" + in.MessageID, Text: in.Text})
	return err
}

// enableChannels turns on the channels whose settings are present: their webhooks and their
// outbox senders.
func enableChannels(cfg config.Config, svc *conversation.Service, st conversation.Store, outbox *conversation.Outbox, log *slog.Logger) map[string]http.Handler {
	hooks := map[string]http.Handler{}
	if cfg.TelegramToken != "" {
		tg := &telegram.Adapter{Token: cfg.TelegramToken, Secret: cfg.TelegramSecret, APIBase: cfg.TelegramAPIBase,
			Receiver: &channelReceiver{svc: svc, store: st}, Client: &http.Client{Timeout: 15 * time.Second}, Log: log}
		svc.Outbound[telegram.Channel] = true
		outbox.Senders[telegram.Channel] = tg
		hooks[telegram.Channel] = tg
		log.Info("channel enabled", "channel", telegram.Channel)
	}
	if cfg.WhatsAppToken != "" {
		wa := &whatsapp.Adapter{Token: cfg.WhatsAppToken, AppSecret: cfg.WhatsAppAppSecret, VerifyToken: cfg.WhatsAppVerifyToken,
			PhoneID: cfg.WhatsAppPhoneID, APIBase: cfg.WhatsAppAPIBase, Receiver: &channelReceiver{svc: svc, store: st},
			Client: &http.Client{Timeout: 15 * time.Second}, Log: log}
		svc.Outbound[whatsapp.Channel] = true
		outbox.Senders[whatsapp.Channel] = wa
		hooks[whatsapp.Channel] = wa
		log.Info("channel enabled", "channel", whatsapp.Channel)
	}
	if cfg.ChatwootToken != "" {
		cw := &chatwoot.Adapter{URL: cfg.ChatwootURL, Token: cfg.ChatwootToken, Secret: cfg.ChatwootSecret,
			Receiver: &channelReceiver{svc: svc, store: st}, Client: &http.Client{Timeout: 15 * time.Second}, Log: log, Now: time.Now}
		svc.Outbound[chatwoot.Channel] = true
		outbox.Senders[chatwoot.Channel] = cw
		hooks[chatwoot.Channel] = cw
		log.Info("channel enabled", "channel", chatwoot.Channel)
	}
	if cfg.WebhookSecret != "" {
		wh := &webhook.Adapter{Secret: cfg.WebhookSecret, URL: cfg.WebhookURL, Receiver: &channelReceiver{svc: svc, store: st},
			Client: &http.Client{Timeout: 15 * time.Second}, Log: log, Now: time.Now}
		svc.Outbound[webhook.Channel] = true
		outbox.Senders[webhook.Channel] = wh
		hooks[webhook.Channel] = wh
		log.Info("channel enabled", "channel", webhook.Channel)
	}
	return hooks
}
