package telegram

import (
	"fmt"
	"net/http"
	"time"

	"tandem/chat"
)

// callError is Telegram's table of Bot API errors:
//   - 429 (flood control) carries retry_after: retried after exactly that wait;
//   - 403 ("Forbidden: bot was blocked by the user", "user is deactivated", "bot can't initiate
//     conversation with a user") and 400 ("Bad Request: chat not found", "message is too long",
//     "PEER_ID_INVALID") never succeed on retry: permanent, the outbox sets the message aside
//     at once with a note;
//   - 401 and 404 (a wrong or revoked bot token), 5xx and network errors are retried with
//     backoff, so replies go out once an admin fixes the token or Telegram recovers.
func callError(method string, httpStatus int, r apiError) error {
	code := r.ErrorCode
	if code == 0 {
		code = httpStatus
	}
	err := fmt.Errorf("telegram %s: HTTP %d %s", method, code, r.Description)
	switch {
	case r.Parameters.RetryAfter > 0:
		return &chat.RetryAfter{Wait: time.Duration(r.Parameters.RetryAfter) * time.Second, Err: err}
	case code == http.StatusForbidden || code == http.StatusBadRequest:
		return fmt.Errorf("%w: %w", err, chat.ErrUndeliverable)
	}
	return err
}
