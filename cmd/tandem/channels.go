package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"tandem/channels"
	"tandem/channels/chatwoot"
	"tandem/channels/telegram"
	"tandem/channels/webhook"
	"tandem/channels/wechat"
	"tandem/channels/wecomkf"
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
	log   *slog.Logger
}

// FromChannel implements channels.Receiver.
func (c *channelReceiver) FromChannel(ctx context.Context, in channels.Inbound) error {
	_, err := c.receive(ctx, in)
	return err
}

func (c *channelReceiver) receive(ctx context.Context, in channels.Inbound) (conversation.Result, error) {
	in = withoutNUL(in)
	conv, err := c.conversation(ctx, in)
	if err != nil {
		return conversation.Result{}, err
	}
	return c.svc.Receive(ctx, inbound(conv, in))
}

func inbound(conv chat.Conversation, in channels.Inbound) conversation.Inbound {
	return conversation.Inbound{ConversationID: conv.ID, Channel: in.Channel, ExternalID: in.Channel + ":" + in.MessageID,
		Text: in.Text, Attachments: in.Attachments, ForPerson: in.ForPerson, Lang: in.Lang, Reply: in.Reply}
}

// conversation finds the message's conversation: its thread's on platforms with threads, else
// the customer's latest; a new one when there is none.
func (c *channelReceiver) conversation(ctx context.Context, in channels.Inbound) (chat.Conversation, error) {
	cu := chat.Customer{ID: in.CustomerKey, Channel: in.Channel, ExternalID: in.ExternalID, Name: in.Name}
	if in.Thread == "" {
		conv, err := c.store.LatestConversation(ctx, in.CustomerKey)
		if chat.ErrorCode(err) == chat.ENOTFOUND {
			return c.svc.Start(ctx, cu, in.Lang)
		}
		return conv, err
	}
	conv, err := c.store.ConversationByThread(ctx, in.Channel, in.Thread)
	if chat.ErrorCode(err) == chat.ENOTFOUND {
		conv, err = c.svc.StartThread(ctx, cu, in.Thread, in.Lang)
		if chat.ErrorCode(err) == chat.ECONFLICT { // another delivery for the thread started it first
			conv, err = c.store.ConversationByThread(ctx, in.Channel, in.Thread)
		}
	}
	if err != nil || in.Held == nil {
		return conv, err
	}
	return c.svc.Follow(ctx, conv.ID, in.Held.Owner, in.Held.Assignee, in.Held.Reason)
}

// Defer implements channels.Deferrer.
func (c *channelReceiver) Defer(ctx context.Context, in channels.Inbound) (func(context.Context) error, error) {
	in = withoutNUL(in)
	conv, err := c.conversation(ctx, in)
	if err != nil {
		return nil, err
	}
	_, turn, err := c.svc.Take(ctx, inbound(conv, in))
	if err != nil || turn == nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		_, err := turn(ctx)
		return err
	}, nil
}

// Follow implements channels.Follower: a thread Tandem has no conversation for is ignored.
func (c *channelReceiver) Follow(ctx context.Context, o channels.Ownership) error {
	conv, err := c.store.ConversationByThread(ctx, o.Channel, o.Thread)
	if chat.ErrorCode(err) == chat.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = c.svc.Follow(ctx, conv.ID, o.Owner, o.Assignee, o.Reason)
	return err
}

// Undelivered implements channels.Undelivered: a failure the platform reported after the send.
func (c *channelReceiver) Undelivered(ctx context.Context, channel, ref, reason string) error {
	return c.svc.Undelivered(ctx, channel, ref, reason)
}

// Answer implements channels.Answerer: the bot's reply when it is the only one.
func (c *channelReceiver) Answer(ctx context.Context, in channels.Inbound) (string, int64, error) {
	res, err := c.receive(ctx, in)
	if err != nil || len(res.Replies) != 1 {
		return "", 0, err
	}
	return chat.PlainText(res.Replies[0].Text), res.Replies[0].ID, nil
}

// Claim implements channels.Answerer.
func (c *channelReceiver) Claim(ctx context.Context, messageID int64) (bool, error) {
	return c.store.ClaimPassive(ctx, messageID, time.Now().UTC())
}

// Release implements channels.Answerer.
func (c *channelReceiver) Release(ctx context.Context, messageID int64) {
	if err := c.store.ReleasePassive(context.WithoutCancel(ctx), messageID, time.Now().UTC()); err != nil {
		c.log.Error("passive reply release failed; the reply may be lost", "message_id", messageID, "err", err)
	}
}

// adapter is a channel: a webhook in and an outbox sender out.
type adapter interface {
	channels.Authenticator
	conversation.Sender
}

// sharedBuckets is the store's shared token buckets when it has them (Postgres: replicas pace
// each recipient together), else nil (SQLite: one process paces alone).
func sharedBuckets(st any) channels.SharedBuckets {
	if b, ok := st.(channels.SharedBuckets); ok {
		return b
	}
	return nil
}

// buildChannels makes the adapters of the channels whose settings are present.
func buildChannels(cfg config.Config, recv *channelReceiver, client *http.Client, log *slog.Logger) (map[string]adapter, error) {
	out := map[string]adapter{}
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
			Receiver: recv, Client: client, Log: log, Pacer: &channels.Pacer{Every: time.Second, Burst: 3, Shared: sharedBuckets(recv.store), Name: telegram.Channel, Log: log},
			Greeting: cfg.TelegramGreeting}
	}
	if cfg.WhatsAppToken != "" {
		out[whatsapp.Channel] = &whatsapp.Adapter{Token: cfg.WhatsAppToken, AppSecret: cfg.WhatsAppAppSecret, VerifyToken: cfg.WhatsAppVerifyToken,
			PhoneID: cfg.WhatsAppPhoneID, APIBase: cfg.WhatsAppAPIBase, Receiver: recv, Client: client, Log: log, Now: time.Now,
			Pacer: &channels.Pacer{Every: 6 * time.Second, Burst: 10, Shared: sharedBuckets(recv.store), Name: whatsapp.Channel, Log: log}, Template: cfg.WhatsAppTemplate}
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

// externalChannels are the channels whose replies go through the outbox. A reply on a channel
// that is disabled waits in the outbox (retried with backoff) until it is enabled again.
var externalChannels = []string{wechat.Channel, telegram.Channel, whatsapp.Channel, chatwoot.Channel, webhook.Channel, wecomkf.Channel}

// withoutNUL strips NUL characters from a channel message. Platforms redeliver what is refused,
// so a NUL (which no text needs and Postgres cannot store) is dropped and the rest is stored and
// acknowledged, instead of failing on every redelivery.
func withoutNUL(in channels.Inbound) channels.Inbound {
	strip := func(s string) string { return strings.ReplaceAll(s, "\x00", "") }
	in.CustomerKey, in.ExternalID, in.Name = strip(in.CustomerKey), strip(in.ExternalID), strip(in.Name)
	in.MessageID, in.Text, in.Thread, in.Lang = strip(in.MessageID), strip(in.Text), strip(in.Thread), strip(in.Lang)
	return in
}
