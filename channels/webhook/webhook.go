// Package webhook is Tandem's generic channel for any other platform: JSON in and out, each
// request signed with HMAC-SHA256 over "<timestamp>.<body>" and refused outside a replay window.
//
// Inbound: POST /webhooks/generic with headers X-Tandem-Timestamp (Unix seconds) and
// X-Tandem-Signature ("sha256=" + hex HMAC), body {"user_id","name","message_id","text",
// "attachments"}; attachments ([{"kind","url","name","mime_type"}], optional) are what the bot
// cannot read: they reach an agent as descriptions, and a message of attachments only is handed
// to a person, the customer told so.
// Outbound: POST to the configured URL, signed the same way, body
// {"user_id","conversation_id","message_id","author","text"}, header Idempotency-Key
// ("tandem-<message_id>"); any 2xx means delivered. Delivery is at least once: after a crash
// between the receiver's 2xx and Tandem recording it, the same reply is sent again with the same
// key, and the receiver must show it once.
package webhook

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
const Channel = "generic"

// Limits of the generic webhook.
const (
	ReplayWindow = 5 * time.Minute
	maxBody      = 1 << 20
	maxUserID    = 200
	customerPref = "wh-"
)

// Adapter is the generic webhook channel.
type Adapter struct {
	Secret   string // signs both directions
	URL      string // where replies go
	Receiver channels.Receiver
	Client   *http.Client
	Log      *slog.Logger
	Now      func() time.Time
}

// Message is an inbound delivery.
type Message struct {
	UserID      string       `json:"user_id"`
	Name        string       `json:"name"`
	MessageID   string       `json:"message_id"`
	Text        string       `json:"text"`
	Attachments []Attachment `json:"attachments"`
}

// Attachment is a non-text part of an inbound message.
type Attachment struct {
	Kind     string `json:"kind"` // image, file, voice, audio, video, location, sticker, contact, link
	URL      string `json:"url"`
	Name     string `json:"name"`
	MimeType string `json:"mime_type"`
}

// maxAttachments bounds the attachments of one message.
const maxAttachments = 10

// attachments converts the message's attachments; a kind Tandem does not know is "other".
func (m Message) attachments() []chat.Attachment {
	var out []chat.Attachment
	for _, a := range m.Attachments {
		kind := a.Kind
		if !chat.KnownKind(kind) {
			kind = chat.KindOther
		}
		out = append(out, chat.Attachment{Kind: kind, URL: a.URL, Name: a.Name, Type: a.MimeType})
	}
	return out
}

// Sign returns the signature header value for a timestamp and body.
func Sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", ts)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// IdempotencyKey is the Idempotency-Key of a reply: the same for every send of one message.
func IdempotencyKey(messageID int64) string { return "tandem-" + strconv.FormatInt(messageID, 10) }

// ParseMessage decodes and checks one inbound body.
func ParseMessage(body []byte) (Message, error) {
	var m Message
	if err := json.Unmarshal(body, &m); err != nil {
		return m, fmt.Errorf("webhook message: %w", err)
	}
	switch {
	case m.UserID == "" || len(m.UserID) > maxUserID:
		return m, fmt.Errorf("webhook message: user_id is required, at most %d bytes", maxUserID)
	case m.MessageID == "":
		return m, errors.New("webhook message: message_id is required (it makes redeliveries safe)")
	case strings.TrimSpace(m.Text) == "" && len(m.Attachments) == 0:
		return m, errors.New("webhook message: text or attachments are required")
	case len(m.Attachments) > maxAttachments:
		return m, fmt.Errorf("webhook message: at most %d attachments", maxAttachments)
	}
	return m, nil
}

// verify checks the timestamp is within the replay window and the signature matches.
func (a *Adapter) verify(r *http.Request, body []byte) error {
	ts, err := strconv.ParseInt(r.Header.Get("X-Tandem-Timestamp"), 10, 64)
	if err != nil {
		return errors.New("missing or bad X-Tandem-Timestamp")
	}
	if d := a.Now().Sub(time.Unix(ts, 0)); d > ReplayWindow || d < -ReplayWindow {
		return errors.New("X-Tandem-Timestamp is outside the 5-minute replay window")
	}
	if !hmac.Equal([]byte(r.Header.Get("X-Tandem-Signature")), []byte(Sign(a.Secret, ts, body))) {
		return errors.New("bad or missing X-Tandem-Signature")
	}
	return nil
}

// Authentic implements channels.Authenticator: a fresh, correctly signed delivery.
func (a *Adapter) Authentic(r *http.Request, body []byte) bool { return a.verify(r, body) == nil }

// ServeHTTP takes an inbound message.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", "body over 1 MiB")
		return
	}
	if err := a.verify(r, body); err != nil {
		writeError(w, http.StatusUnauthorized, "unauthorized", err.Error())
		return
	}
	m, err := ParseMessage(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	in := channels.Inbound{Channel: Channel, CustomerKey: customerPref + m.UserID, ExternalID: m.UserID, Name: m.Name,
		MessageID: m.MessageID, Text: m.Text, Attachments: m.attachments()}
	if err := a.Receiver.FromChannel(r.Context(), in); err != nil {
		if chat.ErrorCode(err) == chat.EINVALID {
			writeError(w, http.StatusBadRequest, "invalid", chat.ErrorMessage(err))
			return
		}
		a.Log.Error("webhook message not stored", "message_id", m.MessageID, "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "not stored; deliver it again")
		return
	}
	w.WriteHeader(http.StatusOK)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// Send posts a reply to the configured URL. It implements conversation.Sender.
func (a *Adapter) Send(ctx context.Context, conv chat.Conversation, m chat.Message) error {
	user, ok := strings.CutPrefix(conv.CustomerID, customerPref)
	if !ok {
		return fmt.Errorf("webhook: conversation %s has no webhook user", conv.ID)
	}
	body, _ := json.Marshal(map[string]any{"user_id": user, "conversation_id": conv.ID, "message_id": m.ID,
		"author": m.Author, "text": m.Text})
	ts := a.Now().Unix()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", IdempotencyKey(m.ID))
	req.Header.Set("X-Tandem-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Tandem-Signature", Sign(a.Secret, ts, body))
	res, err := a.Client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook send: %w", err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("webhook send: HTTP %d", res.StatusCode)
	}
	return nil
}
