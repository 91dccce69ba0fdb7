package wechat

import (
	"context"
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tandem/channels"
	"tandem/chat"
)

// TestSignatureVector is WeChat's documented example: Token AAAAA, timestamp 1714037059,
// nonce 486452656.
func TestSignatureVector(t *testing.T) {
	if got := Signature("AAAAA", "1714037059", "486452656"); got != "899cf89e464efb63f54ddac96b0a0a235f53aa78" {
		t.Fatalf("signature %s", got)
	}
}

func TestCipherRoundTrip(t *testing.T) {
	key := strings.Repeat("a", 43)
	c, err := NewCipher(key, "wx1234567890abcdef")
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"", "x", strings.Repeat("消息", 100), strings.Repeat("a", 27)} { // 27+20+18: a whole block of padding
		got, err := c.Decrypt(c.Encrypt([]byte(msg)))
		if err != nil || string(got) != msg {
			t.Fatalf("round trip of %d bytes: %q %v", len(msg), got, err)
		}
	}
	other, _ := NewCipher(key, "wxOTHER")
	if _, err := other.Decrypt(c.Encrypt([]byte("hi"))); err == nil || strings.Contains(err.Error(), "wx1234567890abcdef") { // never echo decrypted bytes
		t.Fatalf("another app's message: %v", err)
	}
	for _, bad := range []string{"", "!!!", "AAAA", c.Encrypt([]byte("hi"))[:20]} {
		if _, err := c.Decrypt(bad); err == nil {
			t.Errorf("decrypted %q", bad)
		}
	}
	if _, err := NewCipher("short", "x"); err == nil {
		t.Fatal("a short key was accepted")
	}
}

func TestParseMessage(t *testing.T) {
	x := `<xml><ToUserName><![CDATA[gh_acct]]></ToUserName><FromUserName><![CDATA[oUSER]]></FromUserName><CreateTime>1348831860</CreateTime>
<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[this is a test]]></Content><MsgId>1234567890123456</MsgId></xml>`
	m, err := ParseMessage([]byte(x))
	if err != nil || m.FromUserName != "oUSER" || m.Content != "this is a test" || m.MsgID != 1234567890123456 {
		t.Fatalf("%+v %v", m, err)
	}
	j := `{"ToUserName":"gh_acct","FromUserName":"oUSER","CreateTime":1,"MsgType":"text","Content":"hi","MsgId":7}`
	if m, err := ParseMessage([]byte(j)); err != nil || m.Content != "hi" || m.MsgID != 7 {
		t.Fatalf("JSON: %+v %v", m, err)
	}
	for _, bad := range []string{``, `<xml></xml>`, `{}`, `<xml><FromUserName>x</FromUserName>`} {
		if _, err := ParseMessage([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func FuzzParseMessage(f *testing.F) {
	f.Add([]byte(`<xml><FromUserName>o</FromUserName><MsgType>text</MsgType><Content>hi</Content><MsgId>1</MsgId></xml>`))
	f.Add([]byte(`{"FromUserName":"o","MsgType":"text"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		if err == nil && m.Encrypt == "" && (m.FromUserName == "" || m.MsgType == "") {
			t.Fatalf("accepted %+v", m)
		}
	})
}

func FuzzDecrypt(f *testing.F) {
	c, _ := NewCipher(strings.Repeat("b", 43), "wxapp")
	f.Add(c.Encrypt([]byte("<xml/>")))
	f.Fuzz(func(t *testing.T, s string) {
		c.Decrypt(s) // must not panic
	})
}

func TestWindowClosed(t *testing.T) {
	now := time.Now()
	a := &Adapter{Now: func() time.Time { return now }}
	err := a.Send(context.Background(), chat.Conversation{ID: "c", CustomerID: "wx-o1", LastCustomerAt: now.Add(-49 * time.Hour)}, chat.Message{Text: "hi"})
	if !errors.Is(err, chat.ErrUndeliverable) {
		t.Fatalf("err = %v", err)
	}
}

// answerer is a receiver that answers at once and lets the test decide whether the claim wins.
type answerer struct {
	claim    bool
	released []int64
}

func (a *answerer) FromChannel(context.Context, channels.Inbound) error { return nil }
func (a *answerer) Answer(context.Context, channels.Inbound) (string, int64, error) {
	return "理赔请拨打 400-800-1234 ]]> <b>", 7, nil
}
func (a *answerer) Claim(context.Context, int64) (bool, error) { return a.claim, nil }
func (a *answerer) Release(_ context.Context, id int64)        { a.released = append(a.released, id) }

// TestPassiveReply: a fast answer comes back in the response (plaintext mode), addressed back
// to the sender and with awkward text kept intact; when the outbox has the reply already, the
// response is "success".
func TestPassiveReply(t *testing.T) {
	now := time.Unix(1714037060, 0)
	for _, claim := range []bool{true, false} {
		recv := &answerer{claim: claim}
		a := &Adapter{Token: "AAAAA", Receiver: recv, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
		ts, nonce := "1714037059", "486452656"
		body := `<xml><ToUserName><![CDATA[gh_acct]]></ToUserName><FromUserName><![CDATA[oUSER]]></FromUserName><CreateTime>1348831860</CreateTime>` +
			`<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[怎么理赔]]></Content><MsgId>1234567890123456</MsgId></xml>`
		req := httptest.NewRequest("POST", "/webhooks/wechat?signature="+Signature("AAAAA", ts, nonce)+"&timestamp="+ts+"&nonce="+nonce, strings.NewReader(body))
		w := httptest.NewRecorder()
		a.ServeHTTP(w, req)
		if !claim {
			if w.Body.String() != "success" {
				t.Fatalf("claim lost: body %q, want success", w.Body)
			}
			continue
		}
		var got struct{ ToUserName, FromUserName, MsgType, Content string }
		if err := xml.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("passive reply %q: %v", w.Body, err)
		}
		if got.ToUserName != "oUSER" || got.FromUserName != "gh_acct" || got.MsgType != "text" || got.Content != "理赔请拨打 400-800-1234 ]]> <b>" {
			t.Fatalf("passive reply = %+v", got)
		}
		if !strings.Contains(w.Body.String(), "<![CDATA[oUSER]]>") {
			t.Fatalf("passive reply without CDATA: %s", w.Body)
		}
	}
}
