package action

import "fmt"

// Texts the action layer sends to customers, per language {en, zh}.
const (
	noticeSignIn   = "sign_in"   // the action needs a verified customer
	noticeAsk      = "ask"       // a parameter is missing (%s: its name)
	noticeConfirm  = "confirm"   // a write waits for the customer's yes (%s: what it will do)
	noticeCanceled = "canceled"  // the customer said no
	noticeFailed   = "failed"    // the call failed: a person takes over
	noticeNotOwned = "not_owned" // the reference is not the customer's
	noticeApproval = "approval"  // a write is with a person for approval
	noticeNoIdHand = "no_id"     // no way to sign in on this channel: a person takes over
)

var notices = map[string][2]string{
	noticeSignIn:   {"To look that up I need to know it's you. Please sign in on this site and ask me again.", "为了查询您的信息，需要先确认您的身份。请先在本网站登录您的账户，然后再问我一次。"},
	noticeAsk:      {"Could you give me the %s?", "请提供%s。"},
	noticeConfirm:  {"I'm about to do this for you: %s. Shall I go ahead? (yes / no)", "我将为您办理：%s。确认办理吗？（回复“确认”或“取消”）"},
	noticeCanceled: {"OK, I haven't changed anything.", "好的，没有做任何更改。"},
	noticeFailed:   {"Sorry, I couldn't get that from our systems just now. A person will take over shortly and help you.", "抱歉，暂时无法从系统中查到您的信息。正在为您转接人工客服，请稍候。"},
	noticeNotOwned: {"I couldn't find %s on your account. Please check the number, or say \"agent\" for a person.", "在您的账户下没有找到 %s。请核对号码，或回复“人工”转人工客服。"},
	noticeApproval: {"Thanks. A member of our team will check this request and confirm it with you shortly.", "收到。您的申请已提交给工作人员审核，稍后会与您确认。"},
	noticeNoIdHand: {"I can't confirm who you are on this channel, so I'm passing you to a person who can help.", "在此渠道无法确认您的身份，正在为您转接人工客服。"},
}

func notice(kind, lang string, args ...any) string {
	n := notices[kind]
	t := n[0]
	if lang == "zh" {
		t = n[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(t, args...)
	}
	return t
}
