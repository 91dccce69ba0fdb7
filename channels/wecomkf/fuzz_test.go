package wecomkf_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"tandem/channels/wechat"
	"tandem/channels/wecomkf"
	"tandem/channels/wecomkf/wecomkftest"
)

// busyStore never grants the lease: a fuzzed callback that parses is acknowledged without a pull.
type busyStore struct{}

func (busyStore) ClaimKFSync(context.Context, string, string, string, time.Time, time.Time) (wecomkf.Sync, bool, error) {
	return wecomkf.Sync{}, false, nil
}
func (busyStore) AdvanceKFSync(context.Context, string, string, string, time.Time) (bool, error) {
	return false, nil
}
func (busyStore) ReleaseKFSync(context.Context, string, string, time.Time) (bool, string, error) {
	return false, "", nil
}

func fuzzAdapter(t testing.TB) *wecomkf.Adapter {
	c, err := wechat.NewCipher(wecomkftest.AESKey, wecomkftest.CorpID)
	if err != nil {
		t.Fatal(err)
	}
	return &wecomkf.Adapter{CorpID: wecomkftest.CorpID, Token: wecomkftest.Token, Cipher: c, Store: busyStore{},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now}
}

// post sends a correctly signed and encrypted callback whose decrypted body is plain.
func post(a *wecomkf.Adapter, plain []byte, rawBody string) int {
	enc := a.Cipher.Encrypt(plain)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	body := rawBody
	if body == "" {
		body = "<xml><ToUserName><![CDATA[" + wecomkftest.CorpID + "]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
	}
	r := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/webhooks/wecomkf?msg_signature=%s&timestamp=%s&nonce=n1",
		wechat.Signature(wecomkftest.Token, ts, "n1", enc), ts), strings.NewReader(body))
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	a.Wait()
	return w.Code
}

// FuzzCallback feeds the webhook signed, encrypted callbacks with arbitrary decrypted bodies,
// and arbitrary raw bodies: it never panics, and answers 200 (acknowledged) or a 4xx.
func FuzzCallback(f *testing.F) {
	doc, err := os.ReadFile("testdata/callback_kf_msg_or_event.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc, "")
	f.Add([]byte(`<xml><MsgType>event</MsgType><Event>kf_msg_or_event</Event></xml>`), "")
	f.Add([]byte(`<xml><Encrypt>`), `<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>`)
	f.Add([]byte{}, `{"Encrypt":"x"}`)
	a := fuzzAdapter(f)
	f.Fuzz(func(t *testing.T, plain []byte, raw string) {
		if code := post(a, plain, raw); code != 200 && (code < 400 || code > 499) {
			t.Fatalf("status %d", code)
		}
	})
}

// TestCallbackDocExample: the documented kf_msg_or_event, signed and encrypted, is acknowledged
// and starts a pull (refused here by a busy lease); a callback without Token is a 400.
func TestCallbackDocExample(t *testing.T) {
	doc, err := os.ReadFile("testdata/callback_kf_msg_or_event.xml")
	if err != nil {
		t.Fatal(err)
	}
	a := fuzzAdapter(t)
	if code := post(a, doc, ""); code != 200 {
		t.Fatalf("documented callback = %d", code)
	}
	if code := post(a, []byte(`<xml><MsgType>event</MsgType><Event>kf_msg_or_event</Event><OpenKfId>wk1</OpenKfId></xml>`), ""); code != 400 {
		t.Fatalf("callback without Token = %d, want 400", code)
	}
}
