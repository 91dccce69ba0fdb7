// Package chatwoot runs Tandem as an Agent Bot inside an existing Chatwoot inbox: Chatwoot posts
// message_created webhooks, Tandem answers through Chatwoot's messages API, and hands a
// conversation to Chatwoot's agents by setting its status to open.
//
// Each Chatwoot conversation is its own Tandem conversation (its thread is
// "<account>/<conversation display id>"), and replies go to the conversation the message came
// from. A webhook is acknowledged as soon as the message is stored, well inside Chatwoot's 5 s
// timeout; the bot's turn runs afterwards and its reply goes out through the outbox. Tandem follows
// the conversation's status and assignee in Chatwoot: open for people or assigned to a person
// moves it to people (the bot stays silent), resolved closes it, pending gives it back to the bot.
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
	customerPref = "cw-" // legacy Tandem customer ids: cw-<account>-<conversation display id>
	// AssigneePrefix marks a Tandem assignee that is a person in Chatwoot, e.g. "chatwoot:12".
	AssigneePrefix = "chatwoot:"
)

// Adapter is the Chatwoot Agent Bot channel.
type Adapter struct {
	URL    string // the Chatwoot installation, e.g. https://chat.example.com
	Token  string // the agent bot's access token (header api_access_token)
	Secret string // the agent bot's webhook secret
	// AccountSecret is an account webhook's secret, when one also posts here (its
	// conversation_status_changed and conversation_updated carry assignee changes).
	AccountSecret string
	Receiver      channels.Receiver
	Client        *http.Client
	Log           *slog.Logger
	Now           func() time.Time
}

// ID is a Chatwoot id: a JSON number, or a number in a string as Chatwoot's webhook docs show
// ("id": "1"); null and "" are 0.
type ID int64

// UnmarshalJSON implements json.Unmarshaler.
func (i *ID) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		*i = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("chatwoot id %s: %w", b, err)
	}
	*i = ID(n)
	return nil
}

// Person is a Chatwoot user or agent bot as events carry them.
type Person struct {
	ID   ID     `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"` // "contact", "user", "agent_bot"
}

// Conversation is the part of a Chatwoot conversation Tandem reads.
type Conversation struct {
	ID        ID     `json:"id"`         // the display id, which the REST paths expect
	DisplayID ID     `json:"display_id"` // the same, under this name in Chatwoot's docs
	Status    string `json:"status"`
	Meta      struct {
		Assignee     *Person `json:"assignee"`
		AssigneeType string  `json:"assignee_type"`
	} `json:"meta"`
	AdditionalAttributes struct {
		BrowserLanguage string `json:"browser_language"`
	} `json:"additional_attributes"`
}

// Attachment is a file, location or card on a message.
type Attachment struct {
	FileType      string  `json:"file_type"` // image, audio, video, file, location, fallback, share, story_mention, contact
	DataURL       string  `json:"data_url"`
	Extension     string  `json:"extension"`
	FallbackTitle string  `json:"fallback_title"`
	Lat           float64 `json:"coordinates_lat"`
	Long          float64 `json:"coordinates_long"`
}

// Event is the part of a webhook Tandem reads: a message event (message.webhook_data) or a
// conversation event (conversation.webhook_data at the top level).
type Event struct {
	Event        string       `json:"event"`
	ID           ID           `json:"id"` // the message id, or the conversation's display id
	Content      string       `json:"content"`
	MessageType  string       `json:"message_type"`
	Private      bool         `json:"private"`
	Sender       Person       `json:"sender"`
	Conversation Conversation `json:"conversation"`
	Account      struct {
		ID ID `json:"id"`
	} `json:"account"`
	Attachments []Attachment `json:"attachments"`
	// Conversation events.
	Status   string `json:"status"`
	Meta     json.RawMessage
	Messages []struct {
		AccountID ID `json:"account_id"`
	} `json:"messages"`
}

// conversationEvents change a conversation's status or assignee. Agent bots get
// conversation_opened and conversation_resolved; account webhooks conversation_status_changed and
// conversation_updated.
var conversationEvents = map[string]bool{"conversation_opened": true, "conversation_resolved": true,
	"conversation_status_changed": true, "conversation_updated": true}

// ParseEvent decodes one webhook body and reports whether it is a customer's message to handle
// (public, incoming, with text or attachments).
func ParseEvent(body []byte) (Event, bool, error) {
	var e Event
	if err := json.Unmarshal(body, &e); err != nil {
		return e, false, fmt.Errorf("chatwoot event: %w", err)
	}
	if e.Event == "" {
		return e, false, errors.New("chatwoot event: no event name")
	}
	if e.Conversation.ID == 0 {
		e.Conversation.ID = e.Conversation.DisplayID
	}
	handle := e.Event == "message_created" && e.MessageType == "incoming" && !e.Private &&
		e.ID > 0 && e.Conversation.ID > 0 && e.Account.ID > 0 && (strings.TrimSpace(e.Content) != "" || len(e.Attachments) > 0)
	return e, handle, nil
}

// Thread is Tandem's name for a Chatwoot conversation.
func Thread(account, conversation ID) string { return fmt.Sprintf("%d/%d", account, conversation) }

// person is the Tandem assignee for a Chatwoot assignee that is a person ("" for none or a bot).
func person(c Conversation) string {
	a := c.Meta.Assignee
	if a == nil || a.ID == 0 || a.Type == "agent_bot" || c.Meta.AssigneeType == "AgentBot" {
		return ""
	}
	return AssigneePrefix + strconv.FormatInt(int64(a.ID), 10)
}

// owner maps a Chatwoot conversation's state to Tandem's owner. Only an explicit status event
// gives a conversation back to the bot (pending) or closes it (resolved): a message event's status
// may predate Tandem's own handoff. ok is false when nothing follows.
func owner(c Conversation, explicit bool) (to chat.Owner, assignee string, ok bool) {
	switch c.Status {
	case "open", "snoozed":
		if p := person(c); p != "" {
			return chat.OwnerHuman, p, true
		}
		return chat.OwnerWaiting, "", true
	case "pending":
		return chat.OwnerBot, "", explicit
	case "resolved":
		return chat.OwnerClosed, "", explicit
	}
	return "", "", false
}

// conversationOf is a conversation event's conversation and account (0 when it carries no
// message to read the account from: Tandem has no conversation for it then).
func (e Event) conversationOf() (Conversation, ID) {
	c := Conversation{ID: e.ID, Status: e.Status}
	if len(e.Meta) > 0 {
		json.Unmarshal(e.Meta, &c.Meta)
	}
	var account ID
	if len(e.Messages) > 0 {
		account = e.Messages[0].AccountID
	}
	return c, account
}

// describe is what an agent sees of a message's attachments.
func describe(as []Attachment) string {
	var b strings.Builder
	for _, a := range as {
		switch {
		case a.FileType == "location":
			fmt.Fprintf(&b, "[location %.6f,%.6f %s]\n", a.Lat, a.Long, a.FallbackTitle)
		case a.DataURL != "":
			fmt.Fprintf(&b, "[%s %s]\n", a.FileType, a.DataURL)
		default:
			fmt.Fprintf(&b, "[%s %s]\n", a.FileType, a.FallbackTitle)
		}
	}
	return strings.TrimSpace(b.String())
}

// lang is Tandem's language for a browser language ("zh-CN" → "zh").
func lang(browser string) string {
	switch l := strings.ToLower(browser); {
	case strings.HasPrefix(l, "zh"):
		return "zh"
	case strings.HasPrefix(l, "en"):
		return "en"
	}
	return ""
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
	got := []byte(r.Header.Get("X-Chatwoot-Signature"))
	for _, secret := range []string{a.Secret, a.AccountSecret} {
		if secret != "" && hmac.Equal(got, []byte(sign(secret, ts, body))) {
			return nil
		}
	}
	return errors.New("bad or missing X-Chatwoot-Signature")
}

// sign is the X-Chatwoot-Signature of body sent at ts.
func sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", ts)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Authentic implements channels.Authenticator: a fresh, correctly signed delivery.
func (a *Adapter) Authentic(r *http.Request, body []byte) bool { return a.verify(r, body) == nil }

// ServeHTTP takes Agent Bot (and account) webhooks: customers' public messages, and status and
// assignee changes of conversations. A message is acknowledged once stored; the bot's turn runs
// after the response.
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
	switch {
	case handle:
		err = a.message(r.Context(), e)
	case conversationEvents[e.Event]:
		err = a.follow(r.Context(), e)
	}
	if err != nil {
		// Chatwoot retries agent-bot webhooks on a 5xx only in some versions; otherwise it marks
		// the message failed and opens the conversation for its agents.
		a.Log.Error("chatwoot event not stored; answered 500", "event", e.Event, "id", e.ID, "err", err)
		http.Error(w, `{"error":{"code":"internal","message":"try again"}}`, http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK) // also our own replies, notes and other events
}

// message stores a customer's message and starts the bot's turn, which outlives the request.
func (a *Adapter) message(ctx context.Context, e Event) error {
	in := channels.Inbound{Channel: Channel, CustomerKey: fmt.Sprintf("%s%d-contact-%d", customerPref, e.Account.ID, e.Sender.ID),
		ExternalID: strconv.FormatInt(int64(e.Sender.ID), 10), Name: e.Sender.Name, MessageID: strconv.FormatInt(int64(e.ID), 10),
		Text: e.Content, Thread: Thread(e.Account.ID, e.Conversation.ID), Lang: lang(e.Conversation.AdditionalAttributes.BrowserLanguage)}
	if strings.TrimSpace(e.Content) == "" {
		in.Text, in.ForPerson = describe(e.Attachments), "attachment" // the bot cannot read it
	}
	if to, assignee, ok := owner(e.Conversation, false); ok {
		in.Held = &channels.Ownership{Channel: Channel, Thread: in.Thread, Owner: to, Assignee: assignee, Reason: "chatwoot_" + e.Conversation.Status}
	}
	d, ok := a.Receiver.(channels.Deferrer)
	if !ok {
		return channels.Take(ctx, a.Receiver, in, a.Log)
	}
	turn, err := d.Defer(ctx, in)
	if chat.ErrorCode(err) == chat.EINVALID { // refused for good: a retry would not help
		a.Log.Warn("channel message refused", "channel", Channel, "message_id", in.MessageID, "err", err)
		return nil
	}
	if err != nil || turn == nil {
		return err
	}
	go func() {
		if err := turn(context.WithoutCancel(ctx)); err != nil {
			a.Log.Error("chatwoot bot turn failed after the acknowledgement", "message_id", in.MessageID, "err", err)
		}
	}()
	return nil
}

// follow mirrors a conversation's status or assignee change in Chatwoot.
func (a *Adapter) follow(ctx context.Context, e Event) error {
	f, ok := a.Receiver.(channels.Follower)
	c, account := e.conversationOf()
	to, assignee, follows := owner(c, true)
	if !ok || account == 0 || c.ID == 0 || !follows {
		return nil
	}
	return f.Follow(ctx, channels.Ownership{Channel: Channel, Thread: Thread(account, c.ID), Owner: to, Assignee: assignee,
		Reason: "chatwoot_" + c.Status})
}

// target is the Chatwoot account and conversation of a Tandem conversation.
func target(conv chat.Conversation) (acc, id int64, err error) {
	if conv.Thread != "" {
		if _, err := fmt.Sscanf(conv.Thread, "%d/%d", &acc, &id); err == nil {
			return acc, id, nil
		}
	}
	// Conversations from before threads: the customer id named the Chatwoot conversation.
	if _, err := fmt.Sscanf(strings.TrimPrefix(conv.CustomerID, customerPref), "%d-%d", &acc, &id); err != nil ||
		!strings.HasPrefix(conv.CustomerID, customerPref) || strings.Contains(conv.CustomerID, "-contact-") {
		return 0, 0, fmt.Errorf("chatwoot: conversation %s has no Chatwoot conversation", conv.ID)
	}
	return acc, id, nil
}

// Send posts the reply into the Chatwoot conversation it belongs to; a handoff also opens the
// conversation for Chatwoot's agents. It implements conversation.Sender; a failure is retried by
// the outbox (the status change is idempotent, so a retry after a failed status change repeats it
// safely). A bot message is not posted once a person in Chatwoot owns the conversation.
func (a *Adapter) Send(ctx context.Context, conv chat.Conversation, m chat.Message) error {
	acc, id, err := target(conv)
	if err != nil {
		return err
	}
	if m.Author == chat.AuthorBot && conv.Owner == chat.OwnerHuman && strings.HasPrefix(conv.Assignee, AssigneePrefix) {
		a.Log.Info("bot reply not posted: a Chatwoot agent owns the conversation", "conversation_id", conv.ID, "message_id", m.ID)
		return nil
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
