// Package wechat is the WeChat Official Account (公众号) channel: URL verification, plaintext and
// safe-mode (AES) message deliveries, and replies through the customer-service message API.
//
// Every delivery is acknowledged with "success" (an empty body in safe mode) within Budget, well
// inside WeChat's 5-second deadline, and the answer goes out through the outbox and the
// customer-service API, so a slow bot never makes WeChat show "该公众号暂时无法提供服务". The
// customer's message is stored in the first milliseconds; only the bot's turn may outlast the
// budget, and it goes on after the acknowledgement. Passive replies in the response body are not
// used.
package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"tandem/channels"
	"tandem/chat"
)

// Channel is this channel's name on conversations and messages.
const Channel = "wechat"

// Limits.
const (
	maxBody      = 1 << 20
	maxText      = 2000 // characters per customer-service message (no documented limit; kept safe)
	customerPref = "wx-"
)

// Window is how long after the customer's last message customer-service messages may be sent.
const Window = 48 * time.Hour

// DefaultAPIBase is WeChat's API address.
const DefaultAPIBase = "https://api.weixin.qq.com"

// Adapter is the WeChat Official Account channel.
type Adapter struct {
	Token     string  // the server configuration's Token
	AppID     string  // the account's AppID
	AppSecret string  // for access tokens
	Cipher    *Cipher // safe mode; nil: plaintext only
	APIBase   string
	Receiver  channels.Receiver
	Client    *http.Client
	Log       *slog.Logger
	Now       func() time.Time
	// Budget is how long a delivery may take before it is acknowledged anyway (3 s when 0).
	Budget time.Duration

	mu      sync.Mutex
	token   string
	expires time.Time
}

// Message is a delivery's XML (or JSON) body.
type Message struct {
	ToUserName   string `xml:"ToUserName" json:"ToUserName"`
	FromUserName string `xml:"FromUserName" json:"FromUserName"`
	CreateTime   int64  `xml:"CreateTime" json:"CreateTime"`
	MsgType      string `xml:"MsgType" json:"MsgType"`
	Content      string `xml:"Content" json:"Content"`
	MsgID        int64  `xml:"MsgId" json:"MsgId"`
	Event        string `xml:"Event" json:"Event"`
	Encrypt      string `xml:"Encrypt" json:"Encrypt"`
}

// ParseMessage decodes a body as XML, or as JSON when it looks like JSON.
func ParseMessage(body []byte) (Message, error) {
	var m Message
	var err error
	if b := bytes.TrimSpace(body); len(b) > 0 && b[0] == '{' {
		err = json.Unmarshal(b, &m)
	} else {
		err = xml.Unmarshal(body, &m)
	}
	if err != nil {
		return m, fmt.Errorf("wechat message: %w", err)
	}
	if m.Encrypt == "" && (m.FromUserName == "" || m.MsgType == "") {
		return m, errors.New("wechat message: FromUserName and MsgType are required")
	}
	return m, nil
}

// ServeHTTP handles the verification GET and the message POSTs.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method == http.MethodGet {
		if !channels.SecretEqual(Signature(a.Token, q.Get("timestamp"), q.Get("nonce")), q.Get("signature")) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, q.Get("echostr"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	m, status, err := a.open(q, body)
	if err != nil {
		http.Error(w, err.Error(), status)
		return
	}
	if m.MsgType == "text" && strings.TrimSpace(m.Content) != "" {
		in := channels.Inbound{Channel: Channel, CustomerKey: customerPref + m.FromUserName, ExternalID: m.FromUserName,
			MessageID: strconv.FormatInt(m.MsgID, 10), Text: m.Content}
		if m.MsgID == 0 { // no MsgId: deduplicate on sender and time, as WeChat advises for events
			in.MessageID = m.FromUserName + ":" + strconv.FormatInt(m.CreateTime, 10)
		}
		if err := a.receive(r.Context(), in); err != nil {
			a.Log.Error("wechat message not stored; WeChat will retry", "msg_id", m.MsgID, "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
	}
	if a.Cipher != nil && q.Get("encrypt_type") == "aes" {
		w.WriteHeader(http.StatusOK) // safe mode: an empty body means "no passive reply"
		return
	}
	io.WriteString(w, "success")
}

// receive hands the message on and waits for it at most Budget; a turn still running then goes on
// without the request (its reply goes out through the outbox).
func (a *Adapter) receive(ctx context.Context, in channels.Inbound) error {
	budget := a.Budget
	if budget <= 0 {
		budget = 3 * time.Second
	}
	done := make(chan error, 1)
	go func() { done <- channels.Take(context.WithoutCancel(ctx), a.Receiver, in, a.Log) }()
	select {
	case err := <-done:
		return err
	case <-time.After(budget):
		go func() {
			if err := <-done; err != nil {
				a.Log.Error("wechat turn failed after the acknowledgement", "message_id", in.MessageID, "err", err)
			}
		}()
		return nil
	}
}

// open authenticates and decodes a delivery: safe mode checks msg_signature over the Encrypt field
// and decrypts it; plaintext mode checks the URL signature (which does not cover the body).
func (a *Adapter) open(q map[string][]string, body []byte) (Message, int, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	ts, nonce := get("timestamp"), get("nonce")
	if get("encrypt_type") == "aes" {
		if a.Cipher == nil {
			return Message{}, http.StatusBadRequest, errors.New("safe mode is not configured (TANDEM_WECHAT_AES_KEY)")
		}
		env, err := ParseMessage(body)
		if err != nil || env.Encrypt == "" {
			return Message{}, http.StatusBadRequest, errors.New("not a safe-mode delivery")
		}
		if !channels.SecretEqual(Signature(a.Token, ts, nonce, env.Encrypt), get("msg_signature")) {
			return Message{}, http.StatusUnauthorized, errors.New("bad msg_signature")
		}
		plain, err := a.Cipher.Decrypt(env.Encrypt)
		if err != nil {
			return Message{}, http.StatusBadRequest, err
		}
		m, err := ParseMessage(plain)
		if err != nil {
			return m, http.StatusBadRequest, err
		}
		return m, 0, nil
	}
	if !channels.SecretEqual(Signature(a.Token, ts, nonce), get("signature")) {
		return Message{}, http.StatusUnauthorized, errors.New("bad signature")
	}
	m, err := ParseMessage(body)
	if err != nil {
		return m, http.StatusBadRequest, err
	}
	return m, 0, nil
}

// Send delivers a reply with the customer-service message API. It implements conversation.Sender.
func (a *Adapter) Send(ctx context.Context, conv chat.Conversation, m chat.Message) error {
	openID, ok := strings.CutPrefix(conv.CustomerID, customerPref)
	if !ok || openID == "" {
		return fmt.Errorf("wechat: conversation %s has no WeChat user: %w", conv.ID, chat.ErrUndeliverable)
	}
	if !conv.LastCustomerAt.IsZero() && a.Now().Sub(conv.LastCustomerAt) > Window {
		return fmt.Errorf("wechat: over 48 hours since the customer last wrote (%s): %w", conv.LastCustomerAt.Format(time.RFC3339), chat.ErrUndeliverable)
	}
	for _, part := range channels.Split(m.Text, maxText) {
		token, err := a.accessToken(ctx)
		if err != nil {
			return err
		}
		body := map[string]any{"touser": openID, "msgtype": "text", "text": map[string]string{"content": part}}
		var res struct {
			ErrCode int    `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
		}
		if err := a.post(ctx, "/cgi-bin/message/custom/send?access_token="+token, body, &res); err != nil {
			return err
		}
		if res.ErrCode == 40001 || res.ErrCode == 42001 { // the token was refused: fetch a new one next time
			a.mu.Lock()
			a.token = ""
			a.mu.Unlock()
		}
		if res.ErrCode == 45015 || res.ErrCode == 45047 { // the reply window or the 5-message quota is used up
			return fmt.Errorf("wechat custom/send: errcode %d %s: %w", res.ErrCode, res.ErrMsg, chat.ErrUndeliverable)
		}
		if res.ErrCode != 0 {
			return fmt.Errorf("wechat custom/send: errcode %d %s", res.ErrCode, res.ErrMsg)
		}
	}
	return nil
}

// accessToken returns a cached stable access token, fetching one 5 minutes before it expires.
func (a *Adapter) accessToken(ctx context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token != "" && a.Now().Before(a.expires) {
		return a.token, nil
	}
	var res struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		ErrCode     int    `json:"errcode"`
		ErrMsg      string `json:"errmsg"`
	}
	body := map[string]any{"grant_type": "client_credential", "appid": a.AppID, "secret": a.AppSecret, "force_refresh": false}
	if err := a.post(ctx, "/cgi-bin/stable_token", body, &res); err != nil {
		return "", err
	}
	if res.AccessToken == "" {
		return "", fmt.Errorf("wechat stable_token: errcode %d %s", res.ErrCode, res.ErrMsg)
	}
	a.token, a.expires = res.AccessToken, a.Now().Add(time.Duration(res.ExpiresIn)*time.Second-5*time.Minute)
	return a.token, nil
}

func (a *Adapter) post(ctx context.Context, path string, body, out any) error {
	b, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.APIBase+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := a.Client.Do(req)
	if err != nil {
		return fmt.Errorf("wechat: %w", errors.New(strings.ReplaceAll(err.Error(), a.token, "<token>")))
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("wechat %s: HTTP %d", strings.SplitN(path, "?", 2)[0], res.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(out)
}
