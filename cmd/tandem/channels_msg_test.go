package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"tandem/channels/webhook"
	"tandem/channels/wechat"
)

// msgFake is a messaging platform's send API: it records what reached each recipient, answers
// a recipient with the platform's own error body on request, and counts every attempt.
type msgFake struct {
	*httptest.Server
	mu       sync.Mutex
	sent     map[string][]string  // recipient → texts delivered
	attempts map[string]int       // recipient → sends tried
	fail     map[string][2]string // recipient → {HTTP status, error body file}
	refs     []string             // ids handed out for sent messages (WhatsApp's wamids)
}

func newMsgFake(t *testing.T, api func(f *msgFake) http.HandlerFunc) *msgFake {
	f := &msgFake{sent: map[string][]string{}, attempts: map[string]int{}, fail: map[string][2]string{}}
	f.Server = httptest.NewServer(api(f))
	t.Cleanup(f.Close)
	return f
}

// attempt records a send of text to addr and writes the configured failure, if any; false when
// the send is to succeed (the caller writes the platform's success body).
func (f *msgFake) attempt(w http.ResponseWriter, addr, text string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts[addr]++
	if fl, ok := f.fail[addr]; ok {
		code, _ := strconv.Atoi(fl[0])
		w.WriteHeader(code)
		w.Write(readPayload(fl[1]))
		return true
	}
	f.sent[addr] = append(f.sent[addr], text)
	return false
}

// record counts a text the platform received in a webhook's response (WeChat's passive reply).
func (f *msgFake) record(addr, text string) {
	f.mu.Lock()
	f.sent[addr] = append(f.sent[addr], text)
	f.mu.Unlock()
}

func (f *msgFake) texts(addr string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sent[addr]...)
}

func (f *msgFake) tries(addr string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attempts[addr]
}

func (f *msgFake) lastRef() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.refs) == 0 {
		return ""
	}
	return f.refs[len(f.refs)-1]
}

func readPayload(name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "channels", name))
	if err != nil {
		panic(err)
	}
	return bytes.TrimSpace(b)
}

// fill makes a payload file a delivery from user with message id.
func fill(name, user string, id int, text string) []byte {
	q, _ := json.Marshal(text)
	return []byte(strings.NewReplacer("{{user}}", user, "{{id}}", strconv.Itoa(id), "{{text}}", string(q), "{{wamid}}", text).
		Replace(string(readPayload(name))))
}

// msgPlatform is what the real-payload suite needs of one channel.
type msgPlatform struct {
	name     string
	api      func(f *msgFake) http.HandlerFunc
	env      func(url string) map[string]string
	post     func(t *testing.T, base string, f *msgFake, body []byte) int // a signed webhook delivery
	addr     func(user string) string                                     // how the platform's API names the user
	customer func(user string) string                                     // Tandem's customer id
	user     func(n int) string
}

var msgPlatforms = []msgPlatform{
	{
		name: "whatsapp",
		api: func(f *msgFake) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/106540352242922/messages" || r.Header.Get("Authorization") != "Bearer wa-token" {
					w.WriteHeader(http.StatusUnauthorized)
					fmt.Fprint(w, `{"error":{"message":"Invalid OAuth access token","type":"OAuthException","code":190}}`)
					return
				}
				var b struct {
					To, Recipient string
					Text          struct{ Body string }
				}
				json.NewDecoder(r.Body).Decode(&b)
				addr := b.To
				if addr == "" {
					addr = "recipient=" + b.Recipient
				}
				if f.attempt(w, addr, b.Text.Body) {
					return
				}
				f.mu.Lock()
				id := fmt.Sprintf("wamid.out%d", len(f.refs)+1)
				f.refs = append(f.refs, id)
				f.mu.Unlock()
				fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":%q}],"messages":[{"id":%q}]}`, addr, id)
			}
		},
		env: func(url string) map[string]string {
			return map[string]string{"TANDEM_WHATSAPP_TOKEN": "wa-token", "TANDEM_WHATSAPP_APP_SECRET": "app-secret",
				"TANDEM_WHATSAPP_VERIFY_TOKEN": "verify-me", "TANDEM_WHATSAPP_PHONE_ID": "106540352242922", "TANDEM_WHATSAPP_API_BASE": url}
		},
		post: func(t *testing.T, base string, _ *msgFake, body []byte) int {
			mac := hmac.New(sha256.New, []byte("app-secret"))
			mac.Write(body)
			return postWebhook(t, base+"/webhooks/whatsapp", string(body), map[string]string{"X-Hub-Signature-256": "sha256=" + hex.EncodeToString(mac.Sum(nil))})
		},
		addr: func(user string) string {
			if strings.Contains(user, ".") {
				return "recipient=" + user
			}
			return "+" + user
		},
		customer: func(user string) string { return "wa-" + user },
		user:     func(n int) string { return fmt.Sprintf("1650555%04d", n) },
	},
	{
		name: "telegram",
		api: func(f *msgFake) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				var b struct {
					ChatID int64  `json:"chat_id"`
					Text   string `json:"text"`
				}
				json.NewDecoder(r.Body).Decode(&b)
				switch r.URL.Path {
				case "/bot123456:ABC-test/sendChatAction":
					fmt.Fprint(w, `{"ok":true,"result":true}`)
				case "/bot123456:ABC-test/sendMessage":
					if len(utf16.Encode([]rune(b.Text))) > 4096 { // Telegram counts UTF-16 code units
						f.mu.Lock()
						f.attempts[strconv.FormatInt(b.ChatID, 10)]++
						f.mu.Unlock()
						w.WriteHeader(http.StatusBadRequest)
						w.Write(readPayload("tg_send_400_too_long.json"))
						return
					}
					if f.attempt(w, strconv.FormatInt(b.ChatID, 10), b.Text) {
						return
					}
					fmt.Fprintf(w, `{"ok":true,"result":{"message_id":1,"chat":{"id":%d,"type":"private"},"date":1,"text":%q}}`, b.ChatID, b.Text)
				default:
					w.WriteHeader(http.StatusNotFound)
					fmt.Fprint(w, `{"ok":false,"error_code":404,"description":"Not Found"}`)
				}
			}
		},
		env: func(url string) map[string]string {
			return map[string]string{"TANDEM_TELEGRAM_BOT_TOKEN": "123456:ABC-test", "TANDEM_TELEGRAM_SECRET": "s3cr3t_Token-1", "TANDEM_TELEGRAM_API_BASE": url}
		},
		post: func(t *testing.T, base string, _ *msgFake, body []byte) int {
			return postWebhook(t, base+"/webhooks/telegram", string(body), map[string]string{"X-Telegram-Bot-Api-Secret-Token": "s3cr3t_Token-1"})
		},
		addr:     func(user string) string { return user },
		customer: func(user string) string { return "tg-" + user },
		user:     func(n int) string { return strconv.Itoa(7000000 + n) },
	},
	{
		name: "wechat",
		api: func(f *msgFake) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/cgi-bin/stable_token":
					fmt.Fprint(w, `{"access_token":"ACCESS_TOKEN_1","expires_in":7200}`)
				case "/cgi-bin/message/custom/send":
					if r.URL.Query().Get("access_token") != "ACCESS_TOKEN_1" {
						fmt.Fprint(w, `{"errcode":40001,"errmsg":"invalid credential"}`)
						return
					}
					var b struct {
						ToUser string `json:"touser"`
						Text   struct {
							Content string `json:"content"`
						} `json:"text"`
					}
					json.NewDecoder(r.Body).Decode(&b)
					if !f.attempt(w, b.ToUser, b.Text.Content) {
						fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
					}
				default:
					w.WriteHeader(http.StatusNotFound)
				}
			}
		},
		env: func(url string) map[string]string {
			return map[string]string{"TANDEM_WECHAT_TOKEN": "wxtoken", "TANDEM_WECHAT_APP_ID": "wx1234567890abcdef", "TANDEM_WECHAT_APP_SECRET": "wxsecret",
				"TANDEM_WECHAT_API_BASE": url}
		},
		post: func(t *testing.T, base string, f *msgFake, body []byte) int {
			ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), "486452656"
			var m struct{ FromUserName string }
			xml.Unmarshal(body, &m)
			code, resp := postWebhookBody(t, fmt.Sprintf("%s/webhooks/wechat?signature=%s&timestamp=%s&nonce=%s&openid=%s",
				base, wechat.Signature("wxtoken", ts, nonce), ts, nonce, m.FromUserName), string(body), map[string]string{"Content-Type": "text/xml"})
			var reply struct{ ToUserName, MsgType, Content string }
			if bytes.HasPrefix(resp, []byte("<xml>")) && xml.Unmarshal(resp, &reply) == nil && reply.MsgType == "text" {
				f.record(reply.ToUserName, reply.Content) // a passive reply
			}
			return code
		},
		addr:     func(user string) string { return user },
		customer: func(user string) string { return "wx-" + user },
		user:     func(n int) string { return fmt.Sprintf("oUSER_case%d", n) },
	},
	{
		name: "generic",
		api: func(f *msgFake) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				ts, _ := strconv.ParseInt(r.Header.Get("X-Tandem-Timestamp"), 10, 64)
				if r.Header.Get("X-Tandem-Signature") != webhook.Sign("generic-webhook-secret-0123456789abcdef", ts, body) {
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				var b struct {
					UserID string `json:"user_id"`
					Text   string `json:"text"`
				}
				json.Unmarshal(body, &b)
				if !f.attempt(w, b.UserID, b.Text) {
					fmt.Fprint(w, `{}`)
				}
			}
		},
		env: func(url string) map[string]string {
			return map[string]string{"TANDEM_WEBHOOK_SECRET": "generic-webhook-secret-0123456789abcdef", "TANDEM_WEBHOOK_URL": url + "/replies"}
		},
		post: func(t *testing.T, base string, _ *msgFake, body []byte) int {
			ts := time.Now().Unix()
			return postWebhook(t, base+"/webhooks/generic", string(body), map[string]string{
				"X-Tandem-Timestamp": strconv.FormatInt(ts, 10), "X-Tandem-Signature": webhook.Sign("generic-webhook-secret-0123456789abcdef", ts, body)})
		},
		addr:     func(user string) string { return user },
		customer: func(user string) string { return "wh-" + user },
		user:     func(n int) string { return fmt.Sprintf("u-case-%d", n) },
	},
}

// Outcomes of a real-shaped message.
const (
	toBot      = "bot"       // the text it carries is answered by the bot; the bot keeps the conversation
	toAgent    = "agent"     // the customer is told a person will look at it; the conversation waits for one
	greeted    = "greeting"  // answered with the greeting, and nothing else; the bot keeps it
	ignored    = "ignored"   // acknowledged; nothing stored, nothing sent
	setAside   = "set_aside" // the platform refuses the reply for good: tried once, a note for an agent
	anyReply   = ""          // with toBot: any answer will do
	noticeEN   = "I can only read text"
	noticeZH   = "我只能读懂文字消息"
	greetingEN = "I'm the virtual assistant"
	greetingZH = "我是智能客服助手"
)

// msgCase is one real-shaped delivery and what must follow.
type msgCase struct {
	name, file string
	user       string    // "" for a fresh user
	text       string    // fills {{text}}
	fail       [2]string // the platform answers sends to this user with {status, error body file}
	outcome    string
	reply      string // a substring of what reaches the customer (outcome toBot, toAgent, greeted) or of the note (setAside)
	stored     string // a substring of the stored customer message (an attachment's description)
}

var msgCases = map[string][]msgCase{
	"whatsapp": {
		{name: "username user (from_user_id, no from)", file: "wa_username_text.json", user: "US.13491208655302741918", outcome: toBot, reply: "400-800-1234"},
		{name: "button reply", file: "wa_button_reply.json", outcome: toBot, reply: "400-800-1234", stored: "How do I file a claim?"},
		{name: "list reply", file: "wa_list_reply.json", outcome: toBot, reply: "deductible"},
		{name: "image with caption", file: "wa_image_caption.json", outcome: toBot, reply: "400-800-1234", stored: "[image] image/jpeg · whatsapp media 1003383421387256"},
		{name: "document", file: "wa_document.json", outcome: toAgent, reply: "your file", stored: "[file] claim-form.pdf · application/pdf · whatsapp media 1104480873777230"},
		{name: "voice", file: "wa_voice.json", outcome: toAgent, reply: "voice message", stored: "[voice]"},
		{name: "location", file: "wa_location.json", outcome: toAgent, reply: "your location", stored: "[location] Meta Headquarters 1 Hacker Way, Menlo Park, CA 94025 · https://www.openstreetmap.org/?mlat=37.483873&mlon=-122.148903"},
		{name: "contacts", file: "wa_contacts.json", outcome: toAgent, reply: "contact card", stored: "[contact] Barbara J. Johnson +1 (940) 555-1234"},
		{name: "sticker", file: "wa_sticker.json", outcome: toAgent, reply: "sticker", stored: "[sticker]"},
		{name: "video", file: "wa_video.json", outcome: toAgent, reply: "video", stored: "[video] video/mp4"},
		{name: "unsupported type", file: "wa_unsupported.json", outcome: toAgent, reply: noticeEN, stored: "[other] error 131051 Message type unknown"},
		{name: "reaction", file: "wa_reaction.json", outcome: ignored},
		{name: "send refused with 131026", file: "wa_username_text.json", user: "US.99999999999999999999", fail: [2]string{"400", "wa_send_131026.json"},
			outcome: setAside, reply: "131026"},
	},
	"telegram": {
		{name: "/start", file: "tg_start.json", outcome: greeted, reply: greetingEN},
		{name: "/start with a payload, Chinese user", file: "tg_start_payload_zh.json", outcome: greeted, reply: greetingZH, stored: "/start ref_campaign42"},
		{name: "/help", file: "tg_help.json", outcome: greeted, reply: greetingEN},
		{name: "text of 4,050 characters", file: "tg_text.json", text: "How do I file a claim? " + strings.Repeat("x", 4027), outcome: toBot, reply: anyReply},
		{name: "photo with caption", file: "tg_photo_caption.json", outcome: toBot, reply: "400-800-1234", stored: "[image] telegram media AgACAgIAAxkBAAIBX2Zx-large"},
		{name: "voice", file: "tg_voice.json", outcome: toAgent, reply: "voice message", stored: "[voice] audio/ogg · telegram media AwACAgIAAxkBAAIBYGZx-voice"},
		{name: "document", file: "tg_document.json", outcome: toAgent, reply: "your file", stored: "[file] claim-form.pdf · application/pdf"},
		{name: "sticker", file: "tg_sticker.json", outcome: toAgent, reply: "sticker", stored: "[sticker] 👍 HotCherry"},
		{name: "location", file: "tg_location.json", outcome: toAgent, reply: "location", stored: "[location] https://www.openstreetmap.org/?mlat=52.520008&mlon=13.404954"},
		{name: "contact", file: "tg_contact.json", outcome: toAgent, reply: "contact card", stored: "[contact] Bea Kim +4915112345678"},
		{name: "bot blocked by the user (403)", file: "tg_text.json", text: "How do I file a claim?", fail: [2]string{"403", "tg_send_403_blocked.json"},
			outcome: setAside, reply: "Forbidden: bot was blocked by the user"},
		{name: "chat not found (400)", file: "tg_text.json", text: "How do I file a claim?", fail: [2]string{"400", "tg_send_400_chat_not_found.json"},
			outcome: setAside, reply: "Bad Request: chat not found"},
	},
	"wechat": {
		{name: "voice with Recognition", file: "wx_voice_recognition.xml", outcome: toBot, reply: "400-800-1234", stored: "如何报案？\n📎 [voice] amr · wechat media MEDIA_ID_voice_8kamr"},
		{name: "voice without Recognition", file: "wx_voice.xml", outcome: toAgent, reply: "语音", stored: "[voice] amr"},
		{name: "image", file: "wx_image.xml", outcome: toAgent, reply: noticeZH, stored: "[image] http://mmbiz.qpic.cn/mmbiz_jpg/example/0 · wechat media MEDIA_ID_image"},
		{name: "location", file: "wx_location.xml", outcome: toAgent, reply: "位置", stored: "[location] 广州市天河区天河路 · https://www.openstreetmap.org/?mlat=23.134521&mlon=113.358803"},
		{name: "link", file: "wx_link.xml", outcome: toAgent, reply: "链接", stored: "[link] 理赔须知 车险理赔所需材料 · https://mp.weixin.qq.com/s/example"},
		{name: "video", file: "wx_video.xml", outcome: toAgent, reply: "视频", stored: "[video] wechat media MEDIA_ID_video"},
		{name: "subscribe event", file: "wx_event_subscribe.xml", outcome: ignored},
	},
	"generic": {
		{name: "attachment only", file: "generic_attachment.json", outcome: toAgent, reply: "your photo", stored: "[image] claim.jpg · https://files.example.com/u/claim.jpg · image/jpeg"},
		{name: "text with a file", file: "generic_text_attachment.json", outcome: toBot, reply: "400-800-1234", stored: "[file] form.pdf"},
	},
}

// exported is what the admin export shows of a customer.
type exported struct {
	Conversations []struct {
		Conversation struct{ ID, Owner string }
		Messages     []struct{ Author, Text string }
		Deliveries   []struct {
			MessageID int64      `json:"message_id"`
			Attempts  int        `json:"attempts"`
			DeadAt    *time.Time `json:"dead_at"`
			LastError string     `json:"last_error"`
		}
	}
}

func exportOf(t *testing.T, admin *deskClient, customer string) (exported, int) {
	t.Helper()
	var x exported
	code := admin.do(t, "GET", "/api/admin/customers/"+customer+"/export", "", &x)
	return x, code
}

// channelDBs are the stores the channel suites run on: a SQLite file, and Postgres.
var channelDBs = []struct {
	name string
	url  func(t *testing.T) string
}{
	{"sqlite", func(*testing.T) string { return "" }},
	{"postgres", pgSchemaURL},
}

// TestChannelConformanceRealPayloads feeds every channel real-shaped deliveries (testdata/
// channels, from the platforms' documentation) through the public webhook, with the platform's
// own error bodies from the fake send API, on SQLite and Postgres: usernames, button and list
// replies, captions and voice transcripts reach the bot; media, files, locations, contacts and
// stickers reach an agent with a description, the customer told so in their language; /start is
// greeted; permanent send errors are set aside at once with a note. A platform's cases share
// one server and run in order; the servers of the platforms and stores run in parallel.
func TestChannelConformanceRealPayloads(t *testing.T) {
	for _, db := range channelDBs {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			for _, p := range msgPlatforms {
				t.Run(p.name, func(t *testing.T) { t.Parallel(); runMsgCases(t, p, db.url(t)) })
			}
		})
	}
}

// msgServer starts Tandem with the channel enabled against a fake of its platform.
func msgServer(t *testing.T, p msgPlatform, dbURL string) (*instance, *msgFake, *deskClient) {
	f := newMsgFake(t, p.api)
	env := demoEnv(t, t.TempDir())
	for k, v := range p.env(f.URL) {
		env[k] = v
	}
	env["TANDEM_OUTBOUND_ALLOW"] = allowed(f.URL)
	if dbURL != "" {
		env["DATABASE_URL"] = dbURL
	}
	in := start(t, env, "demo")
	return in, f, deskLogin(t, in.base, "admin", demoAdminPassword)
}

func runMsgCases(t *testing.T, p msgPlatform, dbURL string) {
	in, f, admin := msgServer(t, p, dbURL)
	for i, c := range msgCases[p.name] {
		t.Run(c.name, func(t *testing.T) {
			user := c.user
			if user == "" {
				user = p.user(i)
			}
			addr := p.addr(user)
			if c.fail != [2]string{} {
				f.mu.Lock()
				f.fail[addr] = c.fail
				f.mu.Unlock()
			}
			if code := p.post(t, in.base, f, fill(c.file, user, 5000+i, c.text)); code != 200 {
				t.Fatalf("webhook = %d, want 200", code)
			}
			checkOutcome(t, f, admin, c, addr, p.customer(user))
		})
	}
	if more := msgSequences[p.name]; more != nil {
		more(t, in, f, admin, p)
	}
}

// msgSequences are the cases of a platform that take more than one delivery.
var msgSequences = map[string]func(t *testing.T, in *instance, f *msgFake, admin *deskClient, p msgPlatform){
	"whatsapp": func(t *testing.T, in *instance, f *msgFake, admin *deskClient, p msgPlatform) {
		t.Run("failed status after delivery", func(t *testing.T) {
			user := p.user(900)
			p.post(t, in.base, f, fill("wa_button_reply.json", user, 9000, ""))
			eventually(t, "the answer", func() bool { return containing(f.texts(p.addr(user)), "400-800-1234") == 1 })
			wamid := f.lastRef()
			for range 2 { // Meta delivers the status again: one note
				if code := p.post(t, in.base, f, fill("wa_status_failed.json", user, 0, wamid)); code != 200 {
					t.Fatalf("status webhook = %d", code)
				}
			}
			var x exported
			eventually(t, "the note", func() bool {
				x, _ = exportOf(t, admin, p.customer(user))
				return containing(texts(x, "system"), "WhatsApp reported the message failed: error 131026 Message undeliverable") == 1
			})
			if d := x.Conversations[0].Deliveries; len(d) != 1 || d[0].DeadAt == nil || !strings.Contains(d[0].LastError, "131026") {
				t.Fatalf("deliveries = %+v, want the reply marked failed", d)
			}
		})
	},
	"telegram": func(t *testing.T, in *instance, f *msgFake, admin *deskClient, p msgPlatform) {
		t.Run("agent reply over 4,096 UTF-16 units", func(t *testing.T) {
			user := p.user(901)
			p.post(t, in.base, f, fill("tg_document.json", user, 9001, ""))
			conv := waitingConversation(t, admin, p.customer(user))
			agent := deskAgent(t, in.base)
			if code := agent.do(t, "POST", "/api/console/conversations/"+conv+"/accept", "", nil); code != 200 {
				t.Fatalf("accept = %d", code)
			}
			long := strings.Repeat("😀", 3000) // 3,000 characters, 6,000 UTF-16 code units
			body, _ := json.Marshal(map[string]string{"text": long})
			if code := agent.do(t, "POST", "/api/console/conversations/"+conv+"/messages", string(body), nil); code != 201 {
				t.Fatalf("agent reply = %d", code)
			}
			eventually(t, "the reply in parts Telegram takes", func() bool { return strings.Count(strings.Join(f.texts(p.addr(user)), ""), "😀") == 3000 })
			for _, part := range f.texts(p.addr(user)) {
				if n := len(utf16.Encode([]rune(part))); n > 4096 {
					t.Fatalf("a part of %d UTF-16 units", n)
				}
			}
		})
	},
	"wechat": func(t *testing.T, in *instance, f *msgFake, admin *deskClient, p msgPlatform) {
		t.Run("errcode 48001", func(t *testing.T) {
			user := p.user(902)
			f.mu.Lock()
			f.fail[user] = [2]string{"200", "wx_send_48001.json"}
			f.mu.Unlock()
			p.post(t, in.base, f, fill("wx_image.xml", user, 9002, ""))
			conv := waitingConversation(t, admin, p.customer(user))
			agent := deskAgent(t, in.base)
			if code := agent.do(t, "POST", "/api/console/conversations/"+conv+"/accept", "", nil); code != 200 { // the joined notice goes through custom/send
				t.Fatalf("accept = %d", code)
			}
			eventually(t, "the note", func() bool {
				x, _ := exportOf(t, admin, p.customer(user))
				return containing(texts(x, "system"), "errcode 48001") == 1
			})
			time.Sleep(1500 * time.Millisecond)
			if n := f.tries(user); n != 1 {
				t.Fatalf("%d custom/send attempts, want 1 for errcode 48001", n)
			}
		})
	},
}

// waitingConversation waits for the customer's conversation to be in the queue and returns its id.
func waitingConversation(t *testing.T, admin *deskClient, customer string) string {
	t.Helper()
	var x exported
	eventually(t, "the conversation in the queue", func() bool {
		x, _ = exportOf(t, admin, customer)
		return len(x.Conversations) == 1 && x.Conversations[0].Conversation.Owner == "waiting"
	})
	return x.Conversations[0].Conversation.ID
}

// eventually waits up to 15 s for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func containing(texts []string, sub string) int {
	n := 0
	for _, s := range texts {
		if strings.Contains(s, sub) {
			n++
		}
	}
	return n
}

func checkOutcome(t *testing.T, f *msgFake, admin *deskClient, c msgCase, addr, customer string) {
	t.Helper()
	if c.outcome == ignored {
		time.Sleep(700 * time.Millisecond)
		if got := f.texts(addr); len(got) != 0 {
			t.Fatalf("sent %q for a delivery that needs no answer", got)
		}
		if _, code := exportOf(t, admin, customer); code != 404 {
			t.Fatalf("export = %d: something was stored for a delivery that needs no answer", code)
		}
		return
	}
	var x exported
	if c.outcome == setAside {
		eventually(t, "the note that the reply was not delivered", func() bool {
			x, _ = exportOf(t, admin, customer)
			return len(x.Conversations) == 1 && containing(texts(x, "system"), c.reply) == 1
		})
		time.Sleep(1500 * time.Millisecond) // the outbox retries after 1 s: a permanent error must not be
		if n := f.tries(addr); n != 1 {
			t.Fatalf("%d send attempts, want exactly 1 for a permanent error", n)
		}
		x, _ = exportOf(t, admin, customer)
		if d := x.Conversations[0].Deliveries; len(d) != 1 || d[0].DeadAt == nil || !strings.Contains(d[0].LastError, c.reply) {
			t.Fatalf("deliveries = %+v, want the reply set aside with the error", d)
		}
		return
	}
	eventually(t, fmt.Sprintf("a reply containing %q", c.reply), func() bool { return containing(f.texts(addr), c.reply) >= 1 })
	eventually(t, "the stored conversation", func() bool { x, _ = exportOf(t, admin, customer); return len(x.Conversations) == 1 })
	conv := x.Conversations[0]
	want := map[string]string{toBot: "bot", greeted: "bot", toAgent: "waiting"}[c.outcome]
	if conv.Conversation.Owner != want {
		t.Fatalf("owner = %s, want %s; sent %q", conv.Conversation.Owner, want, f.texts(addr))
	}
	if customerTexts := texts(x, "customer"); len(customerTexts) != 1 || !strings.Contains(customerTexts[0], c.stored) {
		t.Fatalf("stored customer message %q, want it to contain %q", customerTexts, c.stored)
	}
	if c.outcome == greeted || c.outcome == toAgent {
		time.Sleep(300 * time.Millisecond)
		if got := f.texts(addr); len(got) != 1 {
			t.Fatalf("sent %q, want the one reply only", got)
		}
	}
}

func texts(x exported, author string) []string {
	var out []string
	for _, c := range x.Conversations {
		for _, m := range c.Messages {
			if m.Author == author {
				out = append(out, m.Text)
			}
		}
	}
	return out
}
