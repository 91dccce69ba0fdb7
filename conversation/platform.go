package conversation

import (
	"context"

	"tandem/chat"
)

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
