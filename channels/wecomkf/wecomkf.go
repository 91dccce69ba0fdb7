// Package wecomkf is the WeChat Customer Service (微信客服) channel over the WeCom API: WeChat
// users write to a customer service account, WeCom calls back with kf_msg_or_event, and Tandem
// pulls the messages with kf/sync_msg from a cursor kept in the store, answers with kf/send_msg,
// greets with kf/send_msg_on_event, and moves the WeCom session (kf/service_state) with Tandem's
// ownership.
//
// The callback is acknowledged at once; pulling runs after it. The cursor only advances once a
// page's messages are stored, each message is stored under its msgid (scoped to the customer), and
// a lease in the store lets one replica at a time pull an account, so redelivered callbacks,
// restarts and two replicas never store a message twice nor lose one.
package wecomkf

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"tandem/channels"
	"tandem/channels/wechat"
)

// Channel is this channel's name on conversations and messages.
const Channel = "wecomkf"

// DefaultAPIBase is WeCom's API address.
const DefaultAPIBase = "https://qyapi.weixin.qq.com"

// Quota is how many kf/send_msg messages may follow one customer message, within Window
// (发送消息: 用户发送消息 → 5条, 48 小时).
const Quota = 5

// Window is how long after the customer's last message kf/send_msg may be used.
const Window = 48 * time.Hour

// WelcomeWindow is how long enter_session's welcome_code may be used (20秒, once).
const WelcomeWindow = 20 * time.Second

// DefaultWelcome greets a customer who opens the chat, when no greeting is configured.
const DefaultWelcome = "您好，欢迎咨询！请直接输入您的问题，我们会尽快为您解答。"

// Lang is the language this channel's conversations start in: WeChat users, whose notices
// (handoff, agent joined, closed) are then in Chinese.
const Lang = "zh"

// Limits and timings.
const (
	ReplayWindow   = 5 * time.Minute  // callbacks with a timestamp further off are refused
	maxBody        = 1 << 20          // callback body
	maxTextBytes   = 2048             // kf/send_msg text content: 最长不超过2048个字节
	syncLease      = 30 * time.Second // one page's work; renewed after each page
	pullTimeout    = 2 * time.Minute  // one callback's pulling, all pages
	maxPullPages   = 100              // pages per pull before yielding (a later callback goes on)
	pullRetries    = 3                // attempts when WeCom or the store fails mid-pull
	pullRetryDelay = 2 * time.Second
	customerPref   = "wk-" // customer ids are wk-<open_kfid>.<external_userid>, threads <open_kfid>.<external_userid>
)

// Desk is the part of the conversation core this channel drives (wired in main). Messages
// carry a Thread (one per customer of an account), so the conversation starts in Lang and
// WeCom's session changes find it.
type Desk interface {
	channels.Receiver
	channels.Follower
	// Note leaves a system note for agents in the thread's conversation, once per noteID.
	Note(ctx context.Context, channel, thread, noteID, text string) error
}

// Adapter is the WeChat Customer Service channel.
type Adapter struct {
	CorpID   string // receiveid of the callback crypto, corpid of gettoken
	Secret   string // the 微信客服 secret
	Token    string // the callback Token
	Cipher   *wechat.Cipher
	OpenKfID string // the customer service account Tandem serves; callbacks for others are ignored
	// Servicer is the WeCom userid a handoff moves the session to (state 3). Empty: the session
	// stays with the API and Tandem's own agents answer through it.
	Servicer string
	Welcome  string // the enter_session greeting; DefaultWelcome when empty
	APIBase  string
	Store    SyncStore
	Desk     Desk
	Client   *http.Client
	Log      *slog.Logger
	Now      func() time.Time

	once   sync.Once
	api    *client
	holder string // this replica; each pull holds the lease as holder-n
	pulls  atomic.Int64
	wg     sync.WaitGroup
}

func (a *Adapter) init() {
	a.once.Do(func() {
		b := make([]byte, 8)
		rand.Read(b)
		a.holder = hex.EncodeToString(b)
		base := a.APIBase
		if base == "" {
			base = DefaultAPIBase
		}
		a.api = &client{base: base, corpID: a.CorpID, secret: a.Secret, http: a.Client, now: a.Now}
	})
}

// ServeHTTP handles the URL verification GET and the callback POSTs.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.init()
	q := r.URL.Query()
	if r.Method == http.MethodGet {
		a.verifyURL(w, q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), q.Get("echostr"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	cb, status, err := a.open(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), body)
	if err != nil {
		a.Log.Warn("wecomkf callback refused", "status", status, "err", err)
		http.Error(w, err.Error(), status)
		return
	}
	if cb.MsgType == "event" && cb.Event == "kf_msg_or_event" {
		if a.OpenKfID != "" && cb.OpenKfID != a.OpenKfID {
			a.Log.Warn("wecomkf callback for another customer service account ignored", "open_kfid", cb.OpenKfID)
		} else {
			a.wg.Add(1)
			go func() {
				defer a.wg.Done()
				a.Pull(context.WithoutCancel(r.Context()), cb.OpenKfID, cb.Token)
			}()
		}
	}
	w.WriteHeader(http.StatusOK) // acknowledged at once; WeCom retries a callback not answered in 5 s
}

// Authentic implements channels.Authenticator: a URL check or a callback signed with the
// channel's token within the timestamp window, before the webhook's rate counts it.
func (a *Adapter) Authentic(r *http.Request, body []byte) bool {
	q := r.URL.Query()
	if r.Method == http.MethodGet {
		return a.checkSignature(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), q.Get("echostr")) == nil
	}
	_, _, err := a.open(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), body)
	return err == nil
}

// Wait waits for the pulls under way (tests, shutdown).
func (a *Adapter) Wait() { a.wg.Wait() }

// verifyURL answers WeCom's check of the callback URL with the decrypted echostr.
func (a *Adapter) verifyURL(w http.ResponseWriter, sig, ts, nonce, echo string) {
	if err := a.checkSignature(sig, ts, nonce, echo); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	plain, err := a.Cipher.Decrypt(echo)
	if err != nil {
		http.Error(w, "bad echostr", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(plain)
}

// checkSignature checks msg_signature = sha1(sort(Token, timestamp, nonce, encrypted)) and the
// replay window.
func (a *Adapter) checkSignature(sig, ts, nonce, enc string) error {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("missing or bad timestamp")
	}
	if d := a.Now().Sub(time.Unix(sec, 0)); d > ReplayWindow || d < -ReplayWindow {
		return fmt.Errorf("timestamp outside the %s replay window", ReplayWindow)
	}
	if enc == "" || !channels.SecretEqual(wechat.Signature(a.Token, ts, nonce, enc), sig) {
		return fmt.Errorf("bad msg_signature")
	}
	return nil
}

// open authenticates and decrypts a callback.
func (a *Adapter) open(sig, ts, nonce string, body []byte) (Callback, int, error) {
	env, err := parseEnvelope(body)
	if err != nil {
		return Callback{}, http.StatusBadRequest, err
	}
	if err := a.checkSignature(sig, ts, nonce, env.Encrypt); err != nil {
		return Callback{}, http.StatusUnauthorized, err
	}
	plain, err := a.Cipher.Decrypt(env.Encrypt)
	if err != nil {
		return Callback{}, http.StatusBadRequest, err
	}
	cb, err := ParseCallback(plain)
	if err != nil {
		return cb, http.StatusBadRequest, err
	}
	return cb, 0, nil
}

// thread is Tandem's thread for a WeChat user of one customer service account; the customer id
// is the thread with customerPref.
func thread(openKfID, externalUserID string) string {
	return openKfID + "." + externalUserID
}

// splitKey is customerKey's inverse.
func splitKey(key string) (openKfID, externalUserID string, ok bool) {
	rest, ok := strings.CutPrefix(key, customerPref)
	if !ok {
		return "", "", false
	}
	openKfID, externalUserID, ok = strings.Cut(rest, ".")
	return openKfID, externalUserID, ok && openKfID != "" && externalUserID != ""
}

// splitBytes cuts text into pieces of at most max bytes, preferring a newline, then a space, and
// never inside a character.
func splitBytes(text string, max int) []string {
	var out []string
	for text = strings.TrimSpace(text); len(text) > max; {
		cut := max
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		if i := strings.LastIndex(text[:cut], "\n"); i > 0 {
			cut = i + 1
		} else if i := strings.LastIndex(text[:cut], " "); i > 0 {
			cut = i + 1
		}
		out = append(out, strings.TrimSpace(text[:cut]))
		text = strings.TrimSpace(text[cut:])
	}
	if text != "" {
		out = append(out, text)
	}
	return out
}
