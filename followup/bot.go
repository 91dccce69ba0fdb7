package followup

import (
	"context"
	"strings"
	"unicode"

	"tandem/chat"
	"tandem/conversation"
)

// optOutWords withdraw consent on every channel when they are the whole message (case and
// punctuation aside).
var optOutWords = map[string]bool{"退订": true, "stop": true, "unsubscribe": true, "取消订阅": true, "td": true}

// IsOptOut reports whether a message is an opt-out word.
func IsOptOut(text string) bool {
	t := strings.ToLower(strings.TrimFunc(strings.TrimSpace(text), func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) }))
	return optOutWords[t]
}

var optOutConfirm = [2]string{"You're unsubscribed: we won't send you follow-up messages here any more. Reply to us any time if you need help.",
	"您已退订，我们将不再通过此渠道向您发送回访消息。如需帮助，欢迎随时留言。"}

// DraftingBot is the bot the conversation core runs: it answers and drafts.
type DraftingBot interface {
	conversation.Bot
	conversation.Drafter
}

// Bot withdraws consent when the customer sends an opt-out word and confirms it; every other
// message goes to Next.
type Bot struct {
	Next      DraftingBot
	FollowUps *Service
}

// Turn implements conversation.Bot.
func (b Bot) Turn(ctx context.Context, conv chat.Conversation, history []chat.Message, text string, stream func(string)) (chat.Reply, error) {
	confirm, ok, err := b.FollowUps.OptOut(ctx, conv, text)
	if err != nil || !ok {
		if err != nil {
			return chat.Reply{}, err
		}
		return b.Next.Turn(ctx, conv, history, text, stream)
	}
	return chat.Reply{Text: confirm, Decision: chat.DecisionAnswer, Confidence: 1, Intent: "opt_out"}, nil
}

// OptOut withdraws the consent of a conversation's customer on its channel when text is an
// opt-out word, and returns the confirmation in their language; ok is false for any other text.
// It works whoever owns the conversation (conversation.Service.OptOut for a person's).
func (s *Service) OptOut(ctx context.Context, conv chat.Conversation, text string) (confirm string, ok bool, err error) {
	if !IsOptOut(text) {
		return "", false, nil
	}
	if _, err := s.Withdraw(ctx, conv.ID, "opt_out_word", strings.TrimSpace(text)); err != nil {
		return "", false, err
	}
	if conv.Lang == "zh" || strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		return optOutConfirm[1], true, nil
	}
	return optOutConfirm[0], true, nil
}

// Draft implements conversation.Drafter.
func (b Bot) Draft(ctx context.Context, history []chat.Message, text string, stream func(string)) (chat.Reply, error) {
	return b.Next.Draft(ctx, history, text, stream)
}
