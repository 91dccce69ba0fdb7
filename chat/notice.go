package chat

import "fmt"

// Notice kinds: fixed texts Tandem sends to customers.
const (
	NoticeHandoff  = "handoff"   // the customer asked for a person
	NoticeNoAnswer = "no_answer" // the bot is not sure enough to answer
	NoticeError    = "error"     // something failed on our side
	NoticeOffer    = "offer"     // the bot is not helping: it offers a person
	NoticeClarify  = "clarify"   // two articles fit equally well: the bot asks which one
	NoticeJoined   = "joined"    // an agent took the conversation (%s: their name)
	NoticeReturned = "returned"  // the agent handed the conversation back to the bot
	NoticeBack     = "back"      // the customer left the queue for the bot
	NoticeRate     = "rate"      // the conversation closed: asks for a rating
	NoticeClosed   = "closed"    // after hours (%s: when people are back): leave a message
	NoticeTaken    = "taken"     // after hours: the customer's message is queued
	NoticeThanks   = "thanks"    // a rating was received
	// NoticeForPerson: the customer sent something the bot cannot read (a file only).
	NoticeForPerson = "for_person"
	NoticeEnded     = "ended" // the conversation closed on a channel with its own rating form
	// NoticeAttachment: the customer sent something the bot cannot read (%s: what, e.g. "photo").
	NoticeAttachment = "attachment"
	// NoticeGreeting answers a channel's start command (Telegram's /start, /help).
	NoticeGreeting = "greeting"
)

// ChannelWeb is the web widget's channel, which asks for a rating with its own star picker.
const ChannelWeb = "web"

var notices = map[string][2]string{ // kind → {en, zh}
	NoticeHandoff:  {"A person will take over shortly. Please stay in this chat.", "好的，正在为您转接人工客服，请稍候。"},
	NoticeNoAnswer: {"I'm not sure I can answer that correctly, so I'm passing you to a person who will take over shortly.", "抱歉，我没有找到可靠的答案。正在为您转接人工客服，请稍候。"},
	NoticeError:    {"Sorry, something went wrong on our side. A person will take over shortly.", "抱歉，系统暂时出现问题，正在为您转接人工客服。"},
	NoticeClarify:  {"Did you mean one of these? Please tell me which one, or say \"agent\" for a person.", "您想问的是以下哪一个？请告诉我，或回复“人工”转人工客服。"},
	NoticeOffer:    {"Sorry this isn't helping. Would you like to talk to a person? Just say \"agent\".", "抱歉没能帮到您。需要人工客服吗？回复“人工”即可。"},
	NoticeJoined:   {"%s has joined the conversation.", "人工客服 %s 已接入，正在为您服务。"},
	NoticeReturned: {"You're back with the assistant. Ask me anything, or say \"agent\" for a person again.", "已为您转回智能助手。有问题请继续提问，或回复“人工”再次转人工。"},
	NoticeBack:     {"OK, you've left the queue. Ask me anything, or say \"agent\" to queue again.", "好的，已为您退出排队。请继续提问，或回复“人工”重新排队。"},
	NoticeRate:     {"This conversation is closed. How did we do? Reply with a rating from 1 (poor) to 5 (great).", "本次会话已结束。请为我们的服务打分：回复 1（很差）到 5（很好）。"},
	NoticeClosed:   {"Our team is offline now and back %s. Leave your question and how to reach you (email or phone) here, and we'll reply as soon as we're back. You can also go back to the assistant meanwhile.", "人工客服现在不在线，将于%s恢复服务。请留下您的问题和联系方式（邮箱或电话），我们上班后会第一时间回复。您也可以先返回智能助手继续提问。"},
	NoticeThanks:   {"Thanks for your rating! Write again any time if you need anything else.", "感谢您的评价！如有其他问题，欢迎随时留言。"},
	NoticeForPerson: {"Thanks, we've received it. I can only read text, so a person will look at it and reply here shortly.",
		"已收到您发送的内容。我只能识别文字，已为您转接人工客服查看，请稍候。"},
	NoticeEnded: {"This conversation is closed. Thank you for contacting us.", "本次会话已结束，感谢您的咨询。"},
	NoticeAttachment: {"Thanks, I've received your %s. I can only read text, so I've passed it to a person who will take over shortly.",
		"已收到您发送的%s。我只能读懂文字消息，已为您转交人工客服，请稍候。"},
	NoticeGreeting: {"Hello! I'm the virtual assistant. Type your question and I'll answer, or say \"agent\" at any time to talk to a person.",
		"您好！我是智能客服助手，请直接输入您的问题；如需人工服务，随时回复“人工”。"},
	NoticeTaken: {"Thanks, we've got your message. It's in the queue for when the team is back.", "收到，您的留言已进入排队，客服上班后会尽快回复您。"},
}

// Noticef returns a notice whose text takes arguments (joined: a name; closed: an opening time).
func Noticef(kind, lang string, args ...any) string {
	return fmt.Sprintf(Notice(kind, lang), args...)
}

// Notice returns the customer-facing text of a notice in lang ("zh", else English).
func Notice(kind, lang string) string {
	n := notices[kind]
	if lang == "zh" {
		return n[1]
	}
	return n[0]
}
