package conversation

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"tandem/chat"
)

// ratingRE matches a rating typed as a reply on any channel: "4", "4/5", "4 stars", "4星", "四分".
var ratingRE = regexp.MustCompile(`^([1-5一二三四五])\s*(/\s*5|stars?|星|分|颗星)?[.!。！]?$`)

var chineseDigits = map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}

// RatingReply returns the score a short reply gives (1–5), or 0 when it is not a rating.
func RatingReply(text string) int {
	m := ratingRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(text)))
	if m == nil {
		return 0
	}
	if n, ok := chineseDigits[m[1]]; ok {
		return n
	}
	return int(m[1][0] - '0')
}

// askedForRating reports whether the conversation's last message is the closing request for a
// rating, so that a bare "4" right after it is taken as the rating.
func (s *Service) askedForRating(ctx context.Context, id string) bool {
	recent, err := s.Store.Recent(ctx, id, 1)
	if err != nil || len(recent) == 0 {
		return false
	}
	m := recent[0]
	return m.Author == chat.AuthorSystem && (m.Text == chat.Notice(chat.NoticeRate, "en") || m.Text == chat.Notice(chat.NoticeRate, "zh"))
}

// receiveRating stores the customer's rating reply and thanks them; the conversation stays closed.
func (s *Service) receiveRating(ctx context.Context, b *batch, conv chat.Conversation, in Inbound, text string, score int) (Result, error) {
	msg, created, err := s.Store.AddInbound(ctx, chat.Message{ConversationID: conv.ID, Author: chat.AuthorCustomer,
		Text: text, Channel: in.Channel, ExternalID: in.ExternalID, CreatedAt: s.Now().UTC()})
	if err != nil {
		return Result{}, err
	}
	if !created {
		return Result{Message: msg, Replies: []chat.Message{}, Duplicate: true}, nil
	}
	b.add(messageEvent(msg))
	if err := s.Rate(ctx, conv.ID, score, ""); err != nil {
		return Result{Message: msg, Replies: []chat.Message{}}, err
	}
	thanks, err := s.send(ctx, b, conv, chat.Message{ConversationID: conv.ID, Author: chat.AuthorSystem, Text: chat.Notice(chat.NoticeThanks, conv.Lang)})
	return Result{Message: msg, Replies: []chat.Message{thanks}}, err
}

// Feedback records the customer's thumbs up or down on one of the bot's answers; a thumbs down
// makes the answer a review candidate.
func (s *Service) Feedback(ctx context.Context, convID string, messageID int64, helpful bool) error {
	m, err := s.Store.Message(ctx, messageID)
	if chat.ErrorCode(err) == chat.ENOTFOUND || (err == nil && (m.ConversationID != convID || m.Author != chat.AuthorBot)) {
		return chat.Errorf(chat.ENOTFOUND, "message %d is not a bot answer in this conversation", messageID)
	}
	if err != nil {
		return err
	}
	if err := s.Store.PutFeedback(ctx, convID, messageID, helpful, s.Now().UTC()); err != nil {
		return err
	}
	if helpful {
		return nil
	}
	var question chat.Message
	if recent, err := s.Store.Messages(ctx, convID, 0, 500); err == nil {
		for _, r := range recent {
			if r.ID < messageID && r.Author == chat.AuthorCustomer {
				question = r
			}
		}
	}
	it := chat.ReviewItem{Reason: chat.ReviewThumbsDown, ConversationID: convID, MessageID: question.ID, Channel: m.Channel,
		Text: question.Text, BotAnswer: m.Text, Sources: m.Sources}
	if m.Confidence != nil {
		it.Confidence = *m.Confidence
	}
	s.capture(ctx, it, fmt.Sprint(messageID))
	return nil
}
