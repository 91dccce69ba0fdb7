// Package whatsapp is the WhatsApp Business Cloud API channel: the webhook's verification
// handshake, signed deliveries (X-Hub-Signature-256 over the raw body) with text messages, and
// replies through the Graph API's messages endpoint.
package whatsapp

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
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

// rateLimitWait is how long a send waits after WhatsApp's rate-limit errors (the pair limit
// recovers at one message per 6 s).
const rateLimitWait = 16 * time.Second

// Window is WhatsApp's customer-service window: free-form messages only within 24 hours of the
// customer's last message.
const Window = 24 * time.Hour

// Payload is the part of a webhook delivery Tandem reads.
type Payload struct {
	Object string `json:"object"`
	Entry  []struct {
		Changes []struct {
			Field string `json:"field"`
			Value struct {
				Contacts []struct {
					WaID    string `json:"wa_id"`
					Profile struct {
						Name string `json:"name"`
					} `json:"profile"`
				} `json:"contacts"`
				Messages []struct {
					From string `json:"from"`
					ID   string `json:"id"`
					Type string `json:"type"`
					Text struct {
						Body string `json:"body"`
					} `json:"text"`
				} `json:"messages"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

// ParsePayload decodes one delivery and lists its text messages as inbound messages.
func ParsePayload(body []byte) ([]channels.Inbound, error) {
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("whatsapp payload: %w", err)
	}
	if p.Object != "whatsapp_business_account" {
		return nil, errors.New("whatsapp payload: object is not whatsapp_business_account")
	}
	var out []channels.Inbound
	for _, e := range p.Entry {
		for _, c := range e.Changes {
			names := map[string]string{}
			for _, ct := range c.Value.Contacts {
				names[ct.WaID] = ct.Profile.Name
			}
			for _, m := range c.Value.Messages {
				if c.Field != "messages" || m.Type != "text" || m.ID == "" || m.From == "" || strings.TrimSpace(m.Text.Body) == "" {
					continue // statuses, media, reactions…: not handled
				}
				out = append(out, channels.Inbound{Channel: Channel, CustomerKey: customerPref + m.From, ExternalID: m.From,
					Name: names[m.From], MessageID: m.ID, Text: m.Text.Body})
			}
		}
	}
	return out, nil
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
		io.WriteString(w, q.Get("hub.challenge"))
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
	msgs, err := ParsePayload(body)
	if err != nil {
		http.Error(w, `{"error":{"code":"invalid","message":"not a WhatsApp delivery"}}`, http.StatusBadRequest)
		return
	}
	for _, in := range msgs {
		if err := channels.Take(r.Context(), a.Receiver, in, a.Log); err != nil {
			a.Log.Error("whatsapp message not stored; Meta will retry", "wamid", in.MessageID, "err", err)
			http.Error(w, `{"error":{"code":"internal","message":"try again"}}`, http.StatusInternalServerError)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
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
// conversation.Sender; a failure is retried by the outbox.
func (a *Adapter) Send(ctx context.Context, conv chat.Conversation, m chat.Message) error {
	to, ok := strings.CutPrefix(conv.CustomerID, customerPref)
	if !ok || to == "" {
		return fmt.Errorf("whatsapp: conversation %s has no WhatsApp user: %w", conv.ID, chat.ErrUndeliverable)
	}
	if !conv.LastCustomerAt.IsZero() && a.Now().Sub(conv.LastCustomerAt) > Window {
		if a.Template != "" {
			return a.sendTemplate(ctx, to, m.Text)
		}
		return fmt.Errorf("whatsapp: outside the 24-hour customer-service window (the customer last wrote %s; only an approved template may be sent): %w",
			conv.LastCustomerAt.Format(time.RFC3339), chat.ErrUndeliverable)
	}
	parts := channels.Split(m.Text, maxText)
	if d := a.Pacer.Wait(to, len(parts), a.Now()); d > 0 {
		return &chat.RetryAfter{Wait: d, Err: fmt.Errorf("whatsapp: pacing messages to %s", to)}
	}
	for _, part := range parts {
		body := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": "+" + strings.TrimPrefix(to, "+"),
			"type": "text", "text": map[string]any{"preview_url": false, "body": part}}
		if err := a.post(ctx, body); err != nil {
			return err
		}
	}
	return nil
}

// maxTemplateParam bounds a template's body parameter (WhatsApp refuses longer ones).
const maxTemplateParam = 1000

// sendTemplate sends the configured template with text as its body parameter: newlines and
// tabs become spaces (WhatsApp refuses them in parameters) and long text is cut.
func (a *Adapter) sendTemplate(ctx context.Context, to, text string) error {
	name, lang, _ := strings.Cut(a.Template, ":")
	param := strings.Join(strings.Fields(text), " ")
	if r := []rune(param); len(r) > maxTemplateParam {
		param = string(r[:maxTemplateParam-1]) + "…"
	}
	if d := a.Pacer.Wait(to, 1, a.Now()); d > 0 {
		return &chat.RetryAfter{Wait: d, Err: fmt.Errorf("whatsapp: pacing messages to %s", to)}
	}
	return a.post(ctx, map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": "+" + strings.TrimPrefix(to, "+"),
		"type": "template", "template": map[string]any{"name": name, "language": map[string]string{"code": cmp.Or(lang, "en_US")},
			"components": []any{map[string]any{"type": "body", "parameters": []any{map[string]string{"type": "text", "text": param}}}}}})
}

func (a *Adapter) post(ctx context.Context, body any) error {
	b, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.APIBase+"/"+a.PhoneID+"/messages", bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.Token)
	res, err := a.Client.Do(req)
	if err != nil {
		return fmt.Errorf("whatsapp send: %w", err)
	}
	defer res.Body.Close()
	var r struct {
		Messages []struct{ ID string } `json:"messages"`
		Error    struct {
			Message string `json:"message"`
			Code    int    `json:"code"`
		} `json:"error"`
	}
	json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&r)
	if res.StatusCode == http.StatusOK && len(r.Messages) > 0 {
		return nil
	}
	switch r.Error.Code {
	case 131047: // re-engagement: the window closed
		return fmt.Errorf("whatsapp send: error 131047 %s: %w", r.Error.Message, chat.ErrUndeliverable)
	case 131056, 130429: // pair rate limit, throughput limit: wait, then retry
		return &chat.RetryAfter{Wait: rateLimitWait, Err: fmt.Errorf("whatsapp send: error %d %s", r.Error.Code, r.Error.Message)}
	}
	return fmt.Errorf("whatsapp send: HTTP %d, error %d: %s", res.StatusCode, r.Error.Code, r.Error.Message)
}
