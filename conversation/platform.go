package conversation

import (
	"context"

	"tandem/chat"
)

// Follow moves a conversation's owner as the channel's platform reports it (a person there took
// the customer over, or ended the session), without a notice to the customer: the platform has
// told them. A conversation already there is left alone. FromAssignee guards a concurrent
// console change: the move fails with a conflict instead of undoing it.
func (s *Service) Follow(ctx context.Context, id string, to chat.Owner, actor, reason string) (chat.Conversation, error) {
	b := &batch{}
	defer s.flush(ctx, b)
	conv, err := s.Store.Conversation(ctx, id)
	if err != nil || conv.Owner == to {
		return conv, err
	}
	conv, err = s.move(ctx, b, conv, chat.Transition{To: to, Actor: actor, Reason: reason, FromAssignee: conv.Assignee})
	s.Kick()
	return conv, err
}

// PlatformNote leaves a system note in a conversation for its agents, about something the
// channel's platform reported (a delivery it gave up on, a reply a person sent there). It is
// not delivered to the customer. A note with a platform id already stored is not added again
// (the platform reported it twice).
func (s *Service) PlatformNote(ctx context.Context, id, externalID, text string) (chat.Message, error) {
	b := &batch{}
	defer s.flush(ctx, b)
	conv, err := s.Store.Conversation(ctx, id)
	if err != nil {
		return chat.Message{}, err
	}
	m, created, err := s.Store.AddInbound(ctx, chat.Message{ConversationID: id, Author: chat.AuthorSystem, Channel: conv.Channel,
		Text: text, ExternalID: externalID, CreatedAt: s.Now().UTC()})
	if err != nil || !created {
		return m, err
	}
	b.add(messageEvent(m))
	return m, nil
}
