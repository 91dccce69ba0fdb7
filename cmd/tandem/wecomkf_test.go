package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tandem/channels/wechat"
	"tandem/channels/wecomkf/wecomkftest"
)

// kfUser is the WeChat user of the WeChat Customer Service harness (external_userids start "wm").
const kfUser = "wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw"

// newKFPlatform starts the fake WeCom server behind a fakePlatform that records kf/send_msg
// texts (and fails on request), so the conformance suite drives WeChat Customer Service like
// the other channels. It returns the fake and the environment enabling the channel.
func newKFPlatform(t *testing.T) (*fakePlatform, *wecomkftest.Server, map[string]string) {
	kf := wecomkftest.New()
	t.Cleanup(kf.Close)
	f := newFakePlatform(t, "/cgi-bin/kf/send_msg", func(r *http.Request) bool {
		return strings.HasPrefix(r.URL.Query().Get("access_token"), "ACCESS_TOKEN_")
	}, func(b []byte) string {
		var m struct {
			ToUser   string `json:"touser"`
			OpenKfID string `json:"open_kfid"`
			Text     struct {
				Content string `json:"content"`
			} `json:"text"`
		}
		json.Unmarshal(b, &m)
		if !strings.HasPrefix(m.ToUser, "wm") || m.OpenKfID != wecomkftest.OpenKfID {
			return "wrong recipient " + m.ToUser
		}
		return m.Text.Content
	}, func(n int) string { return fmt.Sprintf(`{"errcode":0,"errmsg":"ok","msgid":"out%d"}`, n) })
	mux := http.NewServeMux()
	mux.Handle("/", kf.Config.Handler)
	mux.Handle("/cgi-bin/kf/send_msg", f.Config.Handler)
	f.Config.Handler = mux
	return f, kf, kfEnv(f.URL)
}

func kfEnv(apiBase string) map[string]string {
	return map[string]string{"TANDEM_WECOMKF_CORP_ID": wecomkftest.CorpID, "TANDEM_WECOMKF_SECRET": wecomkftest.Secret,
		"TANDEM_WECOMKF_TOKEN": wecomkftest.Token, "TANDEM_WECOMKF_AES_KEY": wecomkftest.AESKey,
		"TANDEM_WECOMKF_OPEN_KFID": wecomkftest.OpenKfID, "TANDEM_WECOMKF_API_BASE": apiBase, "TANDEM_OUTBOUND_ALLOW": allowed(apiBase)}
}

// kfHarness is WeChat Customer Service in the conformance suite: a delivery is the customer's
// message in the account's log and WeCom's callback; a redelivery repeats the callback; a bad
// signature is a forged callback with no message behind it.
func kfHarness() channelHarness {
	return channelHarness{
		name: "wecomkf",
		setup: func(t *testing.T) (*fakePlatform, map[string]string, deliverFunc) {
			f, kf, env := newKFPlatform(t)
			deliver := func(t *testing.T, base string, bad bool, id int, text string) int {
				token := ""
				if bad {
					token = "forged"
				} else {
					kf.Text(kfUser, fmt.Sprintf("from_msgid_%d", id), text)
				}
				code, err := kf.Notify(base+"/webhooks/wecomkf", token)
				if err != nil {
					t.Fatal(err)
				}
				return code
			}
			return f, env, deliver
		},
	}
}

func init() {
	channelHarnesses = append(channelHarnesses, kfHarness()) // run on SQLite and Postgres by TestChannelConformance
}

// TestWeComKFVerifyURL: WeCom's check of the callback URL gets the decrypted echostr as plain
// text; a wrong signature or a stale timestamp gets 401 and no echo.
func TestWeComKFVerifyURL(t *testing.T) {
	_, kf, extra := newKFPlatform(t)
	env := demoEnv(t, t.TempDir())
	for k, v := range extra {
		env[k] = v
	}
	in := start(t, env, "demo")
	echo := kf.Cipher.Encrypt([]byte("1616140317555161061"))
	get := func(token string, ts int64) (*http.Response, string) {
		t.Helper()
		res, body := kfGet(t, in.base+"/webhooks/wecomkf", token, ts, echo)
		return res, body
	}
	res, body := get(wecomkftest.Token, time.Now().Unix())
	if res.StatusCode != 200 || body != "1616140317555161061" {
		t.Fatalf("verification = %d %q, want the decrypted echostr", res.StatusCode, body)
	}
	if ct, sniff := res.Header.Get("Content-Type"), res.Header.Get("X-Content-Type-Options"); !strings.HasPrefix(ct, "text/plain") || sniff != "nosniff" {
		t.Fatalf("verification headers: %q %q", ct, sniff)
	}
	if res, body := get("wrong", time.Now().Unix()); res.StatusCode != 401 || strings.Contains(body, "1616140317555161061") {
		t.Fatalf("wrong signature = %d %q", res.StatusCode, body)
	}
	if res, _ := get(wecomkftest.Token, time.Now().Add(-time.Hour).Unix()); res.StatusCode != 401 {
		t.Fatalf("an hour-old timestamp = %d, want 401", res.StatusCode)
	}
}

func kfGet(t *testing.T, url, token string, ts int64, echo string) (*http.Response, string) {
	t.Helper()
	res, body := kfSigned(t, http.MethodGet, url, token, ts, echo, "")
	return res, body
}

// TestWeComKFFixturePayloads feeds the documented sync_msg payloads (testdata) through the fake
// WeCom and the webhook: the text and the link go to the bot, the image and the other media reach
// an agent with a description after a handoff the customer is told about in Chinese, the
// enter_session welcome goes out once with its code, a send failure leaves a note, and a WeCom
// servicer taking the session over makes the conversation a person's in Tandem.
func TestWeComKFFixturePayloads(t *testing.T) {
	f, kf, extra := newKFPlatform(t)
	env := demoEnv(t, t.TempDir())
	for k, v := range extra {
		env[k] = v
	}
	in := start(t, env, "demo")
	raw, err := os.ReadFile("../../channels/wecomkf/testdata/sync_msg_response.json")
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		MsgList []map[string]any `json:"msg_list"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	wait := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; sent %q, welcomes %+v", what, f.sent, kf.Welcomes())
			}
		}
	}
	add := func(types ...string) {
		for _, m := range page.MsgList {
			typ := m["msgtype"].(string)
			if ev, ok := m["event"].(map[string]any); ok {
				typ = ev["event_type"].(string)
			}
			for _, want := range types {
				if typ == want {
					m["send_time"] = now
					b, _ := json.Marshal(m)
					kf.Append(string(b))
				}
			}
		}
		if code, err := kf.Notify(in.base+"/webhooks/wecomkf", ""); err != nil || code != 200 {
			t.Fatalf("callback: %d %v", code, err)
		}
	}
	add("enter_session", "text", "link")
	wait("the welcome and two answers", func() bool { return len(kf.Welcomes()) == 1 && f.count("400-800-1234") == 2 })
	if w := kf.Welcomes()[0]; w.ToUser != "aaaaaa" || !strings.Contains(w.Text, "您好") {
		t.Fatalf("welcome = %+v, want the zh default greeting with the event's welcome_code", w)
	}
	add("image", "voice", "video", "file", "location", "business_card", "miniprogram")
	wait("the handoff notice", func() bool {
		return f.count("已收到您发送的图片。我只能读懂文字消息，已为您转交人工客服") == 1
	})
	agent := deskAgent(t, in.base)
	var queue struct {
		Conversations []struct{ ID string } `json:"conversations"`
	}
	agent.do(t, "GET", "/api/console/conversations?view=queue", "", &queue)
	if len(queue.Conversations) != 1 {
		t.Fatalf("queue = %+v, want the customer who sent media", queue)
	}
	id := queue.Conversations[0].ID
	var detail struct {
		Conversation struct{ Owner string } `json:"conversation"`
		Messages     []struct{ Author, Text string }
	}
	texts := func() string {
		agent.do(t, "GET", "/api/console/conversations/"+id, "", &detail)
		var b strings.Builder
		for _, m := range detail.Messages {
			fmt.Fprintf(&b, "%s: %s\n", m.Author, m.Text)
		}
		return b.String()
	}
	wait("the media descriptions", func() bool {
		return strings.Contains(texts(), "📎 [other] mini program 欢迎报名夏令营 (appid wx123123123, page pages/index?userid=zhangsan&orderid=123123123)")
	})
	for _, want := range []string{"customer: 📎 [image] wecomkf media 2iSLeVyqzk4eX0IB5kTi9Ljfa2rt9dwfq5WKRQ4Nvvgw", "customer: 📎 [voice] audio/amr · wecomkf media",
		"customer: 📎 [location] 广州国际媒体港(广州市海珠区) 广东省广州市海珠区滨江东路 · https://www.openstreetmap.org/?mlat=23.106022&mlon=113.320503",
		"customer: 📎 [contact] WeCom userid userid_xxx", "customer: 📎 [file] wecomkf media 1Yv-zXfHjSjU-7LH-GwtYqDGS-zz6w22KmWAT5COgP7o",
		"customer: 📎 [video] wecomkf media"} {
		if !strings.Contains(texts(), want) {
			t.Fatalf("the agent does not see %q in:\n%s", want, texts())
		}
	}
	add("msg_send_fail", "session_status_change", "servicer_status_change")
	wait("the failure note and the servicer's takeover", func() bool {
		s := texts()
		return strings.Contains(s, "FAIL_MSGID did not reach the customer: the session expired (over 48 hours)") && detail.Conversation.Owner == "human"
	})
	add("enter_session") // a redelivered page: the code was used, no second welcome
	time.Sleep(500 * time.Millisecond)
	if n := len(kf.Welcomes()); n != 1 {
		t.Fatalf("%d welcomes, want 1", n)
	}
}

// kfSigned makes a WeCom-signed request: GET with echostr enc, or POST with a body whose
// Encrypt field is enc.
func kfSigned(t *testing.T, method, target, token string, ts int64, enc, body string) (*http.Response, string) {
	t.Helper()
	q := url.Values{"msg_signature": {wechat.Signature(token, fmt.Sprint(ts), "1372623149", enc)}, "timestamp": {fmt.Sprint(ts)}, "nonce": {"1372623149"}}
	if method == http.MethodGet {
		q.Set("echostr", enc)
	}
	req, _ := http.NewRequest(method, target+"?"+q.Encode(), strings.NewReader(body))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// TestWeComKFTwoReplicasAnswerOnce runs two servers on one Postgres, both enabled for the same
// account, and has WeCom call back each of them (twice, concurrently) for every message: each
// message is stored and answered exactly once.
func TestWeComKFTwoReplicasAnswerOnce(t *testing.T) {
	db := pgSchemaURL(t)
	f, kf, extra := newKFPlatform(t)
	envA := demoEnv(t, t.TempDir())
	envA["DATABASE_URL"] = db
	for k, v := range extra {
		envA[k] = v
	}
	a := start(t, envA, "demo")
	envB := map[string]string{"DATABASE_URL": db, "TANDEM_ADDR": "127.0.0.1:0", "TANDEM_DATA_DIR": t.TempDir(), "TANDEM_LOG_LEVEL": "warn"}
	for k, v := range extra {
		envB[k] = v
	}
	b := start(t, envB, "serve")
	const n = 12
	for i := range n {
		kf.Text(fmt.Sprintf("wmUser%d", i), fmt.Sprintf("from_msgid_r%d", i), "How do I file a claim?")
		done := make(chan struct{}, 4)
		for _, base := range []string{a.base, b.base, b.base, a.base} {
			go func() {
				kf.Notify(base+"/webhooks/wecomkf", "")
				done <- struct{}{}
			}()
		}
		for range 4 {
			<-done
		}
	}
	answers := func() int { return f.count("400-800-1234") }
	for deadline := time.Now().Add(60 * time.Second); answers() < n; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d answered; sent %q\n%s\n%s", answers(), n, f.sent, a.errs, b.errs)
		}
	}
	time.Sleep(time.Second)
	if got := answers(); got != n {
		t.Fatalf("%d answers for %d messages, want exactly one each", got, n)
	}
}

// TestWeComKFRestartResumesAndDeduplicates stops the server, rewinds the stored cursor (as if it
// died after storing a page but before moving the cursor), and starts it again: the next callback
// pulls the old messages again, none is answered twice, and the new one is answered.
func TestWeComKFRestartResumesAndDeduplicates(t *testing.T) {
	f, kf, extra := newKFPlatform(t)
	dir := t.TempDir()
	env := demoEnv(t, dir)
	for k, v := range extra {
		env[k] = v
	}
	in := start(t, env, "demo")
	answers := func() int { return f.count("400-800-1234") }
	waitAnswers := func(want int) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); answers() < want; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d answered, want %d: %q", answers(), want, f.sent)
			}
		}
		time.Sleep(500 * time.Millisecond)
		if got := answers(); got != want {
			t.Fatalf("%d answers, want %d", got, want)
		}
	}
	for i := range 3 {
		kf.Text(fmt.Sprintf("wmUser%d", i), fmt.Sprintf("from_msgid_s%d", i), "How do I file a claim?")
	}
	kf.Append(fmt.Sprintf(`{"msgid":"fail1","send_time":%d,"origin":4,"msgtype":"event","event":{"event_type":"msg_send_fail",
		"open_kfid":%q,"external_userid":"wmUser0","fail_msgid":"FAIL1","fail_type":10}}`, time.Now().Unix(), wecomkftest.OpenKfID))
	kf.Notify(in.base+"/webhooks/wecomkf", "")
	waitAnswers(3)
	in.stop()

	db, err := sql.Open("sqlite", filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	var cursor string
	if err := db.QueryRow(`SELECT cursor FROM wecomkf_sync WHERE open_kfid = ?`, wecomkftest.OpenKfID).Scan(&cursor); err != nil || cursor != "CUR4" {
		t.Fatalf("stored cursor = %q %v, want CUR4 after four messages", cursor, err)
	}
	if _, err := db.Exec(`UPDATE wecomkf_sync SET cursor = ''`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	env2 := map[string]string{"TANDEM_DATA_DIR": dir, "TANDEM_ADDR": "127.0.0.1:0", "TANDEM_LOG_LEVEL": "warn"}
	for k, v := range extra {
		env2[k] = v
	}
	in2 := start(t, env2, "serve")
	kf.Text(kfUser, "from_msgid_s3", "How do I file a claim?")
	kf.Notify(in2.base+"/webhooks/wecomkf", "")
	waitAnswers(4)
	in2.stop()
	db, err = sql.Open("sqlite", filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var notes, customer int
	db.QueryRow(`SELECT count(*) FROM messages WHERE author = 'system' AND text LIKE '%FAIL1 did not reach the customer: the customer refused messages%'`).Scan(&notes)
	db.QueryRow(`SELECT count(*) FROM messages WHERE author = 'customer'`).Scan(&customer)
	if notes != 1 || customer != 4 {
		t.Fatalf("%d failure notes and %d customer messages stored, want 1 and 4 (none twice)", notes, customer)
	}
}

// kfServer starts a server whose WeChat Customer Service talks to kf directly (kf/send_msg
// included, with its 5-message rule), with extra environment.
func kfServer(t *testing.T, kf *wecomkftest.Server, extra map[string]string) (*instance, string) {
	dir := t.TempDir()
	env := demoEnv(t, dir)
	for k, v := range kfEnv(kf.URL) {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	return start(t, env, "demo"), dir
}

// kfOwner reads a conversation's owner from the server's SQLite file (the console shows a
// conversation only to the agents it concerns).
func kfOwner(t *testing.T, dir, id string) string {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var owner string
	db.QueryRow(`SELECT owner FROM conversations WHERE id = ?`, id).Scan(&owner)
	return owner
}

func kfWait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func kfSentCount(kf *wecomkftest.Server, substr string) int {
	n := 0
	for _, s := range kf.SentTexts() {
		if strings.Contains(s.Text, substr) {
			n++
		}
	}
	return n
}

// kfHandedOff has the customer ask for a person and returns the queued conversation's id.
func kfHandedOff(t *testing.T, kf *wecomkftest.Server, in *instance, agent *deskClient, msgid string) string {
	t.Helper()
	kf.Text(kfUser, msgid, "转人工")
	kf.Notify(in.base+"/webhooks/wecomkf", "")
	kfWait(t, "the handoff notice", func() bool { return kfSentCount(kf, "人工客服") == 1 })
	var queue struct {
		Conversations []struct{ ID string } `json:"conversations"`
	}
	agent.do(t, "GET", "/api/console/conversations?view=queue", "", &queue)
	if len(queue.Conversations) != 1 {
		t.Fatalf("queue = %+v", queue)
	}
	return queue.Conversations[0].ID
}

func kfDetail(t *testing.T, agent *deskClient, id string) (owner, transcript string) {
	var d struct {
		Conversation struct{ Owner string } `json:"conversation"`
		Messages     []struct{ Author, Text string }
	}
	if code := agent.do(t, "GET", "/api/console/conversations/"+id, "", &d); code != 200 {
		t.Fatalf("conversation %s: HTTP %d", id, code)
	}
	var b strings.Builder
	for _, m := range d.Messages {
		fmt.Fprintf(&b, "%s: %s\n", m.Author, m.Text)
	}
	return d.Conversation.Owner, b.String()
}

// TestWeComKFReplyRules: with no WeCom servicer configured, Tandem's agent answers through
// kf/send_msg; the sixth message after one customer message is set aside with a note (the
// 5-message rule, counted like WeChat OA's quota); a system-busy answer (-1) is retried until
// delivered; 95001 is set aside at once; a refused access token is renewed once; an agent's close
// ends the WeCom session (state 4).
func TestWeComKFReplyRules(t *testing.T) {
	kf := wecomkftest.New()
	t.Cleanup(kf.Close)
	in, _ := kfServer(t, kf, nil)
	agent := deskAgent(t, in.base)
	id := kfHandedOff(t, kf, in, agent, "m1")
	if code := agent.do(t, "POST", "/api/console/conversations/"+id+"/accept", "", nil); code != 200 {
		t.Fatalf("accept = %d", code)
	}
	reply := func(text string) {
		t.Helper()
		if code := agent.do(t, "POST", "/api/console/conversations/"+id+"/messages", `{"text":"`+text+`"}`, nil); code != 201 {
			t.Fatalf("agent reply = %d", code)
		}
	}
	for i := 1; i <= 4; i++ {
		reply(fmt.Sprintf("Agent reply %d", i))
	}
	kfWait(t, "the set-aside note", func() bool {
		_, tr := kfDetail(t, agent, id)
		return strings.Contains(tr, "wecomkf allows 5 messages per customer message")
	})
	if n := len(kf.SentTexts()); n != 5 {
		t.Fatalf("%d messages went out after one customer message, want 5: %+v", n, kf.SentTexts())
	}
	if kfSentCount(kf, "Agent reply 4") != 0 {
		t.Fatal("the sixth message went out")
	}

	kf.Text(kfUser, "m2", "谢谢")
	kf.Notify(in.base+"/webhooks/wecomkf", "")
	kfWait(t, "the customer's second message", func() bool { _, tr := kfDetail(t, agent, id); return strings.Contains(tr, "customer: 谢谢") })
	kf.FailNext(-1)
	reply("Retried after system busy")
	kfWait(t, "the retried reply", func() bool { return kfSentCount(kf, "Retried after system busy") == 1 })

	kf.FailNext(95001)
	reply("Refused for good")
	kfWait(t, "the note for 95001", func() bool { _, tr := kfDetail(t, agent, id); return strings.Contains(tr, "errcode 95001") })
	time.Sleep(1500 * time.Millisecond) // a retry would have come after a second
	if kfSentCount(kf, "Refused for good") != 0 {
		t.Fatal("a reply refused with 95001 was retried")
	}

	kf.ExpireToken()
	reply("After a new token")
	kfWait(t, "the reply with a renewed token", func() bool { return kfSentCount(kf, "After a new token") == 1 })
	if n := kf.Tokens(); n != 2 {
		t.Fatalf("%d access tokens fetched, want 2 (cached, renewed once when refused)", n)
	}

	if code := agent.do(t, "POST", "/api/console/conversations/"+id+"/close", "", nil); code != 200 {
		t.Fatalf("close = %d", code)
	}
	kfWait(t, "the session ended in WeCom", func() bool { return kf.State(kfUser) == wecomStateEnded })
}

const wecomStateEnded = 4

// TestWeComKFServicerHandoff: with TANDEM_WECOMKF_SERVICER set, a handoff moves the WeCom session
// to that servicer (state 3) after the notice went out; WeCom ending the session closes the
// Tandem conversation; a welcome_code older than its 20 seconds is not used.
func TestWeComKFServicerHandoff(t *testing.T) {
	kf := wecomkftest.New()
	t.Cleanup(kf.Close)
	in, dir := kfServer(t, kf, map[string]string{"TANDEM_WECOMKF_SERVICER": "zhangsan", "TANDEM_WECOMKF_WELCOME": "Welcome!"})
	agent := deskAgent(t, in.base)
	id := kfHandedOff(t, kf, in, agent, "m1")
	kfWait(t, "the session moved to the servicer", func() bool { return kf.State(kfUser) == 3 })
	if tr := kf.Transitions(); len(tr) != 1 || tr[0].Servicer != "zhangsan" {
		t.Fatalf("transitions = %+v, want one to zhangsan", tr)
	}
	kf.Append(fmt.Sprintf(`{"msgid":"end1","send_time":%d,"origin":4,"msgtype":"event","event":{"event_type":"session_status_change",
		"open_kfid":%q,"external_userid":%q,"change_type":3,"old_servicer_userid":"zhangsan","msg_code":"CODE"}}`, time.Now().Unix(), wecomkftest.OpenKfID, kfUser))
	kf.Append(fmt.Sprintf(`{"msgid":"enter1","send_time":%d,"origin":4,"msgtype":"event","event":{"event_type":"enter_session",
		"open_kfid":%q,"external_userid":"wmOther","scene":"","welcome_code":"stale"}}`, time.Now().Add(-30*time.Second).Unix(), wecomkftest.OpenKfID))
	kf.Notify(in.base+"/webhooks/wecomkf", "")
	kfWait(t, "the conversation closed", func() bool {
		return kfOwner(t, dir, id) == "closed"
	})
	if w := kf.Welcomes(); len(w) != 0 {
		t.Fatalf("welcomes = %+v, want none for an expired code", w)
	}
}

// TestAdminConfiguresWeComKF: an admin enables WeChat Customer Service in the Channels panel's
// API; its secrets come back masked; the callback then answers customers; a wrong AES key is
// refused with the reason.
func TestAdminConfiguresWeComKF(t *testing.T) {
	f, kf, env := newKFPlatform(t)
	serverEnv := demoEnv(t, t.TempDir())
	serverEnv["TANDEM_OUTBOUND_ALLOW"] = env["TANDEM_OUTBOUND_ALLOW"] // the fake WeCom is on loopback
	in := start(t, serverEnv, "demo")
	admin := deskLogin(t, in.base, "admin", demoAdminPassword)
	if code, _ := kf.Notify(in.base+"/webhooks/wecomkf", ""); code != 404 {
		t.Fatalf("callback before it is configured = %d, want 404", code)
	}
	var e apiError
	if code := admin.do(t, "PUT", "/api/admin/channels/wecomkf", `{"fields":{"corp_id":"ww1","secret":"s","token":"t","aes_key":"short","open_kfid":"wk1"}}`, &e); code != 400 ||
		!strings.Contains(e.Error.Message, "TANDEM_WECOMKF_AES_KEY") {
		t.Fatalf("bad AES key = %d %+v", code, e)
	}
	body, _ := json.Marshal(map[string]any{"fields": map[string]string{"corp_id": env["TANDEM_WECOMKF_CORP_ID"], "secret": env["TANDEM_WECOMKF_SECRET"],
		"token": env["TANDEM_WECOMKF_TOKEN"], "aes_key": env["TANDEM_WECOMKF_AES_KEY"], "open_kfid": env["TANDEM_WECOMKF_OPEN_KFID"],
		"api_base": env["TANDEM_WECOMKF_API_BASE"], "welcome": "您好！"}})
	var got struct {
		Enabled bool
		Source  string
	}
	if code := admin.do(t, "PUT", "/api/admin/channels/wecomkf", string(body), &got); code != 200 || !got.Enabled || got.Source != "admin" {
		t.Fatalf("PUT wecomkf = %d %+v", code, got)
	}
	raw := admin.raw(t, "GET", "/api/admin/channels")
	for _, secret := range []string{wecomkftest.Secret, wecomkftest.Token, wecomkftest.AESKey} {
		if strings.Contains(raw, secret) {
			t.Fatalf("secret %q shown: %s", secret, raw)
		}
	}
	if !strings.Contains(raw, wecomkftest.OpenKfID) {
		t.Fatalf("the account id is not a secret and should show: %s", raw)
	}
	kf.Text(kfUser, "admin1", "How do I file a claim?")
	if code, _ := kf.Notify(in.base+"/webhooks/wecomkf", ""); code != 200 {
		t.Fatalf("callback after enabling = %d", code)
	}
	for deadline := time.Now().Add(10 * time.Second); f.count("400-800-1234") != 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no answer through the admin-configured channel: %q", f.sent)
		}
	}
}

// TestWeComKFStaleCallbackToken: when sync_msg refuses the callback's token (its 10 minutes are
// over, e.g. for a pull that waited on another), the page is read without it and answered.
func TestWeComKFStaleCallbackToken(t *testing.T) {
	kf := wecomkftest.New()
	t.Cleanup(kf.Close)
	in, _ := kfServer(t, kf, nil)
	kf.StaleTokens()
	kf.Text(kfUser, "late1", "How do I file a claim?")
	kf.Notify(in.base+"/webhooks/wecomkf", "")
	kfWait(t, "the answer", func() bool { return kfSentCount(kf, "400-800-1234") == 1 })
}

// TestWeComKFPaging: with WeCom handing out two messages a page (has_more 1), one callback
// pulls every page from the cursor and all five customers are answered, once.
func TestWeComKFPaging(t *testing.T) {
	kf := wecomkftest.New()
	kf.PageSize = 2
	t.Cleanup(kf.Close)
	in, _ := kfServer(t, kf, nil)
	for i := range 5 {
		kf.Text(fmt.Sprintf("wmPage%d", i), fmt.Sprintf("page%d", i), "How do I file a claim?")
	}
	kf.Notify(in.base+"/webhooks/wecomkf", "")
	kfWait(t, "five answers", func() bool { return kfSentCount(kf, "400-800-1234") == 5 })
	if n := kf.Syncs(); n != 3 {
		t.Fatalf("%d sync_msg calls for 5 messages in pages of 2, want 3", n)
	}
	kf.Notify(in.base+"/webhooks/wecomkf", "") // nothing new: one more call, nothing sent
	time.Sleep(500 * time.Millisecond)
	if n := kfSentCount(kf, "400-800-1234"); n != 5 {
		t.Fatalf("%d answers after a callback with nothing new, want 5", n)
	}
}
