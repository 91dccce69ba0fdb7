package complaint

import (
	"context"
	"regexp"
	"strings"

	"tandem/chat"
	"tandem/conversation"
)

// DraftingBot is the bot the conversation core runs: it answers and drafts.
type DraftingBot interface {
	conversation.Bot
	conversation.Drafter
}

// Bot answers a customer asking how their complaint is going from the case itself (verified
// customers only) and passes every other message to Next.
type Bot struct {
	Next  DraftingBot
	Cases *Service
}

// Intent is the intent name a complaint-status answer carries.
const StatusIntent = "complaint_status"

// Turn implements conversation.Bot.
func (b Bot) Turn(ctx context.Context, conv chat.Conversation, history []chat.Message, text string, stream func(string)) (chat.Reply, error) {
	if !IsStatusQuestion(text) {
		return b.Next.Turn(ctx, conv, history, text, stream)
	}
	cu, err := b.Cases.Directory.Customer(ctx, conv.CustomerID)
	if err != nil {
		return chat.Reply{}, err
	}
	lang := conv.Lang
	if lang == "" && strings.ContainsFunc(text, isHan) {
		lang = "zh"
	}
	answer, err := b.Cases.StatusText(ctx, cu.ID, Verified(cu), lang)
	if err != nil {
		return chat.Reply{}, err
	}
	return chat.Reply{Text: answer, Decision: chat.DecisionAnswer, Confidence: 1, Intent: StatusIntent}, nil
}

// Draft implements conversation.Drafter.
func (b Bot) Draft(ctx context.Context, history []chat.Message, text string, stream func(string)) (chat.Reply, error) {
	return b.Next.Draft(ctx, history, text, stream)
}

// Verified reports whether Tandem knows who the customer is: a widget visitor the site vouched
// for with an identity token ("id:" external ids), or a customer of a messaging channel or an
// app, whose platform identifies them. An anonymous widget visitor is not.
func Verified(cu chat.Customer) bool {
	return cu.Channel != chat.ChannelWeb || strings.HasPrefix(cu.ExternalID, "id:")
}

var (
	complaintWord = regexp.MustCompile(`(?i)\bcomplain(t|ts)?\b|投诉|\bTS-\d{8}-\d{4}\b`)
	statusWord    = regexp.MustCompile(`(?i)what'?s happening|\bstatus\b|\bprogress\b|\bupdate\b|how is|how's|where is|any news|进度|怎么样|到哪|状态|结果了吗|有结果|处理到`)
	// durationWord asks how long complaints take in general — the knowledge base's answer.
	durationWord = regexp.MustCompile(`(?i)how long|how many days|time ?frame|多久|几天|多长时间|多少天`)
	caseNumber   = regexp.MustCompile(`(?i)\bTS-\d{8}-\d{4}\b`)
)

// IsStatusQuestion reports whether text asks about a complaint's progress ("what's happening
// with my complaint?", "我的投诉处理得怎么样了"), not how long complaints take ("投诉了多久会有结果"),
// unless it names a case.
func IsStatusQuestion(text string) bool {
	if durationWord.MatchString(text) && !caseNumber.MatchString(text) {
		return false
	}
	return complaintWord.MatchString(text) && statusWord.MatchString(text)
}

func isHan(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }
