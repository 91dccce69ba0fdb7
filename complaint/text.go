package complaint

import "fmt"

// Notices to the customer, {en, zh}.
var (
	noticeReceived = [2]string{"We've received your complaint. Your case number is %s. We will give you our decision by %s at the latest.",
		"您的投诉已受理，投诉编号为 %s。我们将最迟于 %s 前答复处理结果。"}
	noticeLinked    = [2]string{"This conversation is added to your complaint %s (%s).", "本次会话已并入您的投诉 %s（%s）。"}
	noticeAck       = [2]string{"Your complaint %s has been acknowledged by our complaints team.", "您的投诉 %s 已由投诉处理团队确认受理。"}
	noticeInv       = [2]string{"We are investigating your complaint %s.", "我们正在调查处理您的投诉 %s。"}
	noticeResolved  = [2]string{"Our decision on your complaint %s: %s", "关于您的投诉 %s，处理结果如下：%s"}
	noticeEscalated = [2]string{"Your complaint %s has been escalated to a senior complaints officer.", "您的投诉 %s 已升级至高级投诉专员处理。"}
	noticeClosed    = [2]string{"Your complaint %s is closed: %s If the matter comes back within %d days, tell us and we will reopen it.",
		"您的投诉 %s 已办结：%s 如 %d 天内问题再次出现，请告诉我们，我们将重新处理。"}
	noticeReopened = [2]string{"We've reopened your complaint %s. We will give you our decision by %s at the latest.",
		"您的投诉 %s 已重新处理，我们将最迟于 %s 前答复处理结果。"}
	noticeExtended = [2]string{"Your complaint %s needs more investigation. We will give you our decision by %s at the latest.",
		"您的投诉 %s 情况较为复杂，需要进一步调查，我们将最迟于 %s 前答复处理结果。"}
	noticeStatus = [2]string{"Your complaint %s is %s. We will give you our decision by %s at the latest.",
		"您的投诉 %s 当前状态：%s，我们将最迟于 %s 前答复处理结果。"}
	noticeStatusDone = [2]string{"Your complaint %s is %s.", "您的投诉 %s 当前状态：%s。"}
	noticeNoCase     = [2]string{"I can't find a complaint from you. Say \"I want to complain\" to make one.", "没有查到您的投诉记录。如需投诉，请回复“我要投诉”。"}
	noticeSignIn     = [2]string{"For your privacy, please sign in first, then ask me again about your complaint.", "为保护您的隐私，请先登录后再查询投诉进度。"}
)

// statusNotice is what the customer is told when their case moves to a status.
var statusNotice = map[Status][2]string{
	Acknowledged:  noticeAck,
	Investigating: noticeInv,
	Resolved:      noticeResolved,
	Escalated:     noticeEscalated,
}

var statusWords = map[Status][2]string{
	Received:      {"received", "已受理"},
	Acknowledged:  {"acknowledged", "已确认"},
	Investigating: {"being investigated", "调查处理中"},
	Resolved:      {"decided", "已答复处理结果"},
	Closed:        {"closed", "已办结"},
	Escalated:     {"escalated to a senior complaints officer", "已升级处理"},
}

// words is the status as the customer reads it.
func (s Status) words(lang string) string { return pick(statusWords[s], lang) }

func pick(t [2]string, lang string) string {
	if lang == "zh" {
		return t[1]
	}
	return t[0]
}

func textf(lang string, t [2]string, args ...any) string { return fmt.Sprintf(pick(t, lang), args...) }
