package wecomkf

import (
	"errors"
	"fmt"

	"tandem/chat"
)

// WeCom error codes of a refused access token (全局错误码): a new token is fetched and the call
// made once more.
const (
	errInvalidToken = 40014 // 不合法的access_token
	errTokenExpired = 42001 // access_token已过期
)

// permanent is the table of kf/send_msg errors that no retry can fix: the outbox sets the reply
// aside at once with a note for an agent. Everything else (-1 系统繁忙, HTTP 5xx, network
// errors) is retried with backoff. 95001's meaning is from public client code for this API; the
// others are from WeCom's global error codes (see the README).
var permanent = map[int]string{
	95001: "the 5 messages allowed per customer message are used up",
	95013: "the session has ended",
	95018: "the session's state does not allow API messages (a person is serving it, or it is queued)",
	95000: "invalid open_kfid",
	95004: "open_kfid does not exist",
	40096: "invalid external_userid",
}

// undeliverable marks permanent send errors with chat.ErrUndeliverable.
func undeliverable(err error) error {
	var e *apiError
	if errors.As(err, &e) {
		if why, ok := permanent[e.ErrCode]; ok {
			return fmt.Errorf("%w (%s): %w", err, why, chat.ErrUndeliverable)
		}
	}
	return err
}
