// Package wechat is the WeChat Official Account (公众号) channel: URL verification, plaintext and
// safe-mode (AES) message deliveries, and replies through the customer-service message API.
//
// Every delivery is answered within Budget, well inside WeChat's 5-second deadline. When the bot
// answers in time, its reply goes back in the response itself (a passive reply, which does not
// use the customer-service quota of 5 messages per 48 hours), claimed from the outbox so it is
// sent once. Otherwise the delivery is acknowledged with "success" (an empty body in safe mode)
// and the answer goes out through the outbox and the customer-service API, so a slow bot never
// makes WeChat show "该公众号暂时无法提供服务". The customer's message is stored in the first
// milliseconds; only the bot's turn may outlast the budget, and it goes on after the
// acknowledgement.
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

// Freshness is how far a signed request's timestamp may be from now; a request outside it is
// refused, so a callback URL or delivery copied from a log cannot be replayed later.
const Freshness = 5 * time.Minute

// maxEncryptedEchostr bounds an encrypted echostr before it is decrypted.
const maxEncryptedEchostr = 1024

// PassiveHold is how long the outbox leaves a fresh bot reply for the webhook to claim as a
// passive reply; a reply ready after the budget is sent at once.
const PassiveHold = time.Second

// Quota is how many customer-service messages may follow one customer message (within Window).
const Quota = 5

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
	// Media, voice, location and link messages.
	PicURL      string  `xml:"PicUrl" json:"PicUrl"`
	MediaID     string  `xml:"MediaId" json:"MediaId"`
	Format      string  `xml:"Format" json:"Format"`
	Recognition string  `xml:"Recognition" json:"Recognition"` // a voice message's transcript, when enabled
	LocationX   float64 `xml:"Location_X" json:"Location_X"`   // latitude
	LocationY   float64 `xml:"Location_Y" json:"Location_Y"`   // longitude
	Label       string  `xml:"Label" json:"Label"`
	Title       string  `xml:"Title" json:"Title"`
	Description string  `xml:"Description" json:"Description"`
	URL         string  `xml:"Url" json:"Url"`
	FileKey     string  `xml:"FileKey" json:"FileKey"` // a file message's file
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

// Authentic implements channels.Authenticator: a fresh URL check or delivery with a valid
// signature (msg_signature over the Encrypt field in safe mode).
func (a *Adapter) Authentic(r *http.Request, body []byte) bool {
	q := r.URL.Query()
	if r.Method == http.MethodGet {
		_, _, err := a.verifyURL(q)
		return err == nil
	}
	_, _, err := a.open(q, body)
	return err == nil
}

// ServeHTTP handles the verification GET and the message POSTs.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method == http.MethodGet {
		echo, status, err := a.verifyURL(q)
		if err != nil {
			http.Error(w, err.Error(), status)
			return
		}
		channels.WriteEcho(w, echo)
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
	if in, ok := inbound(m); ok {
		ans, err := a.receive(r.Context(), in)
		if err != nil {
			a.Log.Error("wechat message not stored; WeChat will retry", "msg_id", m.MsgID, "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		if ans.id != 0 && a.replyPassively(r.Context(), w, q, m, ans) {
			return
		}
	}
	if a.Cipher != nil && q.Get("encrypt_type") == "aes" {
		w.WriteHeader(http.StatusOK) // safe mode: an empty body means "no passive reply"
		return
	}
	io.WriteString(w, "success")
}

// answer is a bot reply ready within the budget.
type answer struct {
	text string
	id   int64
}

type taken struct {
	answer
	err error
}

// receive hands the message on and waits for it at most Budget; a turn still running then goes on
// without the request (its reply goes out through the outbox). A reply ready in time is returned.
func (a *Adapter) receive(ctx context.Context, in channels.Inbound) (answer, error) {
	budget := a.Budget
	if budget <= 0 {
		budget = 3 * time.Second
	}
	done := make(chan taken, 1)
	go func() { done <- a.take(context.WithoutCancel(ctx), in) }()
	select {
	case t := <-done:
		return t.answer, t.err
	case <-time.After(budget):
		go func() {
			if t := <-done; t.err != nil {
				a.Log.Error("wechat turn failed after the acknowledgement", "message_id", in.MessageID, "err", t.err)
			}
		}()
		return answer{}, nil
	}
}

// take stores the message and runs the turn, keeping the reply when the receiver hands it back.
func (a *Adapter) take(ctx context.Context, in channels.Inbound) taken {
	ans, ok := a.Receiver.(channels.Answerer)
	if !ok {
		return taken{err: channels.Take(ctx, a.Receiver, in, a.Log)}
	}
	text, id, err := ans.Answer(ctx, in)
	if chat.ErrorCode(err) == chat.EINVALID { // refused for good: WeChat retrying would not help
		a.Log.Warn("channel message refused", "channel", Channel, "message_id", in.MessageID, "err", err)
		return taken{}
	}
	return taken{answer{text, id}, err}
}

// cdata is an element whose text is written as <![CDATA[…]]>, as WeChat's examples do.
type cdata struct {
	Text string `xml:",cdata"`
}

// passiveReply is the XML of a passive text reply.
type passiveReply struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   cdata
	FromUserName cdata
	CreateTime   int64
	MsgType      cdata
	Content      cdata
}

// encryptedReply is a safe-mode response envelope.
type encryptedReply struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      cdata
	MsgSignature cdata
	TimeStamp    string
	Nonce        cdata
}

// replyPassively writes the bot's reply as the response, if it fits one message and the outbox
// has not sent it already; it reports whether the response was written.
func (a *Adapter) replyPassively(ctx context.Context, w http.ResponseWriter, q map[string][]string, m Message, ans answer) bool {
	claimer, ok := a.Receiver.(channels.Answerer)
	if !ok || len(channels.Split(ans.text, maxText)) != 1 {
		return false
	}
	body, err := a.passiveBody(q, m, ans.text)
	if err != nil {
		return false
	}
	if claimed, err := claimer.Claim(ctx, ans.id); err != nil || !claimed {
		return false // the outbox has it (or will)
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	if _, err := w.Write(body); err != nil {
		claimer.Release(ctx, ans.id) // the outbox sends it through the customer-service API
	}
	return true
}

func (a *Adapter) passiveBody(q map[string][]string, m Message, text string) ([]byte, error) {
	now := a.Now().Unix()
	plain, err := xml.Marshal(passiveReply{ToUserName: cdata{m.FromUserName}, FromUserName: cdata{m.ToUserName}, CreateTime: now,
		MsgType: cdata{"text"}, Content: cdata{text}})
	if err != nil || a.Cipher == nil || first(q, "encrypt_type") != "aes" {
		return plain, err
	}
	enc := a.Cipher.Encrypt(plain)
	ts, nonce := strconv.FormatInt(now, 10), first(q, "nonce")
	return xml.Marshal(encryptedReply{Encrypt: cdata{enc}, MsgSignature: cdata{Signature(a.Token, ts, nonce, enc)}, TimeStamp: ts, Nonce: cdata{nonce}})
}

func first(q map[string][]string, k string) string {
	if v := q[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// open authenticates and decodes a delivery: safe mode checks msg_signature over the Encrypt field
// and decrypts it; plaintext mode checks the URL signature (which does not cover the body).
func (a *Adapter) open(q map[string][]string, body []byte) (Message, int, error) {
	get := func(k string) string { return first(q, k) }
	ts, nonce := get("timestamp"), get("nonce")
	if !a.fresh(ts) {
		return Message{}, http.StatusUnauthorized, errStale
	}
	if get("encrypt_type") != "aes" && a.Cipher != nil {
		return Message{}, http.StatusBadRequest, errors.New("safe mode is configured: plaintext deliveries are refused")
	}
	if get("encrypt_type") == "aes" {
		if a.Cipher == nil {
			return a.compatible(q, body)
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
		if err != nil || m.Encrypt != "" { // never echo decrypted bytes in an error
			return Message{}, http.StatusBadRequest, errors.New("the decrypted delivery is not a WeChat message")
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

// compatible reads a compatible-mode (兼容模式) delivery without the AES key: its plaintext fields,
// which the URL signature authenticates as in plaintext mode. A body with only <Encrypt> is refused.
func (a *Adapter) compatible(q map[string][]string, body []byte) (Message, int, error) {
	m, err := ParseMessage(body)
	if err != nil || m.FromUserName == "" || m.MsgType == "" {
		return Message{}, http.StatusBadRequest, errors.New("safe mode is not configured (TANDEM_WECHAT_AES_KEY)")
	}
	if !channels.SecretEqual(Signature(a.Token, first(q, "timestamp"), first(q, "nonce")), first(q, "signature")) {
		return Message{}, http.StatusUnauthorized, errors.New("bad signature")
	}
	m.Encrypt = ""
	return m, 0, nil
}

var errStale = fmt.Errorf("timestamp is missing or more than %s from now; refused as a replay", Freshness)

// fresh reports whether a request's timestamp (Unix seconds) is within Freshness of now.
func (a *Adapter) fresh(ts string) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := a.Now().Sub(time.Unix(sec, 0))
	return d <= Freshness && d >= -Freshness
}

// verifyURL checks a URL-verification GET and returns what to echo. A fresh request signed with
// signature (over token, timestamp and nonce, as the Official Account sends it) echoes echostr if
// it is a plain random token; one signed with msg_signature (which also covers echostr, as safe
// mode and WeCom send it) has its echostr decrypted and echoes the plaintext.
func (a *Adapter) verifyURL(q map[string][]string) (string, int, error) {
	get := func(k string) string { return first(q, k) }
	ts, nonce, echostr := get("timestamp"), get("nonce"), get("echostr")
	if !a.fresh(ts) {
		return "", http.StatusUnauthorized, errStale
	}
	echo := echostr
	if sig := get("msg_signature"); sig != "" {
		if a.Cipher == nil {
			return "", http.StatusBadRequest, errors.New("safe mode is not configured (TANDEM_WECHAT_AES_KEY)")
		}
		if len(echostr) > maxEncryptedEchostr || !channels.SecretEqual(Signature(a.Token, ts, nonce, echostr), sig) {
			return "", http.StatusUnauthorized, errors.New("bad msg_signature")
		}
		plain, err := a.Cipher.Decrypt(echostr)
		if err != nil {
			return "", http.StatusBadRequest, errors.New("echostr does not decrypt")
		}
		echo = string(plain)
	} else if !channels.SecretEqual(Signature(a.Token, ts, nonce), get("signature")) {
		return "", http.StatusUnauthorized, errors.New("bad signature")
	}
	if !channels.ValidChallenge(echo) {
		return "", http.StatusBadRequest, errors.New("echostr must be 1–128 letters, digits, _ or -")
	}
	return echo, 0, nil
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
		if tokenRefused[res.ErrCode] { // fetch a new one next time
			a.mu.Lock()
			a.token = ""
			a.mu.Unlock()
		}
		if err := sendError(res.ErrCode, res.ErrMsg); err != nil {
			return err
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
