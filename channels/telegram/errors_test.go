package telegram

import (
	"errors"
	"testing"

	"tandem/chat"
)

// TestCallErrors: 400 and 403 are permanent, 429 waits retry_after, a wrong token and 5xx retry.
func TestCallErrors(t *testing.T) {
	for _, tt := range []struct {
		status              int
		desc                string
		retryAfter          int
		permanent, waitThen bool
	}{
		{403, "Forbidden: bot was blocked by the user", 0, true, false},
		{403, "Forbidden: user is deactivated", 0, true, false},
		{400, "Bad Request: chat not found", 0, true, false},
		{429, "Too Many Requests: retry after 7", 7, false, true},
		{401, "Unauthorized", 0, false, false},
		{404, "Not Found", 0, false, false},
		{502, "Bad Gateway", 0, false, false},
	} {
		r := apiError{ErrorCode: tt.status, Description: tt.desc}
		r.Parameters.RetryAfter = tt.retryAfter
		err := callError("sendMessage", tt.status, r)
		var later *chat.RetryAfter
		if errors.Is(err, chat.ErrUndeliverable) != tt.permanent || errors.As(err, &later) != tt.waitThen {
			t.Errorf("%d %s: %v", tt.status, tt.desc, err)
		}
	}
}
