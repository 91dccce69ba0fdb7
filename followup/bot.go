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
	if !IsOptOut(text) {
		return b.Next.Turn(ctx, conv, history, text, stream)
	}
	if _, err := b.FollowUps.Withdraw(ctx, conv.ID, "opt_out_word", strings.TrimSpace(text)); err != nil {
		return chat.Reply{}, err
	}
	lang := conv.Lang
	if strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		lang = "zh"
	}
	msg := optOutConfirm[0]
	if lang == "zh" {
		msg = optOutConfirm[1]
	}
	return chat.Reply{Text: msg, Decision: chat.DecisionAnswer, Confidence: 1, Intent: "opt_out"}, nil
}

// Draft implements conversation.Drafter.
func (b Bot) Draft(ctx context.Context, history []chat.Message, text string, stream func(string)) (chat.Reply, error) {
	return b.Next.Draft(ctx, history, text, stream)
}
