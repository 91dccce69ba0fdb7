package chat

import (
	"errors"
	"fmt"
	"time"
)

// Error codes; httpapi maps each to one HTTP status.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ETOOLARGE     = "too_large"
	ERATELIMITED  = "rate_limited"
	EUNAVAILABLE  = "unavailable"
	EINTERNAL     = "internal"
)

// Error is an error with a code and a message safe to show to clients.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err, hiding internal details.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrUndeliverable marks a send that can never succeed (e.g. outside a platform's messaging
// window): the outbox stops retrying it and notes it in the conversation instead.
var ErrUndeliverable = errors.New("undeliverable")

// RetryAfter is a send the platform (or Tandem's own pacing) wants tried again after Wait, e.g.
// Telegram's 429 retry_after or WhatsApp's per-user pair limit. The outbox waits exactly that
// long instead of backing off.
type RetryAfter struct {
	Wait time.Duration
	Err  error
}

func (e *RetryAfter) Error() string { return e.Err.Error() + " (retry in " + e.Wait.String() + ")" }
func (e *RetryAfter) Unwrap() error { return e.Err }
