// Package whatsapp is the WhatsApp Business Cloud API channel: the webhook's verification
// handshake, signed deliveries (X-Hub-Signature-256 over the raw body) with every message type
// and failed statuses, and replies through the Graph API's messages endpoint, to a phone number
// or to the business-scoped user id of a user with a username.
package whatsapp

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"tandem/channels"
	"tandem/chat"
)

// Channel is this channel's name on conversations and messages.
const Channel = "whatsapp"

// Limits from the Cloud API.
const (
	maxText      = 4096    // characters per text message
	maxBody      = 3 << 20 // bytes of one webhook delivery
	customerPref = "wa-"   // Tandem customer ids are wa-<wa_id>
)

// DefaultAPIBase is the Graph API's address and version.
const DefaultAPIBase = "https://graph.facebook.com/v25.0"

// Adapter is the WhatsApp channel.
type Adapter struct {
	Token       string // the access token for sends
	AppSecret   string // signs deliveries
	VerifyToken string // answers the GET handshake
	PhoneID     string // the business number's phone_number_id
	APIBase     string // DefaultAPIBase unless a proxy or a test server
	Receiver    channels.Receiver
	Client      *http.Client
	Log         *slog.Logger
	Now         func() time.Time
	// Pacer spaces sends per user (WhatsApp's pair limit; nil: no pacing).
	Pacer *channels.Pacer
	// Template is an approved template "name:language" (e.g. "support_reply:en_US") with one
	// body parameter, used outside the 24-hour window to carry the reply; empty: such replies are
	// set aside with a note for an agent.
	Template string
}

// Window is WhatsApp's customer-service window: free-form messages only within 24 hours of the
// customer's last message.
const Window = 24 * time.Hour

// Authentic implements channels.Authenticator: a handshake with the verify token, or a delivery
// signed with the app secret.
func (a *Adapter) Authentic(r *http.Request, body []byte) bool {
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		return q.Get("hub.mode") == "subscribe" && channels.SecretEqual(q.Get("hub.verify_token"), a.VerifyToken)
	}
	return a.signed(r.Header.Get("X-Hub-Signature-256"), body)
}

// ServeHTTP is the webhook: GET answers Meta's verification, POST takes deliveries. A bad or
// missing signature gets 401 and nothing is stored; a failure to store gets 500 so Meta delivers
// again (deduplicated by wamid).
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		if q.Get("hub.mode") != "subscribe" || !channels.SecretEqual(q.Get("hub.verify_token"), a.VerifyToken) {
			http.Error(w, "verification failed", http.StatusForbidden)
			return
		}
		if !channels.ValidChallenge(q.Get("hub.challenge")) {
			http.Error(w, "hub.challenge must be 1–128 letters, digits, _ or -", http.StatusBadRequest)
			return
		}
		channels.WriteEcho(w, q.Get("hub.challenge"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, `{"error":{"code":"too_large","message":"delivery over 3 MB"}}`, http.StatusRequestEntityTooLarge)
		return
	}
	if !a.signed(r.Header.Get("X-Hub-Signature-256"), body) {
		http.Error(w, `{"error":{"code":"unauthorized","message":"bad or missing X-Hub-Signature-256"}}`, http.StatusUnauthorized)
		return
	}
	d, err := ParsePayload(body)
	if err != nil {
		http.Error(w, `{"error":{"code":"invalid","message":"not a WhatsApp delivery"}}`, http.StatusBadRequest)
		return
	}
	if err := a.take(r.Context(), d); err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"try again"}}`, http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// take stores a delivery's messages and failures; an error means Meta should deliver it again.
func (a *Adapter) take(ctx context.Context, d Delivery) error {
	for _, in := range d.Messages {
		if err := channels.Take(ctx, a.Receiver, in, a.Log); err != nil {
			a.Log.Error("whatsapp message not stored; Meta will retry", "wamid", in.MessageID, "err", err)
			return err
		}
	}
	u, ok := a.Receiver.(channels.Undelivered)
	for _, f := range d.Failures {
		if !ok {
			break
		}
		if err := u.Undelivered(ctx, Channel, f.WAMID, f.Reason); err != nil {
			a.Log.Error("whatsapp failed status not stored; Meta will retry", "wamid", f.WAMID, "err", err)
			return err
		}
	}
	return nil
}

// signed checks "sha256=<hex HMAC-SHA256(app secret, raw body)>" in constant time.
func (a *Adapter) signed(header string, body []byte) bool {
	got, ok := strings.CutPrefix(header, "sha256=")
	if !ok || a.AppSecret == "" {
		return false
	}
	sig, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(a.AppSecret))
	mac.Write(body)
	return hmac.Equal(sig, mac.Sum(nil))
}

// Send delivers a message as text messages of at most 4,096 characters. It implements
// conversation.Sender; errors are classified by sendError.
func (a *Adapter) Send(ctx context.Context, conv chat.Conversation, m chat.Message) error {
	_, err := a.SendRef(ctx, conv, m)
	return err
}

// SendRef is Send returning the wamid of each message sent, which a later "failed" status names.
// It implements conversation.RefSender.
func (a *Adapter) SendRef(ctx context.Context, conv chat.Conversation, m chat.Message) ([]string, error) {
	to, ok := strings.CutPrefix(conv.CustomerID, customerPref)
	if !ok || to == "" {
		return nil, fmt.Errorf("whatsapp: conversation %s has no WhatsApp user: %w", conv.ID, chat.ErrUndeliverable)
	}
	if !conv.LastCustomerAt.IsZero() && a.Now().Sub(conv.LastCustomerAt) > Window {
		if a.Template != "" {
			return a.sendTemplate(ctx, to, m.Text)
		}
		return nil, fmt.Errorf("whatsapp: outside the 24-hour customer-service window (the customer last wrote %s; only an approved template may be sent): %w",
			conv.LastCustomerAt.Format(time.RFC3339), chat.ErrUndeliverable)
	}
	parts := channels.Split(m.Text, maxText)
	if d := a.Pacer.Wait(to, len(parts), a.Now()); d > 0 {
		return nil, &chat.RetryAfter{Wait: d, Err: fmt.Errorf("whatsapp: pacing messages to %s", to)}
	}
	var refs []string
	for _, part := range parts {
		body := addressed(to)
		body["type"], body["text"] = "text", map[string]any{"preview_url": false, "body": part}
		id, err := a.post(ctx, body)
		if err != nil {
			return refs, err
		}
		refs = append(refs, id)
	}
	return refs, nil
}

// addressed starts a send to a user: "to" with a phone number, or, for a user known only by the
// business-scoped user id of their username, "recipient" with that id, as Meta documents.
func addressed(user string) map[string]any {
	body := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual"}
	if isPhone(user) {
		body["to"] = "+" + strings.TrimPrefix(user, "+")
	} else {
		body["recipient"] = user
	}
	return body
}

// isPhone tells a phone number (digits) from a BSUID ("US.13491208655302741918").
func isPhone(user string) bool {
	for _, r := range strings.TrimPrefix(user, "+") {
		if r < '0' || r > '9' {
			return false
		}
	}
	return user != ""
}

// maxTemplateParam bounds a template's body parameter (WhatsApp refuses longer ones).
const maxTemplateParam = 1000

// sendTemplate sends the configured template with text as its body parameter: newlines and
// tabs become spaces (WhatsApp refuses them in parameters) and long text is cut.
func (a *Adapter) sendTemplate(ctx context.Context, to, text string) ([]string, error) {
	name, lang, _ := strings.Cut(a.Template, ":")
	param := strings.Join(strings.Fields(text), " ")
	if r := []rune(param); len(r) > maxTemplateParam {
		param = string(r[:maxTemplateParam-1]) + "…"
	}
	if d := a.Pacer.Wait(to, 1, a.Now()); d > 0 {
		return nil, &chat.RetryAfter{Wait: d, Err: fmt.Errorf("whatsapp: pacing messages to %s", to)}
	}
	body := addressed(to)
	body["type"], body["template"] = "template", map[string]any{"name": name, "language": map[string]string{"code": cmp.Or(lang, "en_US")},
		"components": []any{map[string]any{"type": "body", "parameters": []any{map[string]string{"type": "text", "text": param}}}}}
	id, err := a.post(ctx, body)
	if err != nil {
		return nil, err
	}
	return []string{id}, nil
}

// post sends one message and returns its wamid.
func (a *Adapter) post(ctx context.Context, body any) (string, error) {
	b, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.APIBase+"/"+a.PhoneID+"/messages", bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.Token)
	res, err := a.Client.Do(req)
	if err != nil {
		return "", fmt.Errorf("whatsapp send: %w", err)
	}
	defer res.Body.Close()
	var r struct {
		Messages []struct{ ID string } `json:"messages"`
		Error    apiError              `json:"error"`
	}
	json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&r)
	if res.StatusCode == http.StatusOK && len(r.Messages) > 0 {
		return r.Messages[0].ID, nil
	}
	return "", sendError(res.StatusCode, r.Error)
}
