package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"tandem/channels"
	"tandem/channels/wechat"
	"tandem/channels/wecomkf"
	"tandem/chat"
	"tandem/config"
)

var _ wecomkf.Desk = (*channelReceiver)(nil)

// newWeComKF builds the WeChat Customer Service adapter; its sync cursors live in the store.
func newWeComKF(cfg config.Config, recv *channelReceiver, client *http.Client, log *slog.Logger) (*wecomkf.Adapter, error) {
	cipher, err := wechat.NewCipher(cfg.WeComKFAESKey, cfg.WeComKFCorpID)
	if err != nil {
		return nil, fmt.Errorf("TANDEM_WECOMKF_AES_KEY: %w", err)
	}
	store, ok := recv.store.(wecomkf.SyncStore)
	if !ok {
		return nil, errors.New("wecomkf: the store keeps no sync cursors")
	}
	return &wecomkf.Adapter{CorpID: cfg.WeComKFCorpID, Secret: cfg.WeComKFSecret, Token: cfg.WeComKFToken, Cipher: cipher,
		OpenKfID: cfg.WeComKFOpenKfID, Servicer: cfg.WeComKFServicer, Welcome: cfg.WeComKFWelcome, APIBase: cfg.WeComKFAPIBase,
		Store: store, Desk: recv, Client: client, Log: log, Now: time.Now}, nil
}

// Attachment implements wecomkf.Desk: a bot-owned conversation is handed to people (the handoff
// notice tells the customer in their language), then the description is stored for the agent.
func (c *channelReceiver) Attachment(ctx context.Context, in channels.Inbound) error {
	conv, err := c.store.LatestConversation(ctx, in.CustomerKey)
	if chat.ErrorCode(err) == chat.ENOTFOUND {
		conv, err = c.svc.Start(ctx, chat.Customer{ID: in.CustomerKey, Channel: in.Channel, ExternalID: in.ExternalID, Name: in.Name}, in.Lang)
	}
	if err != nil {
		return err
	}
	if conv.Owner == chat.OwnerBot {
		if _, err := c.svc.Handoff(ctx, conv.ID, "customer", "attachment"); err != nil && chat.ErrorCode(err) != chat.ECONFLICT {
			return err
		}
	}
	return channels.Take(ctx, c, in, c.log)
}

// Follow implements wecomkf.Desk.
func (c *channelReceiver) Follow(ctx context.Context, customerKey string, to chat.Owner, reason string) error {
	conv, err := c.store.LatestConversation(ctx, customerKey)
	if err != nil {
		return err
	}
	_, err = c.svc.Follow(ctx, conv.ID, to, "wecom", reason)
	return err
}

// Note implements wecomkf.Desk.
func (c *channelReceiver) Note(ctx context.Context, customerKey, noteID, text string) error {
	conv, err := c.store.LatestConversation(ctx, customerKey)
	if chat.ErrorCode(err) == chat.ENOTFOUND {
		return nil // nothing Tandem holds concerns it
	}
	if err != nil {
		return err
	}
	_, err = c.svc.PlatformNote(ctx, conv.ID, noteID, text)
	return err
}
