package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

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

// Note implements wecomkf.Desk: a thread Tandem has no conversation for is ignored.
func (c *channelReceiver) Note(ctx context.Context, channel, thread, noteID, text string) error {
	conv, err := c.store.ConversationByThread(ctx, channel, thread)
	if chat.ErrorCode(err) == chat.ENOTFOUND {
		return nil // nothing Tandem holds concerns it
	}
	if err != nil {
		return err
	}
	_, err = c.svc.PlatformNote(ctx, conv.ID, noteID, text)
	return err
}
