package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"regexp"
	"strconv"

	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"tandem/channels/webhook"
	"tandem/channels/wechat"
	"tandem/conversation"
	"tandem/llm/llmtest"
)

// fakePlatform records the texts a channel adapter sends, and fails on request with a 5xx.
type fakePlatform struct {
	*httptest.Server
	mu    sync.Mutex
	sent  []string
	fails int
}

// newFakePlatform serves send at path; reply writes the platform's success body for a text.
func newFakePlatform(t *testing.T, path string, auth func(*http.Request) bool, text func(body []byte) string, reply func(n int) string) *fakePlatform {
	f := &fakePlatform{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != path || !auth(r) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized","error":{"message":"Invalid OAuth access token","code":190}}`)
			return
		}
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.fails > 0 {
			f.fails--
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, `{"ok":false,"error_code":502,"description":"Bad Gateway","error":{"message":"Service unavailable","code":2}}`)
			return
		}
		f.sent = append(f.sent, text(body))
		fmt.Fprint(w, reply(len(f.sent)))
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakePlatform) count(substr string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, s := range f.sent {
		if strings.Contains(s, substr) {
			n++
		}
	}
	return n
}

// record counts a text the platform received in a webhook response (WeChat's passive reply).
func (f *fakePlatform) record(text string) {
	f.mu.Lock()
	f.sent = append(f.sent, text)
	f.mu.Unlock()
}

func (f *fakePlatform) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sent)
}

func (f *fakePlatform) failNext(n int) {
	f.mu.Lock()
	f.fails = n
	f.mu.Unlock()
}

// channelHarness is what the conformance suite needs of one channel.
type channelHarness struct {
	name string
	// setup starts a fake platform of the test's own and returns it, the environment that
	// enables the channel, and how to deliver to a server using that fake. Nothing is shared
	// between setups, so runs of one harness may go in parallel.
	setup func(t *testing.T) (*fakePlatform, map[string]string, deliverFunc)
}

// deliverFunc posts a webhook with message id and text from one user, signed unless bad.
type deliverFunc func(t *testing.T, base string, bad bool, id int, text string) int

var channelHarnesses = []channelHarness{
	{
		name: "telegram",
		setup: func(t *testing.T) (*fakePlatform, map[string]string, deliverFunc) {
			const token = "123456:ABC-test"
			f := newFakePlatform(t, "/bot"+token+"/sendMessage", func(*http.Request) bool { return true },
				func(b []byte) string {
					var m struct{ Text string }
					json.Unmarshal(b, &m)
					return m.Text
				},
				func(n int) string {
					return fmt.Sprintf(`{"ok":true,"result":{"message_id":%d,"chat":{"id":1111111,"type":"private"},"date":1}}`, n)
				})
			return f, map[string]string{"TANDEM_OUTBOUND_ALLOW": allowed(f.URL), "TANDEM_TELEGRAM_BOT_TOKEN": token, "TANDEM_TELEGRAM_SECRET": "s3cr3t_Token-1", "TANDEM_TELEGRAM_API_BASE": f.URL}, deliverTelegram
		},
	},
	{
		name: "whatsapp",
		setup: func(t *testing.T) (*fakePlatform, map[string]string, deliverFunc) {
			f := newFakePlatform(t, "/106540352242922/messages", func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer wa-token" },
				func(b []byte) string {
					var m struct {
						To   string
						Text struct{ Body string }
					}
					json.Unmarshal(b, &m)
					if m.To != "+16505551234" {
						return "wrong recipient " + m.To
					}
					return m.Text.Body
				},
				func(n int) string {
					return fmt.Sprintf(`{"messaging_product":"whatsapp","contacts":[{"input":"+16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.out%d"}]}`, n)
				})
			return f, map[string]string{"TANDEM_OUTBOUND_ALLOW": allowed(f.URL), "TANDEM_WHATSAPP_TOKEN": "wa-token", "TANDEM_WHATSAPP_APP_SECRET": "app-secret",
				"TANDEM_WHATSAPP_VERIFY_TOKEN": "verify-me", "TANDEM_WHATSAPP_PHONE_ID": "106540352242922", "TANDEM_WHATSAPP_API_BASE": f.URL}, deliverWhatsApp
		},
	},
}

// deliverTelegram posts a Telegram update.
func deliverTelegram(t *testing.T, base string, bad bool, id int, text string) int {
	body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"from":{"id":1111111,"is_bot":false,"first_name":"Ann"},
				"chat":{"id":1111111,"type":"private","first_name":"Ann"},"date":1441645532,"text":%q}}`, id, id, text)
	secret := "s3cr3t_Token-1"
	if bad {
		secret = "wrong"
	}
	return postWebhook(t, base+"/webhooks/telegram", body, map[string]string{"X-Telegram-Bot-Api-Secret-Token": secret})
}

// deliverWhatsApp posts a WhatsApp Cloud API notification.
func deliverWhatsApp(t *testing.T, base string, bad bool, id int, text string) int {
	body := fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
				"metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],
				"messages":[{"from":"16505551234","id":"wamid.in%d","timestamp":"1749416383","type":"text","text":{"body":%q}}]}}]}]}`, id, text)
	secret := "app-secret"
	if bad {
		secret = "wrong"
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return postWebhook(t, base+"/webhooks/whatsapp", body, map[string]string{"X-Hub-Signature-256": "sha256=" + hex.EncodeToString(mac.Sum(nil))})
}

func init() {
	const secret = "generic-webhook-secret-0123456789abcdef"
	deliver := func(t *testing.T, base string, bad bool, id int, text string) int {
		body, _ := json.Marshal(map[string]string{"user_id": "u-42", "name": "Kim", "message_id": fmt.Sprint(id), "text": text})
		ts := time.Now().Unix()
		key := secret
		if bad {
			key = "wrong"
		}
		return postWebhook(t, base+"/webhooks/generic", string(body), map[string]string{
			"X-Tandem-Timestamp": strconv.FormatInt(ts, 10), "X-Tandem-Signature": webhook.Sign(key, ts, body)})
	}
	channelHarnesses = append(channelHarnesses, channelHarness{
		name: "generic",
		setup: func(t *testing.T) (*fakePlatform, map[string]string, deliverFunc) {
			f := newFakePlatform(t, "/replies", func(r *http.Request) bool {
				ts, _ := strconv.ParseInt(r.Header.Get("X-Tandem-Timestamp"), 10, 64)
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				return r.Header.Get("X-Tandem-Signature") == webhook.Sign(secret, ts, body) && strings.HasPrefix(r.Header.Get("Idempotency-Key"), "tandem-")
			}, func(b []byte) string {
				var m struct {
					UserID string `json:"user_id"`
					Text   string `json:"text"`
				}
				json.Unmarshal(b, &m)
				if m.UserID != "u-42" {
					return "wrong recipient " + m.UserID
				}
				return m.Text
			}, func(int) string { return `{}` })
			return f, map[string]string{"TANDEM_OUTBOUND_ALLOW": allowed(f.URL), "TANDEM_WEBHOOK_SECRET": secret, "TANDEM_WEBHOOK_URL": f.URL + "/replies"}, deliver
		},
	})
}

func init() {
	const secret = "cw-bot-secret"
	deliver := func(t *testing.T, base string, bad bool, id int, text string) int {
		body, _ := json.Marshal(map[string]any{"event": "message_created", "id": id, "content": text, "message_type": "incoming",
			"content_type": "text", "private": false, "sender": map[string]any{"id": 5, "name": "Lee"},
			"conversation": map[string]any{"id": 41, "status": "pending", "meta": map[string]any{"hmac_verified": false}},
			"account":      map[string]any{"id": 7, "name": "Acme"}, "inbox": map[string]any{"id": 3, "name": "Website"}})
		ts := time.Now().Unix()
		key := secret
		if bad {
			key = "wrong"
		}
		mac := hmac.New(sha256.New, []byte(key))
		fmt.Fprintf(mac, "%d.", ts)
		mac.Write(body)
		return postWebhook(t, base+"/webhooks/chatwoot", string(body), map[string]string{"X-Chatwoot-Timestamp": strconv.FormatInt(ts, 10),
			"X-Chatwoot-Signature": "sha256=" + hex.EncodeToString(mac.Sum(nil)), "X-Chatwoot-Delivery": fmt.Sprintf("d-%d", id)})
	}
	channelHarnesses = append(channelHarnesses, channelHarness{
		name: "chatwoot",
		setup: func(t *testing.T) (*fakePlatform, map[string]string, deliverFunc) {
			f := newFakePlatform(t, "/api/v1/accounts/7/conversations/41/messages", func(r *http.Request) bool { return r.Header.Get("api_access_token") == "cw-token" },
				func(b []byte) string {
					var m struct {
						Content     string `json:"content"`
						MessageType string `json:"message_type"`
					}
					json.Unmarshal(b, &m)
					if m.MessageType != "outgoing" {
						return "wrong type " + m.MessageType
					}
					return m.Content
				}, func(n int) string { return fmt.Sprintf(`{"id":%d,"content":"…","message_type":1}`, n) })
			// A handoff opens the conversation for Chatwoot's agents.
			mux := http.NewServeMux()
			mux.Handle("/", f.Config.Handler)
			mux.HandleFunc("/api/v1/accounts/7/conversations/41/toggle_status", func(w http.ResponseWriter, r *http.Request) {
				var b struct{ Status string }
				json.NewDecoder(r.Body).Decode(&b)
				f.mu.Lock()
				f.sent = append(f.sent, "status:"+b.Status)
				f.mu.Unlock()
				fmt.Fprint(w, `{"meta":{},"payload":{"success":true,"current_status":"open"}}`)
			})
			f.Config.Handler = mux
			return f, map[string]string{"TANDEM_OUTBOUND_ALLOW": allowed(f.URL), "TANDEM_CHATWOOT_URL": f.URL, "TANDEM_CHATWOOT_TOKEN": "cw-token", "TANDEM_CHATWOOT_SECRET": secret}, deliver
		},
	})
}

func init() {
	const token, appID = "wxtoken", "wx1234567890abcdef"
	aesKey := strings.Repeat("k", 43)
	channelHarnesses = append(channelHarnesses, channelHarness{
		name: "wechat",
		setup: func(t *testing.T) (*fakePlatform, map[string]string, deliverFunc) {
			f := newFakePlatform(t, "/cgi-bin/message/custom/send", func(r *http.Request) bool { return r.URL.Query().Get("access_token") == "ACCESS_TOKEN_1" },
				func(b []byte) string {
					var m struct {
						ToUser string `json:"touser"`
						Text   struct {
							Content string `json:"content"`
						} `json:"text"`
					}
					json.Unmarshal(b, &m)
					if m.ToUser != "oUSER42" {
						return "wrong recipient " + m.ToUser
					}
					return m.Text.Content
				}, func(int) string { return `{"errcode":0,"errmsg":"ok"}` })
			mux := http.NewServeMux()
			mux.Handle("/", f.Config.Handler)
			mux.HandleFunc("/cgi-bin/stable_token", func(w http.ResponseWriter, r *http.Request) {
				var b struct{ Appid, Secret string }
				json.NewDecoder(r.Body).Decode(&b)
				if b.Appid != appID || b.Secret != "wxsecret" {
					fmt.Fprint(w, `{"errcode":40013,"errmsg":"invalid appid"}`)
					return
				}
				fmt.Fprint(w, `{"access_token":"ACCESS_TOKEN_1","expires_in":7200}`)
			})
			f.Config.Handler = mux
			deliver := func(t *testing.T, base string, bad bool, id int, text string) int {
				c, _ := wechat.NewCipher(aesKey, appID)
				plain := fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_acct]]></ToUserName><FromUserName><![CDATA[oUSER42]]></FromUserName>`+
					`<CreateTime>1714037060</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>`, text, 900000+id)
				enc := c.Encrypt([]byte(plain))
				ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), "486452656"
				sig := wechat.Signature(token, ts, nonce, enc)
				if bad {
					sig = wechat.Signature("wrong", ts, nonce, enc)
				}
				body := fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_acct]]></ToUserName><Encrypt><![CDATA[%s]]></Encrypt></xml>`, enc)
				code, resp := postWebhookBody(t, fmt.Sprintf("%s/webhooks/wechat?signature=%s&timestamp=%s&nonce=%s&openid=oUSER42&encrypt_type=aes&msg_signature=%s",
					base, wechat.Signature(token, ts, nonce), ts, nonce, sig), body, map[string]string{"Content-Type": "text/xml"})
				if text := passiveText(t, c, token, nonce, resp); text != "" {
					f.record(text) // a passive reply is the platform receiving the text
					t.Logf("passive reply: %.40q", text)
				}
				return code
			}
			return f, map[string]string{"TANDEM_OUTBOUND_ALLOW": allowed(f.URL), "TANDEM_WECHAT_TOKEN": token, "TANDEM_WECHAT_APP_ID": appID, "TANDEM_WECHAT_APP_SECRET": "wxsecret",
				"TANDEM_WECHAT_AES_KEY": aesKey, "TANDEM_WECHAT_API_BASE": f.URL}, deliver
		},
	})
}

// passiveText decrypts and checks a safe-mode passive reply; "" when the response is not one.
func passiveText(t *testing.T, c *wechat.Cipher, token, nonce string, resp []byte) string {
	t.Helper()
	if !bytes.Contains(resp, []byte("<Encrypt>")) {
		return ""
	}
	var env struct{ Encrypt, MsgSignature, TimeStamp, Nonce string }
	if err := xml.Unmarshal(resp, &env); err != nil {
		t.Fatalf("passive reply: %v", err)
	}
	if env.Nonce != nonce || env.MsgSignature != wechat.Signature(token, env.TimeStamp, env.Nonce, env.Encrypt) {
		t.Fatalf("passive reply signature does not verify: %s", resp)
	}
	plain, err := c.Decrypt(env.Encrypt)
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ ToUserName, FromUserName, MsgType, Content string }
	if err := xml.Unmarshal(plain, &m); err != nil || m.ToUserName != "oUSER42" || m.FromUserName != "gh_acct" || m.MsgType != "text" {
		t.Fatalf("passive reply %s: %v", plain, err)
	}
	return m.Content
}

func postWebhook(t *testing.T, url, body string, headers map[string]string) int {
	code, _ := postWebhookBody(t, url, body, headers)
	return code
}

func postWebhookBody(t *testing.T, url, body string, headers map[string]string) (int, []byte) {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	resp, _ := io.ReadAll(res.Body)
	return res.StatusCode, resp
}

// TestChannelConformance runs the same points against every channel adapter, on SQLite and
// Postgres: an answer is delivered, a redelivered webhook is answered once, a bad signature
// stores nothing, a platform 5xx is retried until delivered exactly once, and with a person
// owning the conversation no bot text goes out. TestChannelConformanceRealPayloads adds the
// platforms' real-shaped messages and errors.
//
// Every run has its own server, fake platform, data directory and Postgres schema, so the runs
// go in parallel (up to -parallel at once): they mostly wait on the server, not the CPU.
func TestChannelConformance(t *testing.T) {
	for _, db := range channelDBs {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			for _, h := range channelHarnesses {
				t.Run(h.name, func(t *testing.T) { t.Parallel(); conformance(t, h, db.url(t)) })
			}
		})
	}
	// Chatwoot's own behaviour: conversations per thread, a slow bot behind its 5 s webhook
	// timeout, status and assignee changes, attachment-only messages (chatwoot_test.go).
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run("chatwoot_threads/"+store, func(t *testing.T) { t.Parallel(); chatwootCases(t, store) })
		t.Run("chatwoot_recovery/"+store, func(t *testing.T) { t.Parallel(); chatwootRecovery(t, store) })
	}
}

func conformance(t *testing.T, h channelHarness, dbURL string) {
	fake, extra, deliver := h.setup(t)
	env := demoEnv(t, t.TempDir())
	for k, v := range extra {
		env[k] = v
	}
	if dbURL != "" {
		env["DATABASE_URL"] = dbURL
	}
	in := start(t, env, "demo")
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; sent: %q", what, fake.sent)
			}
		}
	}
	if code := deliver(t, in.base, false, 10000, "How do I file a claim?"); code != 200 {
		t.Fatalf("webhook: %d", code)
	}
	waitFor("the answer", func() bool { return fake.count("400-800-1234") == 1 })
	if code := deliver(t, in.base, false, 10000, "How do I file a claim?"); code != 200 { // the platform redelivers
		t.Fatalf("redelivery: %d", code)
	}
	if code := deliver(t, in.base, true, 10001, "What is a deductible?"); code != 401 {
		t.Fatalf("bad signature: %d, want 401", code)
	}
	time.Sleep(700 * time.Millisecond) // the outbox polls every 250 ms: give a wrong reply time to show
	if n := fake.total(); n != 1 {
		t.Fatalf("%d messages sent, want 1 (a redelivery and a bad signature send nothing)", n)
	}

	deliver(t, in.base, false, 10002, "What is a deductible?")
	waitFor("the second answer", func() bool { return fake.count("deductible") >= 1 })
	time.Sleep(500 * time.Millisecond)
	if n := fake.count("deductible"); n != 1 {
		t.Fatalf("deductible answer delivered %d times, want exactly once", n)
	}

	deliver(t, in.base, false, 10003, "转人工")
	waitFor("the handoff notice", func() bool { return fake.count("人工客服") == 1 })
	time.Sleep(300 * time.Millisecond) // a platform-side handoff (Chatwoot's status) follows the notice
	if h.name == "chatwoot" && fake.count("status:open") != 1 {
		t.Fatalf("the Chatwoot conversation was not opened for agents: %q", fake.sent)
	}
	// An agent takes it in the console: the customer's next message reaches the agent with
	// the bot's draft, no bot text reaches the platform, and the agent's reply goes out there.
	agent := deskAgent(t, in.base)
	var queue struct {
		Conversations []struct {
			ID      string `json:"id"`
			Channel string `json:"channel"`
		} `json:"conversations"`
	}
	agent.do(t, "GET", "/api/console/conversations?view=queue", "", &queue)
	if len(queue.Conversations) != 1 || queue.Conversations[0].Channel == "" || queue.Conversations[0].Channel == "web" {
		t.Fatalf("console queue = %+v, want this channel's conversation", queue.Conversations)
	}
	convID := queue.Conversations[0].ID
	if code := agent.do(t, "POST", "/api/console/conversations/"+convID+"/accept", "", nil); code != 200 {
		t.Fatalf("accept = %d", code)
	}
	before := fake.total()
	deliver(t, in.base, false, 10004, "How do I file a claim?")
	var detail struct {
		Draft *struct {
			ID   int64  `json:"id"`
			Text string `json:"text"`
		} `json:"draft"`
	}
	waitFor("the bot's draft for the agent", func() bool {
		agent.do(t, "GET", "/api/console/conversations/"+convID, "", &detail)
		return detail.Draft != nil && strings.Contains(detail.Draft.Text, "400-800-1234")
	})
	time.Sleep(500 * time.Millisecond)
	if n := fake.total(); n != before+1 { // the agent-joined notice only
		t.Fatalf("%d messages went out while a person owns the conversation, want 1 (the joined notice): %q", n-before, fake.sent)
	}
	// The platform fails twice: the outbox retries until the agent's reply is delivered, once.
	fake.failNext(2)
	body := fmt.Sprintf(`{"text":"Agent Amy here: call 400-800-1234 any time.","draft_id":%d}`, detail.Draft.ID)
	if code := agent.do(t, "POST", "/api/console/conversations/"+convID+"/messages", body, nil); code != 201 {
		t.Fatalf("agent reply = %d", code)
	}
	waitFor("the agent's reply on the channel after two 5xx", func() bool { return fake.count("Agent Amy here") >= 1 })
	time.Sleep(500 * time.Millisecond)
	if n := fake.count("Agent Amy here"); n != 1 {
		t.Fatalf("the agent's reply was delivered %d times, want exactly once", n)
	}
	// Too long for Tandem: refused without a retry loop (200 where the platform would
	// redeliver on an error, 400 with the reason on the generic webhook), nothing sent.
	if code := deliver(t, in.base, false, 10005, strings.Repeat("x", 5000)); code != 200 && code != 400 {
		t.Fatalf("over-long message: %d", code)
	}
	if n := fake.count("wrong recipient"); n != 0 {
		t.Fatalf("%d messages to the wrong recipient", n)
	}
}

func TestChannelWebhookEdges(t *testing.T) {
	_, extra, _ := channelHarnesses[1].setup(t)
	env := demoEnv(t, t.TempDir())
	for k, v := range extra {
		env[k] = v
	}
	in := start(t, env, "demo")
	get := func(q string) (int, string) {
		res, err := http.Get(in.base + "/webhooks/whatsapp?" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me"); code != 200 || body != "1158201444" {
		t.Fatalf("handshake: %d %q", code, body)
	}
	if code, _ := get("hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope"); code != 403 {
		t.Fatalf("handshake with a wrong token: %d", code)
	}
	var e apiError
	if code := in.call(t, "POST", "/webhooks/telegram", `{}`, &e); code != 404 || !strings.Contains(e.Error.Message, "not enabled") {
		t.Fatalf("a channel that is not enabled: %d %+v", code, e)
	}
}

// TestWeChatSlowBotMeetsTheDeadline: with a model that hangs, WeChat still gets its answer within
// 5 s ("success"), and the customer gets the reply through the customer-service API.
func TestWeChatSlowBotMeetsTheDeadline(t *testing.T) {
	var h channelHarness
	for _, x := range channelHarnesses {
		if x.name == "wechat" {
			h = x
		}
	}
	fake, extra, deliver := h.setup(t)
	llmFake := llmtest.New()
	t.Cleanup(llmFake.Close)
	llmFake.SetChat(func(llmtest.ChatRequest) llmtest.Script { return llmtest.Script{Delay: 30 * time.Second} })
	env := demoEnv(t, t.TempDir())
	for k, v := range extra {
		env[k] = v
	}
	env["TANDEM_LLM_BASE_URL"], env["TANDEM_LLM_MODEL"], env["TANDEM_LLM_API_KEY"] = llmFake.BaseURL(), "slow-model", "sk"
	env["TANDEM_OUTBOUND_ALLOW"] = allowed(fake.URL, llmFake.BaseURL())
	in := start(t, env, "demo")
	start := time.Now()
	if code := deliver(t, in.base, false, 1, "How do I file a claim?"); code != 200 || time.Since(start) > 5*time.Second {
		t.Fatalf("webhook answered %d after %s; WeChat needs an answer within 5 s", code, time.Since(start))
	}
	for deadline := time.Now().Add(15 * time.Second); fake.count("400-800-1234") != 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the answer never went out: %q", fake.sent)
		}
	}
}

// deskClient is an agent signed in to the console API.
type deskClient struct {
	base string
	c    *http.Client
}

// deskAgent signs the demo agent in and sets them online.
func deskAgent(t *testing.T, base string) *deskClient {
	t.Helper()
	a := deskLogin(t, base, "agent", demoAgentPassword)
	if code := a.do(t, "PUT", "/api/console/presence", `{"status":"online"}`, nil); code != 200 {
		t.Fatalf("presence = %d", code)
	}
	return a
}

// deskLogin signs a user in to the agent console.
func deskLogin(t *testing.T, base, user, password string) *deskClient {
	t.Helper()
	return signIn(t, base, "/api/console/login", user, password)
}

// signIn signs a user in at a console's login path and keeps the session cookie.
func signIn(t *testing.T, base, path, user, password string) *deskClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	a := &deskClient{base: base, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	if code := a.do(t, "POST", path, `{"username":"`+user+`","password":"`+password+`"}`, nil); code != 200 {
		t.Fatalf("login %s at %s = %d", user, path, code)
	}
	return a
}

func (a *deskClient) do(t *testing.T, method, path, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, a.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := a.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode
}

// TestAdminConfiguresChannels: an admin turns a channel on in the admin API, at run time; secrets
// never come back in full, a secret left masked is kept, bad settings are refused naming the
// setting, and removing the settings turns the channel off. Agents may not touch it.
func TestAdminConfiguresChannels(t *testing.T) {
	h := channelHarnesses[0] // telegram
	fake, env, deliver := h.setup(t)
	serverEnv := demoEnv(t, t.TempDir())
	serverEnv["TANDEM_OUTBOUND_ALLOW"] = env["TANDEM_OUTBOUND_ALLOW"]
	in := start(t, serverEnv, "demo")
	if code := deskAgent(t, in.base).do(t, "GET", "/api/admin/channels", "", nil); code != 403 {
		t.Fatalf("agent on the admin API = %d, want 403", code)
	}
	admin := deskLogin(t, in.base, "admin", demoAdminPassword)
	if code := deliver(t, in.base, false, 20000, "hi"); code != 404 {
		t.Fatalf("telegram webhook before it is configured = %d, want 404", code)
	}
	type channel struct {
		Name    string
		Enabled bool
		Source  string
		Fields  []struct{ Key, Value string }
	}
	var list struct{ Channels []channel }
	admin.do(t, "GET", "/api/admin/channels", "", &list)
	if len(list.Channels) != 6 || list.Channels[0].Enabled {
		t.Fatalf("channels = %+v", list.Channels)
	}
	body := fmt.Sprintf(`{"fields":{"bot_token":%q,"secret":%q,"api_base":%q}}`, env["TANDEM_TELEGRAM_BOT_TOKEN"], env["TANDEM_TELEGRAM_SECRET"], env["TANDEM_TELEGRAM_API_BASE"])
	var got channel
	if code := admin.do(t, "PUT", "/api/admin/channels/telegram", body, &got); code != 200 || !got.Enabled || got.Source != "admin" {
		t.Fatalf("PUT telegram = %d %+v", code, got)
	}
	raw := admin.raw(t, "GET", "/api/admin/channels")
	if strings.Contains(raw, env["TANDEM_TELEGRAM_BOT_TOKEN"]) || strings.Contains(raw, env["TANDEM_TELEGRAM_SECRET"]) || !strings.Contains(raw, "••••test") {
		t.Fatalf("secrets must come back masked: %s", raw)
	}
	if code := deliver(t, in.base, false, 20001, "How do I file a claim?"); code != 200 {
		t.Fatalf("webhook after enabling = %d", code)
	}
	for deadline := time.Now().Add(10 * time.Second); fake.count("400-800-1234") != 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no answer delivered through the admin-configured channel: %q", fake.sent)
		}
	}
	var e apiError
	if code := admin.do(t, "PUT", "/api/admin/channels/generic", `{"fields":{"secret":"short","url":"https://example.com/hook"}}`, &e); code != 400 ||
		!strings.Contains(e.Error.Message, "at least 32 characters") {
		t.Fatalf("bad generic settings = %d %+v", code, e)
	}
	if code := admin.do(t, "PUT", "/api/admin/channels/telegram", `{"fields":{"nope":"x"}}`, &e); code != 400 || !strings.Contains(e.Error.Message, "nope") {
		t.Fatalf("unknown setting = %d %+v", code, e)
	}
	// The masked token sent back keeps the stored one; the webhook still works.
	if code := admin.do(t, "PUT", "/api/admin/channels/telegram", `{"fields":{"bot_token":"••••test"}}`, &got); code != 200 {
		t.Fatalf("PUT with the masked token = %d", code)
	}
	if code := deliver(t, in.base, false, 20002, "What is a deductible?"); code != 200 {
		t.Fatalf("webhook after re-saving = %d", code)
	}
	for deadline := time.Now().Add(10 * time.Second); fake.count("deductible") != 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the kept token did not work: %q", fake.sent)
		}
	}
	if code := admin.do(t, "DELETE", "/api/admin/channels/telegram", "", nil); code != 204 {
		t.Fatalf("DELETE = %d", code)
	}
	if code := deliver(t, in.base, false, 20003, "hi"); code != 404 {
		t.Fatalf("webhook after removing = %d, want 404", code)
	}
}

func (a *deskClient) raw(t *testing.T, method, path string) string {
	t.Helper()
	req, _ := http.NewRequest(method, a.base+path, nil)
	res, err := a.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// TestDraftsExport: a draft the agent edited comes out of `tandem drafts export` with the
// customer's question, the draft, the final text and the edit distance.
func TestDraftsExport(t *testing.T) {
	dir := t.TempDir()
	env := demoEnv(t, dir)
	in := start(t, env, "demo")
	agent := deskAgent(t, in.base)
	var conv apiConversation
	in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"ann","name":"Ann"}}`, &conv)
	in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":"I want a human"}`, nil)
	if code := agent.do(t, "POST", "/api/console/conversations/"+conv.ID+"/accept", "", nil); code != 200 {
		t.Fatalf("accept = %d", code)
	}
	in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":"How do I file a claim?"}`, nil)
	// The draft of the claim question (accepting drafts "I want a human" first: nothing asked yet).
	var detail struct {
		Draft *struct {
			ID   int64
			Text string
		}
	}
	for deadline := time.Now().Add(10 * time.Second); detail.Draft == nil || !strings.Contains(detail.Draft.Text, "400-800-1234"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no draft of the claim question: %+v", detail.Draft)
		}
		agent.do(t, "GET", "/api/console/conversations/"+conv.ID, "", &detail)
	}
	agent.do(t, "POST", "/api/console/conversations/"+conv.ID+"/messages", fmt.Sprintf(`{"text":"Call 400-800-1234.","draft_id":%d}`, detail.Draft.ID), nil)
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"drafts", "export", "--sent-only"}, func(k string) string { return env[k] }, &out, &errs); code != 0 {
		t.Fatalf("drafts export = %d: %s", code, errs.String())
	}
	var line conversation.Coauthored
	if err := json.Unmarshal(out.Bytes(), &line); err != nil || line.Customer != "How do I file a claim?" || line.Final != "Call 400-800-1234." ||
		line.EditDistance == nil || *line.EditDistance == 0 || line.Agent != "agent" || !strings.Contains(line.Draft, "400-800-1234") || len(line.Sources) == 0 {
		t.Fatalf("export = %s (%v)", out.String(), err)
	}
}

// TestAdminUsersAndAudit: an admin lists the accounts and disables one, which can no longer sign
// in; changes made with sessions are in the audit log with who, what and the outcome.
func TestAdminUsersAndAudit(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	agent := deskAgent(t, in.base)
	agent.do(t, "POST", "/api/console/conversations/nope/accept", "", nil) // a failed change is audited too
	admin := deskLogin(t, in.base, "admin", demoAdminPassword)
	var users struct {
		Users []struct {
			Username, Role string
			DisabledAt     *time.Time `json:"disabled_at"`
		}
	}
	if code := admin.do(t, "GET", "/api/admin/users", "", &users); code != 200 || len(users.Users) != 4 || users.Users[2].Username != "agent2" {
		t.Fatalf("users = %d %+v", code, users)
	}
	if code := admin.do(t, "POST", "/api/admin/users/agent2/disable", "", nil); code != 204 {
		t.Fatalf("disable = %d", code)
	}
	if code := admin.do(t, "POST", "/api/admin/users/admin/disable", "", nil); code != 400 {
		t.Fatalf("disabling yourself = %d, want 400", code)
	}
	jar, _ := cookiejar.New(nil)
	c := &deskClient{base: in.base, c: &http.Client{Jar: jar}}
	var e apiError
	if code := c.do(t, "POST", "/api/console/login", `{"username":"agent2","password":"`+demoAgentPassword+`"}`, &e); code != 401 || !strings.Contains(e.Error.Message, "disabled") {
		t.Fatalf("disabled login = %d %+v", code, e)
	}
	var audit struct {
		Entries []struct {
			Actor, Action, Target string
			Status                int
		}
	}
	admin.do(t, "GET", "/api/admin/audit", "", &audit)
	got := map[string]bool{}
	for _, en := range audit.Entries {
		got[fmt.Sprintf("%s %s %s %d", en.Actor, en.Action, en.Target, en.Status)] = true
	}
	for _, want := range []string{"agent POST /api/console/conversations/:id/accept nope 404", "admin POST /api/admin/users/:username/disable agent2 204"} {
		if !got[want] {
			t.Errorf("audit log lacks %q: %v", want, got)
		}
	}
	if got["agent PUT /api/console/presence  200"] { // set at every sign-in: noise, not a change anyone audits
		t.Errorf("presence is in the audit log: %v", got)
	}
	if code := agent.do(t, "GET", "/api/admin/audit", "", nil); code != 403 {
		t.Fatalf("an agent reading the audit log = %d", code)
	}
}

// TestUsersAndKeysCLI: accounts and API keys managed from the command line work on a running
// server.
func TestUsersAndKeysCLI(t *testing.T) {
	env := demoEnv(t, t.TempDir())
	in := start(t, env, "demo")
	code, out := runCLI(t, env, "users", "add", "tina", "--role", "trainer")
	m := regexp.MustCompile(`the password (\S+) \(shown once\)`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("users add = %d: %s", code, out)
	}
	jar, _ := cookiejar.New(nil)
	c := &deskClient{base: in.base, c: &http.Client{Jar: jar}}
	if code := c.do(t, "POST", "/api/trainer/login", `{"username":"tina","password":"`+m[1]+`"}`, nil); code != 200 {
		t.Fatalf("the new trainer's login = %d", code)
	}
	if code, out := runCLI(t, env, "users", "add", "x", "--role", "boss"); code == 0 || !strings.Contains(out, "--role") {
		t.Fatalf("bad role = %d: %s", code, out)
	}
	if code, out := runCLI(t, env, "users", "list"); code != 0 || !strings.Contains(out, "tina") || !strings.Contains(out, "trainer") {
		t.Fatalf("users list = %d: %s", code, out)
	}
	if code, out := runCLI(t, env, "users", "disable", "tina"); code != 0 {
		t.Fatalf("users disable = %d: %s", code, out)
	}
	if code := c.do(t, "POST", "/api/trainer/login", `{"username":"tina","password":"`+m[1]+`"}`, nil); code != 401 {
		t.Fatalf("a disabled trainer's login = %d, want 401", code)
	}
	code, out = runCLI(t, env, "keys", "create", "ci", "--scopes", "knowledge")
	k := regexp.MustCompile(`key (\S+) \(ci, scopes knowledge\): (tk_\S+)`).FindStringSubmatch(out)
	if code != 0 || k == nil {
		t.Fatalf("keys create = %d: %s", code, out)
	}
	if code := in.callKey(t, k[2], "GET", "/api/v1/kb/status", "", nil); code != 200 {
		t.Fatalf("the new key = %d", code)
	}
	if code := in.callKey(t, k[2], "POST", "/api/v1/conversations", `{"customer":{"id":"c1"}}`, nil); code != 403 {
		t.Fatalf("a knowledge key on the app API = %d, want 403", code)
	}
	code, out = runCLI(t, env, "keys", "create", "app")
	app := regexp.MustCompile(`key (\S+) \(app, scopes conversations\): (tk_\S+)`).FindStringSubmatch(out)
	if code != 0 || app == nil {
		t.Fatalf("keys create (default scope) = %d: %s", code, out)
	}
	if code := in.callKey(t, app[2], "GET", "/api/v1/kb/status", "", nil); code != 403 {
		t.Fatalf("a conversations key on the knowledge API = %d, want 403", code)
	}
	if code, out := runCLI(t, env, "keys", "create", "x", "--scopes", "root"); code == 0 || !strings.Contains(out, "unknown scope") {
		t.Fatalf("bad scope = %d: %s", code, out)
	}
	if code, out := runCLI(t, env, "keys", "list"); code != 0 || !strings.Contains(out, k[1]) || !strings.Contains(out, "conversations") {
		t.Fatalf("keys list = %d: %s", code, out)
	}
	if code, _ := runCLI(t, env, "keys", "revoke", k[1]); code != 0 {
		t.Fatal("revoke failed")
	}
	if code, out := runCLI(t, env, "keys", "revoke", k[1]); code == 0 || !strings.Contains(out, "not found") {
		t.Fatalf("revoking twice = %d: %s", code, out)
	}
}
