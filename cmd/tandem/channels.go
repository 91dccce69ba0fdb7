package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"tandem/channels"
	"tandem/channels/chatwoot"
	"tandem/channels/telegram"
	"tandem/channels/webhook"
	"tandem/channels/wechat"
	"tandem/channels/wecomkf"
	"tandem/channels/whatsapp"
	"tandem/config"
)

var _ wecomkf.Desk = (*channels.Bridge)(nil)

// sharedBuckets is the store's shared token buckets when it has them (Postgres: replicas pace
// each recipient together), else nil (SQLite: one process paces alone).
func sharedBuckets(st any) channels.SharedBuckets {
	if b, ok := st.(channels.SharedBuckets); ok {
		return b
	}
	return nil
}

// buildChannels makes the adapters of the channels whose settings are present.
func buildChannels(cfg config.Config, recv *channels.Bridge, client *http.Client, log *slog.Logger) (map[string]channels.Adapter, error) {
	out := map[string]channels.Adapter{}
	if cfg.WeChatToken != "" {
		wx := &wechat.Adapter{Token: cfg.WeChatToken, AppID: cfg.WeChatAppID, AppSecret: cfg.WeChatAppSecret, APIBase: cfg.WeChatAPIBase,
			Receiver: recv, Client: client, Log: log, Now: time.Now}
		if cfg.WeChatAESKey != "" {
			c, err := wechat.NewCipher(cfg.WeChatAESKey, cfg.WeChatAppID)
			if err != nil {
				return nil, fmt.Errorf("TANDEM_WECHAT_AES_KEY: %w", err)
			}
			wx.Cipher = c
		}
		out[wechat.Channel] = wx
	}
	if cfg.TelegramToken != "" {
		out[telegram.Channel] = &telegram.Adapter{Token: cfg.TelegramToken, Secret: cfg.TelegramSecret, APIBase: cfg.TelegramAPIBase,
			Receiver: recv, Client: client, Log: log, Pacer: &channels.Pacer{Every: time.Second, Burst: 3, Shared: sharedBuckets(recv.Store), Name: telegram.Channel, Log: log},
			Greeting: cfg.TelegramGreeting}
	}
	if cfg.WhatsAppToken != "" {
		out[whatsapp.Channel] = &whatsapp.Adapter{Token: cfg.WhatsAppToken, AppSecret: cfg.WhatsAppAppSecret, VerifyToken: cfg.WhatsAppVerifyToken,
			PhoneID: cfg.WhatsAppPhoneID, APIBase: cfg.WhatsAppAPIBase, Receiver: recv, Client: client, Log: log, Now: time.Now,
			Pacer: &channels.Pacer{Every: 6 * time.Second, Burst: 10, Shared: sharedBuckets(recv.Store), Name: whatsapp.Channel, Log: log}, Template: cfg.WhatsAppTemplate}
	}
	if cfg.ChatwootToken != "" {
		out[chatwoot.Channel] = &chatwoot.Adapter{URL: cfg.ChatwootURL, Token: cfg.ChatwootToken, Secret: cfg.ChatwootSecret, AccountSecret: cfg.ChatwootAccountSecret,
			Receiver: recv, Client: client, Log: log, Now: time.Now}
	}
	if cfg.WeComKFCorpID != "" {
		kf, err := newWeComKF(cfg, recv, client, log)
		if err != nil {
			return nil, err
		}
		out[wecomkf.Channel] = kf
	}
	if cfg.WebhookSecret != "" {
		out[webhook.Channel] = &webhook.Adapter{Secret: cfg.WebhookSecret, URL: cfg.WebhookURL, Receiver: recv,
			Client: client, Log: log, Now: time.Now}
	}
	return out, nil
}

// newWeComKF builds the WeChat Customer Service adapter; its sync cursors live in the store.
func newWeComKF(cfg config.Config, recv *channels.Bridge, client *http.Client, log *slog.Logger) (*wecomkf.Adapter, error) {
	cipher, err := wechat.NewCipher(cfg.WeComKFAESKey, cfg.WeComKFCorpID)
	if err != nil {
		return nil, fmt.Errorf("TANDEM_WECOMKF_AES_KEY: %w", err)
	}
	store, ok := recv.Store.(wecomkf.SyncStore)
	if !ok {
		return nil, errors.New("wecomkf: the store keeps no sync cursors")
	}
	return &wecomkf.Adapter{CorpID: cfg.WeComKFCorpID, Secret: cfg.WeComKFSecret, Token: cfg.WeComKFToken, Cipher: cipher,
		OpenKfID: cfg.WeComKFOpenKfID, Servicer: cfg.WeComKFServicer, Welcome: cfg.WeComKFWelcome, APIBase: cfg.WeComKFAPIBase,
		Store: store, Desk: recv, Client: client, Log: log, Now: time.Now}, nil
}

// externalChannels are the channels whose replies go through the outbox. A reply on a channel
// that is disabled waits in the outbox (retried with backoff) until it is enabled again.
var externalChannels = []string{wechat.Channel, telegram.Channel, whatsapp.Channel, chatwoot.Channel, webhook.Channel, wecomkf.Channel}
