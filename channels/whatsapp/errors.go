package whatsapp

import (
	"fmt"
	"time"

	"tandem/chat"
)

// permanent is WhatsApp's table of send errors that no retry can fix: the outbox sets the message
// aside at once with a note for an agent. Codes from Meta's Cloud API error-code reference.
var permanent = map[int]string{
	100:    "invalid parameter",
	131008: "required parameter missing",
	131009: "parameter value not valid",
	131021: "recipient cannot be the sender",
	131026: "message undeliverable (not a WhatsApp number, an old app, or the user has not accepted the terms)",
	131030: "recipient not in the test number's allowed list",
	131047: "more than 24 hours since the customer last wrote (re-engagement)",
	131049: "not delivered to maintain healthy ecosystem engagement",
	131050: "the user stopped marketing messages",
	131051: "unsupported message type",
	131062: "business-scoped user id recipients are not supported for this message",
}

// wait is WhatsApp's table of rate limits: the send is retried after rateLimitWait.
var wait = map[int]string{
	4:      "too many API calls",
	80007:  "rate limit of the WhatsApp Business account",
	130429: "throughput limit of the number",
	131048: "spam rate limit",
	131056: "pair rate limit (too many messages to one user)",
}

// sendError classifies a failed send: permanent codes wrap chat.ErrUndeliverable, rate limits
// are a *chat.RetryAfter, and everything else (5xx, 131000 "something went wrong", expired
// tokens and permissions an admin can fix) is retried with backoff.
func sendError(httpStatus int, e apiError) error {
	if what, ok := permanent[e.Code]; ok {
		return fmt.Errorf("whatsapp send: %s (%s): %w", e, what, chat.ErrUndeliverable)
	}
	if what, ok := wait[e.Code]; ok {
		return &chat.RetryAfter{Wait: rateLimitWait, Err: fmt.Errorf("whatsapp send: %s (%s)", e, what)}
	}
	return fmt.Errorf("whatsapp send: HTTP %d, %s", httpStatus, e)
}

// rateLimitWait is how long a send waits after WhatsApp's rate-limit errors (the pair limit
// recovers at one message per 6 s).
const rateLimitWait = 16 * time.Second
