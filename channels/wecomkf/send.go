package wecomkf

import (
	"context"
	"fmt"
	"time"

	"tandem/chat"
)

// Send delivers a reply with kf/send_msg; it implements conversation.Sender. After a handoff
// notice the session moves to the configured WeCom servicer (state 3); after the notice of an
// agent's close it ends (state 4). A session move that fails is logged and leaves the session
// with the API, where Tandem's agents can still answer.
func (a *Adapter) Send(ctx context.Context, conv chat.Conversation, m chat.Message) error {
	a.init()
	openKfID, user, ok := splitKey(conv.CustomerID)
	if !ok {
		return fmt.Errorf("wecomkf: conversation %s has no WeChat Customer Service user: %w", conv.ID, chat.ErrUndeliverable)
	}
	if !conv.LastCustomerAt.IsZero() && a.Now().Sub(conv.LastCustomerAt) > Window {
		return fmt.Errorf("wecomkf: over 48 hours since the customer last wrote (%s): %w", conv.LastCustomerAt.Format(time.RFC3339), chat.ErrUndeliverable)
	}
	for _, part := range splitBytes(m.Text, maxTextBytes) {
		if err := a.api.sendText(ctx, openKfID, user, part); err != nil {
			return err
		}
	}
	switch {
	case m.Decision == chat.DecisionHandoff && a.Servicer != "":
		a.trans(ctx, conv, openKfID, user, StateHuman, a.Servicer)
	case conv.Owner == chat.OwnerClosed && m.Author == chat.AuthorSystem:
		a.trans(ctx, conv, openKfID, user, StateEnded, "")
	}
	return nil
}

func (a *Adapter) trans(ctx context.Context, conv chat.Conversation, openKfID, user string, state int, servicer string) {
	if err := a.api.transState(ctx, openKfID, user, state, servicer); err != nil {
		a.Log.Warn("wecomkf session state not changed", "conversation_id", conv.ID, "service_state", state, "err", err)
	}
}
