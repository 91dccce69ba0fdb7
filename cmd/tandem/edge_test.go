package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestHugeLimiterKeys: the review's 150 requests with 1 MB sign-in user names and channel names
// added 215 MiB that stayed for 10 minutes. Limiter keys are now fixed-size digests and unknown
// channels are refused before any limiter state exists, so the heap stays put.
func TestHugeLimiterKeys(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	huge := func(i int) string { return fmt.Sprintf("%d-", i) + strings.Repeat("a", 1<<20-64) }
	before := heapInUse()
	for i := range 75 {
		res := rawPost(t, in.base+"/api/console/login", `{"username":"`+huge(i)+`","password":"x"}`, nil)
		if res.status != 401 && res.status != 429 {
			t.Fatalf("sign-in with a 1 MB user name = %d", res.status)
		}
		req, _ := http.NewRequest("POST", in.base+"/webhooks/"+huge(i)[:1<<19], strings.NewReader("{}"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Fatalf("a webhook for a 512 KB channel name = %d, want 404", resp.StatusCode)
		}
	}
	after := heapInUse()
	grown := int64(after) - int64(before)
	t.Logf("heap in use: %d MiB before, %d MiB after 150 requests with huge keys (%+d KiB)", before>>20, after>>20, grown>>10)
	if grown > 16<<20 {
		t.Fatalf("the heap grew by %d MiB after 150 requests with huge keys; limiter keys must be bounded", grown>>20)
	}
}

// TestUnsignedJunkDoesNotStarveDeliveries: a flood of unsigned requests to the Telegram webhook
// is refused (401, then 429 per address) without touching the channel's rate, so every genuine
// delivery still gets 200.
func TestUnsignedJunkDoesNotStarveDeliveries(t *testing.T) {
	h := harness(t, "telegram")
	_, extra, deliver := h.setup(t)
	env := demoEnv(t, t.TempDir())
	for k, v := range extra {
		env[k] = v
	}
	env["TANDEM_CHANNEL_RATE"] = "1" // bursts of 3
	in := start(t, env, "demo")
	junk := map[int]int{}
	for i := range 100 {
		junk[postWebhook(t, in.base+"/webhooks/telegram", `{"update_id":1,"message":{"text":"junk"}}`, map[string]string{"X-Telegram-Bot-Api-Secret-Token": fmt.Sprint("guess-", i)})]++
	}
	if junk[200] != 0 || junk[429] == 0 {
		t.Fatalf("unsigned junk got %v, want 401s then 429s", junk)
	}
	for i := range 3 {
		if code := deliver(t, in.base, false, 500+i, "How do I file a claim?"); code != 200 {
			t.Fatalf("genuine delivery %d after the junk = %d, want 200", i, code)
		}
	}
}

// TestSecurityHeaders: every page (demo, consoles, trainer, articles) carries a CSP that forbids
// framing and foreign scripts, nosniff and a referrer policy, while widget.js stays a plain script
// other sites can embed; /metrics needs TANDEM_METRICS_TOKEN or a client on this machine.
func TestSecurityHeaders(t *testing.T) {
	env := demoEnv(t, t.TempDir())
	in := start(t, env, "demo")
	get := func(base, path string, header map[string]string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	var c apiConversation
	var tr turn
	in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"headers"}}`, &c)
	in.call(t, "POST", "/api/v1/conversations/"+c.ID+"/messages", `{"text":"How do I file a claim?"}`, &tr)
	if len(tr.Replies) == 0 || len(tr.Replies[0].Sources) == 0 {
		t.Fatalf("no cited article to check: %+v", tr)
	}
	article := tr.Replies[0].Sources[0].URL
	for _, path := range []string{"/demo/", "/console/", "/trainer/", article, "/api/widget/session"} {
		res := get(in.base, path, nil)
		if res.StatusCode != 200 && path != "/api/widget/session" {
			t.Fatalf("%s = %d", path, res.StatusCode)
		}
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "'unsafe-inline' 'self'; style") ||
			res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") == "" || res.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v, want CSP with frame-ancestors 'none', nosniff, a referrer policy", path, res.Header)
		}
		if strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
			t.Errorf("%s: CSP allows inline scripts: %s", path, csp)
		}
	}
	js := get(in.base, "/widget.js", nil)
	if js.StatusCode != 200 || !strings.HasPrefix(js.Header.Get("Content-Type"), "text/javascript") || js.Header.Get("Cross-Origin-Resource-Policy") != "" {
		t.Fatalf("widget.js: %d %v, want an embeddable script", js.StatusCode, js.Header)
	}
	if res := get(in.base, "/metrics", nil); res.StatusCode != 200 {
		t.Fatalf("/metrics from this machine = %d, want 200", res.StatusCode)
	}
	if res := get(in.base, "/metrics", map[string]string{"X-Forwarded-For": "203.0.113.9"}); res.StatusCode != 403 {
		t.Fatalf("/metrics through a proxy = %d, want 403", res.StatusCode)
	}
	env = demoEnv(t, t.TempDir())
	env["TANDEM_METRICS_TOKEN"] = "metrics-token-0123456789"
	tok := start(t, env, "demo")
	if res := get(tok.base, "/metrics", nil); res.StatusCode != 401 {
		t.Fatalf("/metrics without the token = %d, want 401", res.StatusCode)
	}
	if res := get(tok.base, "/metrics", map[string]string{"Authorization": "Bearer metrics-token-0123456789"}); res.StatusCode != 200 {
		t.Fatalf("/metrics with the token = %d, want 200", res.StatusCode)
	}
}

// TestIdleConnectionsDoNotLockOut: one address opening hundreds of idle connections gets only
// TANDEM_MAX_CONNS_PER_IP of them, idle ones are closed after TANDEM_IDLE_TIMEOUT / the read
// timeouts, and a client from another address is served at once throughout.
func TestIdleConnectionsDoNotLockOut(t *testing.T) {
	env := demoEnv(t, t.TempDir())
	env["TANDEM_MAX_CONNS_PER_IP"], env["TANDEM_IDLE_TIMEOUT"], env["TANDEM_READ_TIMEOUT"] = "20", "2s", "2s"
	in := start(t, env, "demo")
	addr := strings.TrimPrefix(in.base, "http://")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 300 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n")) // headers never finished
		conns = append(conns, c)
	}
	open := 0
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if _, err := c.Read(make([]byte, 1)); errors.Is(err, os.ErrDeadlineExceeded) {
			open++
		}
	}
	if open > 20 {
		t.Fatalf("%d idle connections from one address stayed open, want at most 20", open)
	}
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: time.Second}
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
	res, err := client.Get(in.base + "/healthz")
	if err != nil {
		t.Fatalf("another client while one address holds idle connections: %v", err)
	}
	res.Body.Close()
	// The server drops the ones it kept once they have idled past the timeout.
	time.Sleep(3 * time.Second)
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := io.ReadAll(c); errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("idle connection %d still open after the read timeout", i)
		}
	}
	// A socket outlives the read and write timeouts: it has its own pings.
	var sess widgetSession
	if code := in.callKey(t, "", "POST", "/api/widget/session", `{}`, &sess); code != 200 {
		t.Fatalf("session = %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, strings.Replace(in.base, "http", "ws", 1)+"/api/widget/ws?token="+sess.VisitorToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	time.Sleep(3 * time.Second)
	if code := in.callKey(t, sess.VisitorToken, "POST", "/api/widget/messages", `{"text":"How do I file a claim?"}`, nil); code != 201 {
		t.Fatalf("message = %d", code)
	}
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("the socket died after the read timeout: %v", err)
		}
		if strings.Contains(string(data), "400-800-1234") {
			break
		}
	}
}

// TestWidgetOriginsAdmin: an admin lists a widget site at run time; its preflights and requests
// then get CORS headers, an unlisted site's get 403, and a bad entry is refused.
func TestWidgetOriginsAdmin(t *testing.T) {
	env := demoEnv(t, t.TempDir())
	env["TANDEM_WIDGET_ORIGINS"] = "https://env.example.com"
	in := start(t, env, "demo")
	preflight := func(origin string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("OPTIONS", in.base+"/api/widget/session", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := preflight("https://shop.example.com"); res.StatusCode != 403 || res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("preflight from an unlisted site = %d %v, want 403 without CORS headers", res.StatusCode, res.Header)
	}
	if res := preflight("https://env.example.com"); res.StatusCode != 204 || res.Header.Get("Access-Control-Allow-Origin") != "https://env.example.com" {
		t.Fatalf("preflight from the configured site = %d %v", res.StatusCode, res.Header)
	}
	admin := deskLogin(t, in.base, "admin", demoAdminPassword)
	var e apiError
	if code := admin.do(t, "PUT", "/api/admin/widget-origins", `{"origins":["https://shop.example.com/path"]}`, &e); code != 400 {
		t.Fatalf("an origin with a path = %d %+v, want 400", code, e)
	}
	var v struct{ Env, Origins []string }
	if code := admin.do(t, "PUT", "/api/admin/widget-origins", `{"origins":["https://shop.example.com"]}`, &v); code != 200 ||
		len(v.Origins) != 1 || len(v.Env) != 1 {
		t.Fatalf("listing a widget site = %d %+v", code, v)
	}
	res := preflight("https://shop.example.com")
	if res.StatusCode != 204 || res.Header.Get("Access-Control-Allow-Origin") != "https://shop.example.com" ||
		!strings.Contains(res.Header.Get("Access-Control-Allow-Headers"), "Authorization") || res.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("preflight from the listed site = %d %v, want 204 allowing it without credentials", res.StatusCode, res.Header)
	}
	req, _ := http.NewRequest("POST", in.base+"/api/widget/session", strings.NewReader("{}"))
	req.Header.Set("Origin", "https://shop.example.com")
	req.Header.Set("Content-Type", "application/json")
	got, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got.Body.Close()
	if got.StatusCode != 200 || got.Header.Get("Access-Control-Allow-Origin") != "https://shop.example.com" || !strings.Contains(got.Header.Get("Vary"), "Origin") {
		t.Fatalf("a session from the listed site = %d %v", got.StatusCode, got.Header)
	}
	if code := (&deskClient{base: in.base, c: http.DefaultClient}).do(t, "PUT", "/api/admin/widget-origins", `{"origins":["https://evil.example"]}`, nil); code != 401 {
		t.Fatalf("changing widget origins without a session = %d, want 401", code)
	}
}

// slowReader yields its data in pieces, pausing between them, like a slow or hostile client.
type slowReader struct {
	parts [][]byte
	pause time.Duration
}

func (r *slowReader) Read(p []byte) (int, error) {
	if len(r.parts) == 0 {
		return 0, io.EOF
	}
	time.Sleep(r.pause)
	n := copy(p, r.parts[0])
	r.parts[0] = r.parts[0][n:]
	if len(r.parts[0]) == 0 {
		r.parts = r.parts[1:]
	}
	return n, nil
}

// TestReadTimeout: a body dribbled in slower than TANDEM_READ_TIMEOUT is cut off on an ordinary
// route (a slowloris cannot hold a request open), while a knowledge upload, which may be large
// and slow, gets longer.
func TestReadTimeout(t *testing.T) {
	env := demoEnv(t, t.TempDir())
	env["TANDEM_READ_TIMEOUT"] = "1s"
	in := start(t, env, "demo")
	send := func(path, contentType string, body []byte) (int, error) {
		third := len(body) / 3
		r := &slowReader{parts: [][]byte{body[:third], body[third : 2*third], body[2*third:]}, pause: 800 * time.Millisecond}
		req, _ := http.NewRequest("POST", in.base+path, r)
		req.ContentLength = int64(len(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", "Bearer "+in.key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		res.Body.Close()
		return res.StatusCode, nil
	}
	if code, err := send("/api/v1/conversations", "application/json", []byte(`{"customer":{"id":"slowloris-client"}}`)); err == nil && code < 400 {
		t.Fatalf("a JSON body dribbled over 2.4 s with a 1 s read timeout = %d, want it cut off", code)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", "slow.md")
	part.Write([]byte("# Kayak insurance\n\nWe insure kayaks and canoes up to 6 metres."))
	w.Close()
	if code, err := send("/api/v1/kb/import", w.FormDataContentType(), body.Bytes()); err != nil || code != 200 {
		t.Fatalf("a slow knowledge upload = %d %v, want 200", code, err)
	}
}
