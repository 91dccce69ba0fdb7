package wecomkf

import (
	"context"
	"errors"
	"fmt"
	"time"

	"tandem/channels"
	"tandem/chat"
)

// Pull reads an account's new messages with kf/sync_msg and hands each to the desk, page by page:
// the cursor advances only after a page is stored. Only the replica holding the account's lease
// pulls; a callback that finds it taken marks the account pending and the holder pulls again
// before letting go. A failure is retried a few times; after that the cursor stays where the last
// stored page ended and the next callback goes on from there.
func (a *Adapter) Pull(ctx context.Context, openKfID, token string) {
	a.init()
	ctx, cancel := context.WithTimeout(ctx, pullTimeout)
	defer cancel()
	holder := fmt.Sprintf("%s-%d", a.holder, a.pulls.Add(1)) // pulls of one replica exclude each other too
	sy, ok, err := a.Store.ClaimKFSync(ctx, openKfID, holder, token, a.Now(), a.Now().Add(syncLease))
	if err != nil {
		a.Log.Error("wecomkf sync claim failed; the next callback pulls", "open_kfid", openKfID, "err", err)
		return
	}
	if !ok {
		return // another replica is pulling and will pull once more
	}
	for {
		if err := a.pullPages(ctx, openKfID, holder, &sy); err != nil {
			a.Log.Error("wecomkf pull failed; the next callback goes on from the stored cursor", "open_kfid", openKfID, "err", err)
		}
		again, tok, err := a.Store.ReleaseKFSync(context.WithoutCancel(ctx), openKfID, holder, a.Now().Add(syncLease))
		if err != nil || !again || ctx.Err() != nil {
			return
		}
		if tok != "" {
			sy.Token = tok
		}
	}
}

// pullPages pulls until has_more is 0, retrying a failed page.
func (a *Adapter) pullPages(ctx context.Context, openKfID, holder string, sy *Sync) error {
	for page := 0; page < maxPullPages; page++ {
		var p syncPage
		var err error
		for attempt := 0; attempt < pullRetries; attempt++ {
			if p, err = a.page(ctx, openKfID, sy); err == nil {
				break
			}
			a.Log.Warn("wecomkf sync page failed", "open_kfid", openKfID, "attempt", attempt+1, "err", err)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(pullRetryDelay):
			}
		}
		if err != nil {
			return err
		}
		held, err := a.Store.AdvanceKFSync(ctx, openKfID, holder, p.NextCursor, a.Now().Add(syncLease))
		if err != nil {
			return err
		}
		if !held {
			return fmt.Errorf("lease lost to another replica, which goes on")
		}
		sy.Cursor = p.NextCursor
		if p.HasMore == 0 {
			return nil
		}
	}
	return nil
}

// page fetches one page from the cursor and takes every message in it.
func (a *Adapter) page(ctx context.Context, openKfID string, sy *Sync) (syncPage, error) {
	p, err := a.api.syncMsg(ctx, openKfID, sy.Cursor, sy.Token)
	var refused *apiError
	if errors.As(err, &refused) && sy.Token != "" {
		// The callback token lasts 10 minutes; a stale one (kept for a pending pull) is dropped,
		// and the page read without it, which WeCom allows at a stricter rate.
		a.Log.Warn("wecomkf sync_msg refused the callback token; reading without it", "open_kfid", openKfID, "err", err)
		sy.Token = ""
		p, err = a.api.syncMsg(ctx, openKfID, sy.Cursor, "")
	}
	if err != nil {
		return p, err
	}
	for _, m := range p.MsgList {
		if err := a.take(ctx, m); err != nil {
			return p, fmt.Errorf("message %s: %w", m.MsgID, err)
		}
	}
	if p.NextCursor == "" {
		p.NextCursor = sy.Cursor
	}
	return p, nil
}

// take gives one synced message its outcome. An error leaves the page to be pulled again;
// messages already stored are deduplicated by msgid then.
func (a *Adapter) take(ctx context.Context, m Message) error {
	openKfID, user := m.customer()
	if openKfID == "" || user == "" {
		return nil // servicer status events and the like concern no customer
	}
	th := thread(openKfID, user)
	in := channels.Inbound{Channel: Channel, CustomerKey: customerPref + th, ExternalID: user, MessageID: user + "/" + m.MsgID,
		Thread: th, Lang: Lang}
	switch m.Origin {
	case OriginCustomer:
		// The bot gets the text a message carries; the rest reaches an agent as a description,
		// and a message without text is handed to a person, the customer told so in their language.
		in.Text, in.Attachments = m.BotText(), m.Attachments()
		return channels.Take(ctx, a.Desk, in, a.Log)
	case OriginServicer:
		text := ""
		if m.Text != nil {
			text = m.Text.Content
		}
		if text == "" {
			text = chat.WithAttachments("", Channel, m.Attachments())
		}
		return a.Desk.Note(ctx, Channel, th, in.MessageID, fmt.Sprintf("WeCom servicer %s replied in the WeCom app: %s", m.ServicerUserID, text))
	case OriginSystem:
		if m.Event != nil {
			return a.event(ctx, th, in.MessageID, m)
		}
	}
	return nil
}

// event handles the events that concern a customer.
func (a *Adapter) event(ctx context.Context, th, id string, m Message) error {
	e := m.Event
	switch e.EventType {
	case EventEnterSession:
		a.welcome(ctx, m)
	case EventMsgSendFail:
		why := failTypes[e.FailType]
		if why == "" {
			why = fmt.Sprintf("fail_type %d", e.FailType)
		}
		return a.Desk.Note(ctx, Channel, th, id, fmt.Sprintf("WeCom reports that message %s did not reach the customer: %s. Reach the customer another way.", e.FailMsgID, why))
	case EventSessionStatus:
		switch e.ChangeType {
		case ChangeFromPool, ChangeTransfer, ChangeReconnect:
			return ignoreConflict(a.Desk.Follow(ctx, channels.Ownership{Channel: Channel, Thread: th, Owner: chat.OwnerHuman,
				Assignee: "wecom:" + e.NewServicerUserID, Reason: "wecom_servicer"}))
		case ChangeEnd:
			return ignoreConflict(a.Desk.Follow(ctx, channels.Ownership{Channel: Channel, Thread: th, Owner: chat.OwnerClosed, Reason: "wecom_ended"}))
		}
	}
	return nil
}

// welcome greets a customer entering the chat with the event's single-use welcome_code, if it
// is still within its 20 seconds. A code used already (a page pulled twice) is refused by WeCom
// and only logged.
func (a *Adapter) welcome(ctx context.Context, m Message) {
	code := m.Event.WelcomeCode
	if code == "" {
		return // WeCom sends one only when the customer got no welcome in 48 hours and wrote nothing
	}
	if m.SendTime > 0 && a.Now().Sub(time.Unix(m.SendTime, 0)) > WelcomeWindow {
		a.Log.Info("wecomkf welcome_code expired; no welcome sent", "msg_id", m.MsgID)
		return
	}
	text := firstNonEmpty(a.Welcome, DefaultWelcome)
	if err := a.api.sendOnEvent(ctx, code, text); err != nil {
		a.Log.Warn("wecomkf welcome not sent", "msg_id", m.MsgID, "err", err)
	}
}

func ignoreConflict(err error) error {
	if c := chat.ErrorCode(err); c == chat.ECONFLICT || c == chat.ENOTFOUND {
		return nil
	}
	return err
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
