// Package chatwoot runs Tandem as an Agent Bot inside an existing Chatwoot inbox: Chatwoot posts
// message_created webhooks, Tandem answers through Chatwoot's messages API, and hands a
// conversation to Chatwoot's agents by setting its status to open.
package chatwoot

import (
	"bytes"
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
	"strconv"
	"strings"
	"time"

	"tandem/channels"
	"tandem/chat"
)

// Channel is this channel's name on conversations and messages.
const Channel = "chatwoot"

// Limits of the Chatwoot webhook.
const (
	ReplayWindow = 5 * time.Minute
	maxBody      = 1 << 20
	customerPref = "cw-" // Tandem customer ids are cw-<account>-<conversation display id>
)

// Adapter is the Chatwoot Agent Bot channel.
type Adapter struct {
	URL      string // the Chatwoot installation, e.g. https://chat.example.com
	Token    string // the agent bot's access token (header api_access_token)
	Secret   string // the agent bot's webhook secret
	Receiver channels.Receiver
	Client   *http.Client
	Log      *slog.Logger
	Now      func() time.Time
}

// Event is the part of an Agent Bot webhook Tandem reads.
type Event struct {
	Event       string `json:"event"`
	ID          int64  `json:"id"`
	Content     string `json:"content"`
	MessageType string `json:"message_type"`
	Private     bool   `json:"private"`
	Sender      struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"sender"`
	Conversation struct {
		ID     int64  `json:"id"` // the display id, which the REST paths expect
		Status string `json:"status"`
	} `json:"conversation"`
	Account struct {
		ID int64 `json:"id"`
	} `json:"account"`
}

// ParseEvent decodes one webhook body and reports whether it is a customer's message to handle.
func ParseEvent(body []byte) (Event, bool, error) {
	var e Event
	if err := json.Unmarshal(body, &e); err != nil {
		return e, false, fmt.Errorf("chatwoot event: %w", err)
	}
	if e.Event == "" {
		return e, false, errors.New("chatwoot event: no event name")
	}
	handle := e.Event == "message_created" && e.MessageType == "incoming" && !e.Private &&
		e.ID > 0 && e.Conversation.ID > 0 && e.Account.ID > 0 && strings.TrimSpace(e.Content) != ""
	return e, handle, nil
}

// verify checks X-Chatwoot-Signature over "{timestamp}.{raw body}" and the replay window.
func (a *Adapter) verify(r *http.Request, body []byte) error {
	ts, err := strconv.ParseInt(r.Header.Get("X-Chatwoot-Timestamp"), 10, 64)
	if err != nil {
		return errors.New("missing or bad X-Chatwoot-Timestamp")
	}
	if d := a.Now().Sub(time.Unix(ts, 0)); d > ReplayWindow || d < -ReplayWindow {
		return errors.New("X-Chatwoot-Timestamp is outside the 5-minute replay window")
	}
	mac := hmac.New(sha256.New, []byte(a.Secret))
	fmt.Fprintf(mac, "%d.", ts)
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if a.Secret == "" || !hmac.Equal([]byte(r.Header.Get("X-Chatwoot-Signature")), []byte(want)) {
		return errors.New("bad or missing X-Chatwoot-Signature")
	}
	return nil
}

// ServeHTTP takes Agent Bot webhooks; only customers' public messages are handled.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, `{"error":{"code":"too_large","message":"body over 1 MiB"}}`, http.StatusRequestEntityTooLarge)
		return
	}
	if err := a.verify(r, body); err != nil {
		http.Error(w, fmt.Sprintf(`{"error":{"code":"unauthorized","message":%q}}`, err.Error()), http.StatusUnauthorized)
		return
	}
	e, handle, err := ParseEvent(body)
	if err != nil {
		http.Error(w, `{"error":{"code":"invalid","message":"not a Chatwoot event"}}`, http.StatusBadRequest)
		return
	}
	if !handle {
		w.WriteHeader(http.StatusOK) // our own replies, notes, other events: acknowledged
		return
	}
	key := fmt.Sprintf("%s%d-%d", customerPref, e.Account.ID, e.Conversation.ID)
	in := channels.Inbound{Channel: Channel, CustomerKey: key, ExternalID: strconv.FormatInt(e.Sender.ID, 10), Name: e.Sender.Name,
		MessageID: strconv.FormatInt(e.ID, 10), Text: e.Content}
	if err := channels.Take(r.Context(), a.Receiver, in, a.Log); err != nil {
		a.Log.Error("chatwoot message not stored; Chatwoot will retry", "message_id", e.ID, "err", err)
		http.Error(w, `{"error":{"code":"internal","message":"try again"}}`, http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// Send posts the reply into the Chatwoot conversation; a handoff also opens the conversation for
// Chatwoot's agents. It implements conversation.Sender; a failure is retried by the outbox (the
// status change is idempotent, so a retry after a failed status change repeats it safely).
func (a *Adapter) Send(ctx context.Context, conv chat.Conversation, m chat.Message) error {
	var acc, id int64
	if _, err := fmt.Sscanf(strings.TrimPrefix(conv.CustomerID, customerPref), "%d-%d", &acc, &id); err != nil || !strings.HasPrefix(conv.CustomerID, customerPref) {
		return fmt.Errorf("chatwoot: conversation %s has no Chatwoot conversation", conv.ID)
	}
	base := fmt.Sprintf("%s/api/v1/accounts/%d/conversations/%d", strings.TrimRight(a.URL, "/"), acc, id)
	if err := a.post(ctx, base+"/messages", map[string]any{"content": m.Text, "message_type": "outgoing", "private": false}); err != nil {
		return err
	}
	if m.Decision == chat.DecisionHandoff {
		return a.post(ctx, base+"/toggle_status", map[string]any{"status": "open"})
	}
	return nil
}

func (a *Adapter) post(ctx context.Context, url string, body any) error {
	b, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("api_access_token", a.Token)
	res, err := a.Client.Do(req)
	if err != nil {
		return fmt.Errorf("chatwoot: %w", err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("chatwoot %s: HTTP %d", url[strings.LastIndex(url, "/")+1:], res.StatusCode)
	}
	return nil
}
