package whatsapp

import (
	"errors"
	"testing"

	"tandem/chat"
)

// TestSendErrors: WhatsApp's send errors sort into permanent (set aside), rate limits (wait) and
// the rest (retried with backoff).
func TestSendErrors(t *testing.T) {
	for _, tt := range []struct {
		code                int
		permanent, waitThen bool
	}{
		{131026, true, false}, {131047, true, false}, {131051, true, false}, {131062, true, false}, {100, true, false},
		{131056, false, true}, {130429, false, true}, {80007, false, true},
		{131000, false, false}, {190, false, false}, {0, false, false},
	} {
		err := sendError(400, apiError{Code: tt.code, Message: "m"})
		var later *chat.RetryAfter
		if errors.Is(err, chat.ErrUndeliverable) != tt.permanent || errors.As(err, &later) != tt.waitThen {
			t.Errorf("code %d: %v", tt.code, err)
		}
	}
}
