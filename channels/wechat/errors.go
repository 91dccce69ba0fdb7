package wechat

import (
	"fmt"

	"tandem/chat"
)

// permanent is WeChat's table of customer-service send errors that no retry can fix: the
// outbox sets the message aside at once with a note for an agent. Codes from the Official
// Account global return codes.
var permanent = map[int]string{
	40003: "invalid openid (not a follower of this account)",
	40008: "invalid message type",
	43004: "the user does not follow the account",
	43019: "the user is on the account's blacklist",
	45002: "content too long",
	45015: "more than 48 hours since the customer last wrote",
	45047: "customer-service message quota used up",
	48001: "the account is not authorized for the customer-service message API",
}

// tokenRefused are the errcodes of a refused access token: a new one is fetched and the send
// retried.
var tokenRefused = map[int]bool{40001: true, 40014: true, 42001: true}

// sendError classifies a custom/send errcode: permanent ones wrap chat.ErrUndeliverable;
// everything else (-1 system busy, 45009 daily API limit, a refused token) is retried with
// backoff.
func sendError(code int, msg string) error {
	if code == 0 {
		return nil
	}
	if what, ok := permanent[code]; ok {
		return fmt.Errorf("wechat custom/send: errcode %d %s (%s): %w", code, msg, what, chat.ErrUndeliverable)
	}
	return fmt.Errorf("wechat custom/send: errcode %d %s", code, msg)
}
