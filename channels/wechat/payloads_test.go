package wechat

import (
	"encoding/xml"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"tandem/channels/channeltest"
)

// TestRealPayloads feeds the deliveries in testdata (see testdata/README.md) through the webhook,
// in plaintext mode and in safe mode (the same message AES-encrypted in an <Encrypt> envelope):
// a message reaches the receiver from the right OpenID with its text or attachment; events are
// acknowledged ("success", or an empty body in safe mode) and nothing delivered.
func TestRealPayloads(t *testing.T) {
	const token, appID = "AAAAA", "wx1234567890abcdef"
	now := time.Unix(1714037060, 0)
	cipher, err := NewCipher(strings.Repeat("k", 43), appID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file string
		want string // "customer key|text|attachment kind:name" or ""
	}{
		{"text_emoji.xml", "wx-oUSER|理赔要多久？😊/:?[捂脸]|"},
		{"text_cdata_split.xml", "wx-oUSER|if a]]>b & <c> then?|"},
		{"text_all_fields.xml", "wx-fromUser|this is a test|"},
		{"text.json", "wx-oUSER|怎么退保|"},
		{"shortvideo.xml", "wx-fromUser||video:"},
		{"file.xml", "wx-oia2TjuEGTNoeX76QEjQNrcURxG8||file:保单.pdf"},
		{"event_subscribe_qrscene.xml", ""},
		{"event_scan.xml", ""},
		{"event_click.xml", ""},
		{"event_view.xml", ""},
		{"event_location.xml", ""},
		{"event_unsubscribe.xml", ""},
		{"event_templatesendjobfinish.xml", ""},
	} {
		body, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		for _, safe := range []bool{false, true} {
			rec := &channeltest.Recorder{}
			a := &Adapter{Token: token, AppID: appID, Receiver: rec, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }}
			ts, nonce := "1714037059", "486452656"
			q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "openid": {"oUSER"}}
			post := string(body)
			if safe {
				if strings.HasSuffix(tc.file, ".json") {
					continue // the JSON format's safe mode is not exercised here
				}
				a.Cipher = cipher
				enc := cipher.Encrypt(body)
				post = "<xml><ToUserName><![CDATA[gh_acct]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
				q.Set("encrypt_type", "aes")
				q.Set("msg_signature", Signature(token, ts, nonce, enc))
			}
			q.Set("signature", Signature(token, ts, nonce))
			req := httptest.NewRequest("POST", "/webhooks/wechat?"+q.Encode(), strings.NewReader(post))
			w := httptest.NewRecorder()
			a.ServeHTTP(w, req)
			wantBody := "success"
			if safe {
				wantBody = ""
			}
			if w.Code != 200 || w.Body.String() != wantBody {
				t.Errorf("%s safe=%v: %d %q, want 200 %q", tc.file, safe, w.Code, w.Body, wantBody)
				continue
			}
			var got []string
			for _, in := range rec.Got {
				att := ""
				if len(in.Attachments) > 0 {
					att = in.Attachments[0].Kind + ":" + in.Attachments[0].Name
				}
				got = append(got, in.CustomerKey+"|"+in.Text+"|"+att)
			}
			if g := strings.Join(got, "\n"); g != tc.want {
				t.Errorf("%s safe=%v: delivered %q, want %q", tc.file, safe, g, tc.want)
			}
		}
	}
}

// TestTestdataIsXML guards the fixtures themselves: every .xml file is well-formed.
func TestTestdataIsXML(t *testing.T) {
	files, _ := os.ReadDir("testdata")
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".xml") {
			continue
		}
		b, _ := os.ReadFile("testdata/" + f.Name())
		var v struct{}
		if err := xml.Unmarshal(b, &v); err != nil {
			t.Errorf("%s: %v", f.Name(), err)
		}
	}
}

// TestCompatibleMode: in 兼容模式 WeChat sends the plaintext fields and the <Encrypt> element in
// one body, with encrypt_type=aes, msg_signature and signature on the URL. Tandem reads it with
// the AES key when one is configured and from the plaintext (checked by signature) when not,
// rather than refusing it and leaving the customer with "该公众号暂时无法提供服务".
func TestCompatibleMode(t *testing.T) {
	const token, appID = "AAAAA", "wx1234567890abcdef"
	now := time.Unix(1714037060, 0)
	cipher, _ := NewCipher(strings.Repeat("k", 43), appID)
	plain := `<xml><ToUserName><![CDATA[gh_acct]]></ToUserName><FromUserName><![CDATA[oUSER]]></FromUserName><CreateTime>1714037059</CreateTime>` +
		`<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[怎么理赔]]></Content><MsgId>24589107652314570</MsgId></xml>`
	enc := cipher.Encrypt([]byte(plain))
	body := strings.TrimSuffix(plain, "</xml>") + "<Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
	ts, nonce := "1714037059", "486452656"
	q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "openid": {"oUSER"}, "encrypt_type": {"aes"},
		"signature": {Signature(token, ts, nonce)}, "msg_signature": {Signature(token, ts, nonce, enc)}}
	for _, c := range []*Cipher{cipher, nil} {
		rec := &channeltest.Recorder{}
		a := &Adapter{Token: token, AppID: appID, Cipher: c, Receiver: rec, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }}
		w := httptest.NewRecorder()
		a.ServeHTTP(w, httptest.NewRequest("POST", "/webhooks/wechat?"+q.Encode(), strings.NewReader(body)))
		if w.Code != 200 || len(rec.Got) != 1 || rec.Got[0].Text != "怎么理赔" || rec.Got[0].CustomerKey != "wx-oUSER" {
			t.Errorf("key configured=%v: %d %q, delivered %+v", c != nil, w.Code, w.Body, rec.Got)
		}
	}
	// Without the key, a body with no plaintext, or a wrong signature, is still refused.
	a := &Adapter{Token: token, AppID: appID, Receiver: &channeltest.Recorder{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }}
	for _, b := range []string{"<xml><ToUserName><![CDATA[gh_acct]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"} {
		w := httptest.NewRecorder()
		a.ServeHTTP(w, httptest.NewRequest("POST", "/webhooks/wechat?"+q.Encode(), strings.NewReader(b)))
		if w.Code != 400 {
			t.Errorf("encrypted-only body without a key: %d, want 400", w.Code)
		}
	}
	bad := url.Values{}
	for k, v := range q {
		bad[k] = v
	}
	bad.Set("signature", "0000")
	w := httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("POST", "/webhooks/wechat?"+bad.Encode(), strings.NewReader(body)))
	if w.Code != 401 {
		t.Errorf("compatible body with a bad signature: %d, want 401", w.Code)
	}
}
