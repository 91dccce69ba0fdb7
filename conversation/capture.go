package conversation

import (
	"context"
	"fmt"

	"tandem/chat"
)

// DefaultReviewBelow is the confidence under which an answer the bot gave is captured for review.
const DefaultReviewBelow = 0.6

// capture stores a review candidate for the eval loop; a failure is logged, the turn stands.
func (s *Service) capture(ctx context.Context, it chat.ReviewItem, key string) {
	it.CreatedAt = s.Now().UTC()
	if _, err := s.Store.AddReview(context.WithoutCancel(ctx), it, it.Reason+":"+key); err != nil {
		s.Log.Warn("review capture failed", "reason", it.Reason, "conversation_id", it.ConversationID, "err", err)
	}
}

// captureTurn captures a bot turn that handed off, or answered below the review threshold.
func (s *Service) captureTurn(ctx context.Context, conv chat.Conversation, in chat.Message, r chat.Reply) {
	below := s.ReviewBelow
	if below == 0 {
		below = DefaultReviewBelow
	}
	reason := ""
	switch {
	case r.Decision == chat.DecisionHandoff:
		reason = chat.ReviewHandoff
	case r.Decision == chat.DecisionAnswer && r.Confidence < below:
		reason = chat.ReviewLowConfidence
	default:
		return
	}
	it := chat.ReviewItem{Reason: reason, ConversationID: conv.ID, MessageID: in.ID, Channel: conv.Channel, Intent: r.Intent,
		Text: in.Text, BotAnswer: r.Text, Confidence: r.Confidence, Sources: r.Sources}
	if reason == chat.ReviewHandoff {
		it.HandoffReason = r.Reason
	}
	s.capture(ctx, it, fmt.Sprint(in.ID))
}

// captureEdit captures a draft the agent changed before sending: a labelled correction.
func (s *Service) captureEdit(ctx context.Context, conv chat.Conversation, d chat.Draft) {
	in, err := s.Store.Message(ctx, d.MessageID)
	if err != nil {
		return
	}
	s.capture(ctx, chat.ReviewItem{Reason: chat.ReviewEdited, ConversationID: conv.ID, MessageID: d.MessageID, Channel: conv.Channel,
		Text: in.Text, BotAnswer: d.Text, Answer: d.Final, Confidence: d.Confidence, Sources: d.Sources}, fmt.Sprint(d.ID))
}

// captureRating captures a poorly rated conversation: its last customer message and the last
// answer it got.
func (s *Service) captureRating(ctx context.Context, id string, score int) {
	conv, err := s.Store.Conversation(ctx, id)
	if err != nil {
		return
	}
	recent, err := s.Store.Recent(ctx, id, historyWindow)
	if err != nil {
		return
	}
	var in, answer chat.Message
	for _, m := range recent {
		switch m.Author {
		case chat.AuthorCustomer:
			in = m
		case chat.AuthorBot, chat.AuthorAgent:
			answer = m
		}
	}
	if in.ID == 0 {
		return
	}
	it := chat.ReviewItem{Reason: chat.ReviewLowRating, ConversationID: id, MessageID: in.ID, Channel: conv.Channel, Text: in.Text,
		BotAnswer: answer.Text, Sources: answer.Sources}
	if answer.Author == chat.AuthorAgent {
		it.BotAnswer, it.Answer = "", answer.Text
	}
	if answer.Confidence != nil {
		it.Confidence = *answer.Confidence
	}
	s.capture(ctx, it, fmt.Sprintf("%s:%d", id, score))
}
