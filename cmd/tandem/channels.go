package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"tandem/channels"
	"tandem/channels/chatwoot"
	"tandem/channels/telegram"
	"tandem/channels/webhook"
	"tandem/channels/wechat"
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
func enableChannels(cfg config.Config, svc *conversation.Service, st conversation.Store, outbox *conversation.Outbox, log *slog.Logger) (map[string]http.Handler, error) {
	hooks := map[string]http.Handler{}
	if cfg.WeChatToken != "" {
		wx := &wechat.Adapter{Token: cfg.WeChatToken, AppID: cfg.WeChatAppID, AppSecret: cfg.WeChatAppSecret, APIBase: cfg.WeChatAPIBase,
			Receiver: &channelReceiver{svc: svc, store: st}, Client: &http.Client{Timeout: 15 * time.Second}, Log: log, Now: time.Now}
		if cfg.WeChatAESKey != "" {
			c, err := wechat.NewCipher(cfg.WeChatAESKey, cfg.WeChatAppID)
			if err != nil {
				return nil, fmt.Errorf("TANDEM_WECHAT_AES_KEY: %w", err)
			}
			wx.Cipher = c
		}
		svc.Outbound[wechat.Channel] = true
		outbox.Senders[wechat.Channel] = wx
		hooks[wechat.Channel] = wx
		log.Info("channel enabled", "channel", wechat.Channel, "safe_mode", wx.Cipher != nil)
	}
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
			Client: &http.Client{Timeout: 15 * time.Second}, Log: log, Now: time.Now}
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
	return hooks, nil
}
