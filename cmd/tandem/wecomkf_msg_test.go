package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tandem/channels/wecomkf/wecomkftest"
)

// kfLogs are the msg_list logs of the real-payload suite's WeChat Customer Service fakes.
var kfLogs sync.Map // *msgFake → *kfLog

type kfLog struct {
	mu    sync.Mutex
	items []json.RawMessage
}

func kfLogOf(f *msgFake) *kfLog {
	l, _ := kfLogs.LoadOrStore(f, &kfLog{})
	return l.(*kfLog)
}

// kfAPI is WeCom's API for the suite: gettoken, kf/sync_msg over the fake's log (cursor "CUR<n>"),
// kf/send_msg recorded (and failed on request) by the msgFake, the rest acknowledged.
func kfAPI(f *msgFake) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/cgi-bin/gettoken" {
			if r.URL.Query().Get("corpsecret") != wecomkftest.Secret {
				fmt.Fprint(w, `{"errcode":40001,"errmsg":"invalid credential"}`)
				return
			}
			fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","access_token":"ACCESS_TOKEN_MSG","expires_in":7200}`)
			return
		}
		if r.URL.Query().Get("access_token") != "ACCESS_TOKEN_MSG" {
			fmt.Fprint(w, `{"errcode":40014,"errmsg":"invalid access_token"}`)
			return
		}
		var b struct {
			Cursor string `json:"cursor"`
			ToUser string `json:"touser"`
			Text   struct {
				Content string `json:"content"`
			} `json:"text"`
		}
		json.NewDecoder(r.Body).Decode(&b)
		switch r.URL.Path {
		case "/cgi-bin/kf/sync_msg":
			l := kfLogOf(f)
			l.mu.Lock()
			from, _ := strconv.Atoi(strings.TrimPrefix(b.Cursor, "CUR"))
			list := append([]json.RawMessage{}, l.items[min(from, len(l.items)):]...)
			next := len(l.items)
			l.mu.Unlock()
			out, _ := json.Marshal(map[string]any{"errcode": 0, "errmsg": "ok", "next_cursor": fmt.Sprintf("CUR%d", next), "has_more": 0, "msg_list": list})
			w.Write(out)
		case "/cgi-bin/kf/send_msg":
			if !f.attempt(w, b.ToUser, b.Text.Content) {
				fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","msgid":"out"}`)
			}
		default:
			fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
		}
	}
}

func init() {
	msgPlatforms = append(msgPlatforms, msgPlatform{
		name: "wecomkf",
		api:  kfAPI,
		env:  kfEnv,
		post: func(t *testing.T, base string, f *msgFake, body []byte) int {
			l := kfLogOf(f)
			l.mu.Lock()
			l.items = append(l.items, json.RawMessage(body))
			n := len(l.items)
			l.mu.Unlock()
			code, err := wecomkftest.Callback(base+"/webhooks/wecomkf", "", fmt.Sprintf("ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMz%d", n), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return code
		},
		addr:     func(user string) string { return user },
		customer: func(user string) string { return "wk-" + wecomkftest.OpenKfID + "." + user },
		user:     func(n int) string { return fmt.Sprintf("wmCase%04d", n) },
	})
	msgCases["wecomkf"] = []msgCase{
		{name: "text", file: "kf_text.json", text: "How do I file a claim?", outcome: toBot, reply: "400-800-1234", stored: "How do I file a claim?"},
		{name: "menu click", file: "kf_menu_click.json", outcome: toBot, reply: "deductible", stored: "What is a deductible?"},
		{name: "link: its title to the bot", file: "kf_link.json", outcome: toBot, reply: "400-800-1234", stored: "如何报案\n📎 [link] 如何报案 车险理赔流程 · https://mp.weixin.qq.com/s/example"},
		{name: "image", file: "kf_image.json", outcome: toAgent, reply: noticeZH, stored: "📎 [image] wecomkf media 2iSLeVyqzk4eX0IB5kTi9Ljfa2rt9dwfq5WKRQ4Nvvgw"},
		{name: "voice", file: "kf_voice.json", outcome: toAgent, reply: "语音", stored: "📎 [voice] audio/amr · wecomkf media MEDIA_ID_voice"},
		{name: "video", file: "kf_video.json", outcome: toAgent, reply: "视频", stored: "📎 [video] wecomkf media MEDIA_ID_video"},
		{name: "file", file: "kf_file.json", outcome: toAgent, reply: "文件", stored: "📎 [file] wecomkf media 1Yv-zXfHjSjU-7LH-GwtYqDGS-zz6w22KmWAT5COgP7o"},
		{name: "location", file: "kf_location.json", outcome: toAgent, reply: "位置",
			stored: "📎 [location] 广州国际媒体港(广州市海珠区) 广东省广州市海珠区滨江东路 · https://www.openstreetmap.org/?mlat=23.106022&mlon=113.320503"},
		{name: "business card", file: "kf_business_card.json", outcome: toAgent, reply: "名片", stored: "📎 [contact] WeCom userid zhangsan"},
		{name: "mini program", file: "kf_miniprogram.json", outcome: toAgent, reply: noticeZH,
			stored: "📎 [other] mini program 欢迎报名夏令营 (appid wx123123123, page pages/index?userid=zhangsan&orderid=123123123)"},
		{name: "servicer status event", file: "kf_event_servicer_status.json", outcome: ignored},
		{name: "enter_session without welcome_code", file: "kf_event_enter_session.json", outcome: ignored},
		{name: "send refused with 95001", file: "kf_text.json", text: "How do I file a claim?", fail: [2]string{"200", "kf_send_95001.json"},
			outcome: setAside, reply: "95001"},
	}
	msgSequences["wecomkf"] = kfSequences
}

// kfSequences are WeChat Customer Service cases of more than one delivery.
func kfSequences(t *testing.T, in *instance, f *msgFake, admin *deskClient, p msgPlatform) {
	t.Run("msg_send_fail pulled twice: one note", func(t *testing.T) {
		user := p.user(950)
		p.post(t, in.base, f, fill("kf_text.json", user, 9500, "How do I file a claim?"))
		eventually(t, "the answer", func() bool { return containing(f.texts(user), "400-800-1234") == 1 })
		for range 2 { // the same event (same msgid) served again, as after a cursor that did not move
			p.post(t, in.base, f, fill("kf_event_msg_send_fail.json", user, 9501, ""))
		}
		eventually(t, "the note", func() bool {
			x, _ := exportOf(t, admin, p.customer(user))
			return containing(texts(x, "system"), "FAIL_MSGID did not reach the customer: the customer refused messages") >= 1
		})
		time.Sleep(500 * time.Millisecond)
		if x, _ := exportOf(t, admin, p.customer(user)); containing(texts(x, "system"), "FAIL_MSGID") != 1 {
			t.Fatalf("notes %q, want one", texts(x, "system"))
		}
	})
	t.Run("a WeCom servicer takes the session, then ends it", func(t *testing.T) {
		user := p.user(951)
		p.post(t, in.base, f, fill("kf_text.json", user, 9510, "How do I file a claim?"))
		eventually(t, "the answer", func() bool { return containing(f.texts(user), "400-800-1234") == 1 })
		owner := func() string {
			x, _ := exportOf(t, admin, p.customer(user))
			if len(x.Conversations) != 1 {
				return ""
			}
			return x.Conversations[0].Conversation.Owner
		}
		p.post(t, in.base, f, fill("kf_event_servicer_takes.json", user, 9511, ""))
		eventually(t, "owner human", func() bool { return owner() == "human" })
		p.post(t, in.base, f, fill("kf_text.json", user, 9512, "What is a deductible?"))
		time.Sleep(700 * time.Millisecond)
		if n := len(f.texts(user)); n != 1 {
			t.Fatalf("%d messages sent while a WeCom servicer owns the session, want the first answer only: %q", n, f.texts(user))
		}
		p.post(t, in.base, f, fill("kf_event_session_end.json", user, 9513, ""))
		eventually(t, "owner closed", func() bool { return owner() == "closed" })
	})
	t.Run("system busy (-1) is retried until delivered", func(t *testing.T) {
		user := p.user(952)
		f.mu.Lock()
		f.fail[user] = [2]string{"200", "kf_send_busy.json"}
		f.mu.Unlock()
		p.post(t, in.base, f, fill("kf_text.json", user, 9520, "How do I file a claim?"))
		eventually(t, "a second attempt", func() bool { return f.tries(user) >= 2 })
		f.mu.Lock()
		delete(f.fail, user)
		f.mu.Unlock()
		eventually(t, "the answer after the retries", func() bool { return containing(f.texts(user), "400-800-1234") == 1 })
	})
}
