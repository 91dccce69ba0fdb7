// Package telegram is the Telegram Bot API channel: a webhook that checks the secret token and
// takes private messages in (text, captions, media, /start), and a sender that delivers replies
// with sendMessage.
package telegram

import (
	"bytes"
	"context"
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
const Channel = "telegram"

// Limits from the Bot API.
const (
	maxText       = 4096    // UTF-16 code units per sendMessage
	maxUpdateSize = 1 << 20 // bytes of one webhook delivery
	customerPref  = "tg-"   // Tandem customer ids are tg-<chat id>
)

// DefaultAPIBase is the Bot API's address.
const DefaultAPIBase = "https://api.telegram.org"

// Adapter is the Telegram channel.
type Adapter struct {
	Token    string // the bot token
	Secret   string // the webhook's secret_token
	APIBase  string // DefaultAPIBase unless a proxy or a test server
	Receiver channels.Receiver
	Client   *http.Client
	Log      *slog.Logger
	// Pacer spaces sends per chat (nil: no pacing beyond Telegram's own 429s).
	Pacer *channels.Pacer
	// Greeting answers /start and /help ("": chat.NoticeGreeting in the user's language).
	Greeting string
}

// Update is the part of a Telegram update Tandem reads.
type Update struct {
	UpdateID int64    `json:"update_id"`
	Message  *Message `json:"message"`
}

// Message is an incoming message: text, or media with an optional caption.
type Message struct {
	MessageID int64  `json:"message_id"`
	Text      string `json:"text"`
	media
	Chat struct {
		ID   int64  `json:"id"`
		Type string `json:"type"`
	} `json:"chat"`
	From *struct {
		ID           int64  `json:"id"`
		IsBot        bool   `json:"is_bot"`
		FirstName    string `json:"first_name"`
		LastName     string `json:"last_name"`
		LanguageCode string `json:"language_code"`
	} `json:"from"`
}

// ParseUpdate decodes one webhook body.
func ParseUpdate(body []byte) (Update, error) {
	var u Update
	if err := json.Unmarshal(body, &u); err != nil {
		return u, fmt.Errorf("telegram update: %w", err)
	}
	if u.UpdateID == 0 {
		return u, errors.New("telegram update: no update_id")
	}
	return u, nil
}

// Authentic implements channels.Authenticator: the delivery carries the webhook's secret_token.
func (a *Adapter) Authentic(r *http.Request, _ []byte) bool {
	return channels.SecretEqual(r.Header.Get("X-Telegram-Bot-Api-Secret-Token"), a.Secret)
}

// ServeHTTP is the webhook. A wrong or missing secret gets 401 and nothing is stored; /start and
// /help are answered with the greeting; photos, files, voice, stickers, locations and contacts
// reach the conversation (a caption goes to the bot); updates other than private messages are
// acknowledged and ignored; a failure to store gets 500 so Telegram delivers again
// (deduplicated by update_id).
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !channels.SecretEqual(r.Header.Get("X-Telegram-Bot-Api-Secret-Token"), a.Secret) {
		http.Error(w, `{"error":{"code":"unauthorized","message":"bad or missing X-Telegram-Bot-Api-Secret-Token"}}`, http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpdateSize))
	if err != nil {
		http.Error(w, `{"error":{"code":"too_large","message":"update over 1 MiB"}}`, http.StatusRequestEntityTooLarge)
		return
	}
	u, err := ParseUpdate(body)
	if err != nil {
		http.Error(w, `{"error":{"code":"invalid","message":"not a Telegram update"}}`, http.StatusBadRequest)
		return
	}
	m := u.Message
	if m == nil || m.Chat.Type != "private" || (m.From != nil && m.From.IsBot) {
		w.WriteHeader(http.StatusOK) // edits, groups, channel posts…: acknowledged, not handled
		return
	}
	in, ok := a.inbound(u)
	if !ok {
		w.WriteHeader(http.StatusOK) // a service message (pinned, …): nothing to answer
		return
	}
	go a.typing(m.Chat.ID)
	if err := channels.Take(r.Context(), a.Receiver, in, a.Log); err != nil {
		a.Log.Error("telegram message not stored; Telegram will retry", "update_id", u.UpdateID, "err", err)
		http.Error(w, `{"error":{"code":"internal","message":"try again"}}`, http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// Send delivers a message with sendMessage, split at 4,096 UTF-16 code units (Telegram's
// count). It implements conversation.Sender; errors are classified by callError.
func (a *Adapter) Send(ctx context.Context, conv chat.Conversation, m chat.Message) error {
	chatID, err := strconv.ParseInt(strings.TrimPrefix(conv.CustomerID, customerPref), 10, 64)
	if err != nil || !strings.HasPrefix(conv.CustomerID, customerPref) {
		return fmt.Errorf("telegram: conversation %s has no Telegram chat", conv.ID)
	}
	parts := channels.SplitUTF16(m.Text, maxText)
	if d := a.Pacer.Wait(strconv.FormatInt(chatID, 10), len(parts), time.Now()); d > 0 {
		return &chat.RetryAfter{Wait: d, Err: fmt.Errorf("telegram: pacing chat %d", chatID)}
	}
	for i, part := range parts {
		if i > 0 {
			time.Sleep(partGap) // Telegram asks for at most one message a second per chat
		}
		if err := a.call(ctx, "sendMessage", map[string]any{"chat_id": chatID, "text": part}); err != nil {
			return err
		}
	}
	return nil
}

// partGap paces the parts of a long reply.
const partGap = time.Second

// typing shows "typing…" in the chat while the bot works (best effort: it clears by itself after
// 5 s or with the reply).
func (a *Adapter) typing(chatID int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.call(ctx, "sendChatAction", map[string]any{"chat_id": chatID, "action": "typing"}); err != nil {
		a.Log.Debug("telegram typing indicator failed", "err", err)
	}
}

// apiError is a Bot API error response.
type apiError struct {
	OK          bool   `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

func (a *Adapter) call(ctx context.Context, method string, body any) error {
	b, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.APIBase+"/bot"+a.Token+"/"+method, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := a.Client.Do(req)
	if err != nil {
		return fmt.Errorf("telegram %s: %w", method, redact(err, a.Token))
	}
	defer res.Body.Close()
	var r apiError
	json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&r)
	if res.StatusCode == http.StatusOK && r.OK {
		return nil
	}
	return callError(method, res.StatusCode, r)
}

// redact keeps the bot token (part of the URL) out of errors and logs.
func redact(err error, token string) error {
	if token == "" {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "<token>"))
}
