package channels

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"tandem/chat"
	"tandem/conversation"
)

var (
	_ Receiver    = (*Bridge)(nil)
	_ Deferrer    = (*Bridge)(nil)
	_ Follower    = (*Bridge)(nil)
	_ Undelivered = (*Bridge)(nil)
	_ Answerer    = (*Bridge)(nil)
)

// Bridge hands channel messages to the conversation core: the customer's open
// conversation, or a new one.
type Bridge struct {
	Service *conversation.Service
	Store   conversation.Store
	Log     *slog.Logger
}

// FromChannel implements Receiver.
func (c *Bridge) FromChannel(ctx context.Context, in Inbound) error {
	_, err := c.receive(ctx, in)
	return err
}

func (c *Bridge) receive(ctx context.Context, in Inbound) (conversation.Result, error) {
	in = withoutNUL(in)
	conv, err := c.conversation(ctx, in)
	if err != nil {
		return conversation.Result{}, err
	}
	return c.Service.Receive(ctx, inbound(conv, in))
}

func inbound(conv chat.Conversation, in Inbound) conversation.Inbound {
	return conversation.Inbound{ConversationID: conv.ID, Channel: in.Channel, ExternalID: in.Channel + ":" + in.MessageID,
		Text: in.Text, Attachments: in.Attachments, ForPerson: in.ForPerson, Lang: in.Lang, Reply: in.Reply}
}

// conversation finds the message's conversation: its thread's on platforms with threads, else
// the customer's latest; a new one when there is none.
func (c *Bridge) conversation(ctx context.Context, in Inbound) (chat.Conversation, error) {
	cu := chat.Customer{ID: in.CustomerKey, Channel: in.Channel, ExternalID: in.ExternalID, Name: in.Name}
	if in.Thread == "" {
		conv, err := c.Store.LatestConversation(ctx, in.CustomerKey)
		if chat.ErrorCode(err) == chat.ENOTFOUND {
			return c.Service.Start(ctx, cu, in.Lang)
		}
		return conv, err
	}
	conv, err := c.Store.ConversationByThread(ctx, in.Channel, in.Thread)
	if chat.ErrorCode(err) == chat.ENOTFOUND {
		conv, err = c.Service.StartThread(ctx, cu, in.Thread, in.Lang)
		if chat.ErrorCode(err) == chat.ECONFLICT { // another delivery for the thread started it first
			conv, err = c.Store.ConversationByThread(ctx, in.Channel, in.Thread)
		}
	}
	if err != nil || in.Held == nil {
		return conv, err
	}
	return c.Service.Follow(ctx, conv.ID, in.Held.Owner, in.Held.Assignee, in.Held.Reason)
}

// Defer implements Deferrer.
func (c *Bridge) Defer(ctx context.Context, in Inbound) (func(context.Context) error, error) {
	in = withoutNUL(in)
	conv, err := c.conversation(ctx, in)
	if err != nil {
		return nil, err
	}
	_, turn, err := c.Service.Take(ctx, inbound(conv, in))
	if err != nil || turn == nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		_, err := turn(ctx)
		return err
	}, nil
}

// Follow implements Follower: a thread Tandem has no conversation for is ignored.
func (c *Bridge) Follow(ctx context.Context, o Ownership) error {
	conv, err := c.Store.ConversationByThread(ctx, o.Channel, o.Thread)
	if chat.ErrorCode(err) == chat.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = c.Service.Follow(ctx, conv.ID, o.Owner, o.Assignee, o.Reason)
	return err
}

// Undelivered implements Undelivered: a failure the platform reported after the send.
func (c *Bridge) Undelivered(ctx context.Context, channel, ref, reason string) error {
	return c.Service.Undelivered(ctx, channel, ref, reason)
}

// Answer implements Answerer: the bot's reply when it is the only one.
func (c *Bridge) Answer(ctx context.Context, in Inbound) (string, int64, error) {
	res, err := c.receive(ctx, in)
	if err != nil || len(res.Replies) != 1 {
		return "", 0, err
	}
	return chat.PlainText(res.Replies[0].Text), res.Replies[0].ID, nil
}

// Claim implements Answerer.
func (c *Bridge) Claim(ctx context.Context, messageID int64) (bool, error) {
	return c.Store.ClaimPassive(ctx, messageID, time.Now().UTC())
}

// Release implements Answerer.
func (c *Bridge) Release(ctx context.Context, messageID int64) {
	if err := c.Store.ReleasePassive(context.WithoutCancel(ctx), messageID, time.Now().UTC()); err != nil {
		c.Log.Error("passive reply release failed; the reply may be lost", "message_id", messageID, "err", err)
	}
}

// Note implements wecomkf.Desk: a thread Tandem has no conversation for is ignored.
func (c *Bridge) Note(ctx context.Context, channel, thread, noteID, text string) error {
	conv, err := c.Store.ConversationByThread(ctx, channel, thread)
	if chat.ErrorCode(err) == chat.ENOTFOUND {
		return nil // nothing Tandem holds concerns it
	}
	if err != nil {
		return err
	}
	_, err = c.Service.PlatformNote(ctx, conv.ID, noteID, text)
	return err
}

// withoutNUL strips NUL characters from a channel message. Platforms redeliver what is refused,
// so a NUL (which no text needs and Postgres cannot store) is dropped and the rest is stored and
// acknowledged, instead of failing on every redelivery.
func withoutNUL(in Inbound) Inbound {
	strip := func(s string) string { return strings.ReplaceAll(s, "\x00", "") }
	in.CustomerKey, in.ExternalID, in.Name = strip(in.CustomerKey), strip(in.ExternalID), strip(in.Name)
	in.MessageID, in.Text, in.Thread, in.Lang = strip(in.MessageID), strip(in.Text), strip(in.Thread), strip(in.Lang)
	return in
}
