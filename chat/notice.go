package chat

// Notice kinds: fixed texts Tandem sends to customers.
const (
	NoticeHandoff  = "handoff"   // the customer asked for a person
	NoticeNoAnswer = "no_answer" // the bot is not sure enough to answer
	NoticeError    = "error"     // something failed on our side
	NoticeOffer    = "offer"     // the bot is not helping: it offers a person
	NoticeClarify  = "clarify"   // two articles fit equally well: the bot asks which one
)

var notices = map[string][2]string{ // kind → {en, zh}
	NoticeHandoff:  {"A person will take over shortly. Please stay in this chat.", "好的，正在为您转接人工客服，请稍候。"},
	NoticeNoAnswer: {"I'm not sure I can answer that correctly, so I'm passing you to a person who will take over shortly.", "抱歉，我没有找到可靠的答案。正在为您转接人工客服，请稍候。"},
	NoticeError:    {"Sorry, something went wrong on our side. A person will take over shortly.", "抱歉，系统暂时出现问题，正在为您转接人工客服。"},
	NoticeClarify:  {"Did you mean one of these? Please tell me which one, or say \"agent\" for a person.", "您想问的是以下哪一个？请告诉我，或回复“人工”转人工客服。"},
	NoticeOffer:    {"Sorry this isn't helping. Would you like to talk to a person? Just say \"agent\".", "抱歉没能帮到您。需要人工客服吗？回复“人工”即可。"},
}

// Notice returns the customer-facing text of a notice in lang ("zh", else English).
func Notice(kind, lang string) string {
	n := notices[kind]
	if lang == "zh" {
		return n[1]
	}
	return n[0]
}
