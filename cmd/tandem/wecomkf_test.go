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
		"TANDEM_WECOMKF_OPEN_KFID": wecomkftest.OpenKfID, "TANDEM_WECOMKF_API_BASE": apiBase}
}

// kfHarness is WeChat Customer Service in the conformance suite: a delivery is the customer's
// message in the account's log and WeCom's callback; a redelivery repeats the callback; a bad
// signature is a forged callback with no message behind it.
func kfHarness(name string, db func(t *testing.T) string) channelHarness {
	var kf *wecomkftest.Server
	return channelHarness{
		name: name,
		setup: func(t *testing.T) (*fakePlatform, map[string]string) {
			f, k, env := newKFPlatform(t)
			kf = k
			if db != nil {
				env["DATABASE_URL"] = db(t)
			}
			return f, env
		},
		deliver: func(t *testing.T, base string, bad bool, id int, text string) int {
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
		},
	}
}

func init() {
	channelHarnesses = append(channelHarnesses, kfHarness("wecomkf", nil), kfHarness("wecomkf-postgres", pgSchemaURL))
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
		for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
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
	wait("the handoff notice", func() bool { return f.count("人工客服") == 1 })
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
	wait("the media descriptions", func() bool { return strings.Contains(texts(), "[小程序 mini program] 欢迎报名夏令营") })
	for _, want := range []string{"customer: [图片 image] media_id=2iSLeVyqzk4eX0IB5kTi9Ljfa2rt9dwfq5WKRQ4Nvvgw", "customer: [语音 voice message]",
		"customer: [位置 location] 广州国际媒体港(广州市海珠区)", "customer: [名片 business card] userid=userid_xxx", "customer: [文件 file]"} {
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
	for deadline := time.Now().Add(20 * time.Second); answers() < n; time.Sleep(50 * time.Millisecond) {
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
		for deadline := time.Now().Add(15 * time.Second); answers() < want; time.Sleep(50 * time.Millisecond) {
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
	kf.Notify(in.base+"/webhooks/wecomkf", "")
	waitAnswers(3)
	in.stop()

	db, err := sql.Open("sqlite", filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	var cursor string
	if err := db.QueryRow(`SELECT cursor FROM wecomkf_sync WHERE open_kfid = ?`, wecomkftest.OpenKfID).Scan(&cursor); err != nil || cursor != "CUR3" {
		t.Fatalf("stored cursor = %q %v, want CUR3 after three messages", cursor, err)
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
}
