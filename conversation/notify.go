package conversation

import (
	"context"

	"tandem/chat"
)

// Notify sends the customer a system message in a conversation, whoever owns it (e.g. a
// complaint case's progress), delivered on the conversation's channel.
func (s *Service) Notify(ctx context.Context, conversationID, text, reason string) (chat.Message, error) {
	b := &batch{}
	defer s.flush(ctx, b)
	conv, err := s.Store.Conversation(ctx, conversationID)
	if err != nil {
		return chat.Message{}, err
	}
	return s.send(ctx, b, conv, chat.Message{ConversationID: conv.ID, Author: chat.AuthorSystem, Text: text, Reason: reason})
}

// handed runs the Handed hook after a bot turn handed a conversation off, once the turn's
// messages are published (so what the hook sends comes after them).
func (s *Service) handed(ctx context.Context, b *batch, conv chat.Conversation, r chat.Reply) {
	if s.Handed == nil {
		return
	}
	s.flush(ctx, b)
	b.events = nil
	s.Handed(ctx, conv, r)
}
