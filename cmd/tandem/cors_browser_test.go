package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// customerSite serves a shop page embedding the widget from tandemBase, on its own loopback
// address (so its own origin), and returns the page's URL. The address is 127.0.0.<host>.
func customerSite(t *testing.T, host int, widget func() string) string {
	t.Helper()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", host))
	if err != nil {
		t.Skipf("no loopback address 127.0.0.%d: %v", host, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>Shop</title></head><body><h1>A shop on another origin</h1>
<script src="%s/widget.js" data-lang="en" async></script></body></html>`, widget())
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/"
}

// TestWidgetOnAnotherOrigin is the documented install: a site on another origin that an admin
// listed (in the console's Channels dialog, on top of TANDEM_WIDGET_ORIGINS) loads widget.js,
// imports the widget's modules with CORS, starts a session through a CORS preflight, opens the
// socket and chats; a site that is not listed is refused, API and socket alike.
func TestWidgetOnAnotherOrigin(t *testing.T) {
	ctx := browser(t)
	var base string
	listed := customerSite(t, 2, func() string { return base })
	other := customerSite(t, 3, func() string { return base })
	env := demoEnv(t, t.TempDir())
	env["TANDEM_WIDGET_ORIGINS"] = "https://shop.example.com"
	in := start(t, env, "demo")
	base = in.base
	messages := watchConsole(t, ctx)

	// The admin lists the shop in the console.
	within(t, ctx, 20*time.Second, chromedp.Navigate(in.base+"/console/"))
	consoleSignIn(t, ctx, "admin", demoAdminPassword)
	within(t, ctx, 15*time.Second, chromedp.Click(`#admin-channels`),
		chromedp.Poll[chromedp.Void](`document.getElementById('channels-dialog').open && document.getElementById('widget-origins') !== null`),
		chromedp.SendKeys(`#widget-origins`, listed),
		chromedp.Click(`.origins-form button.save`),
		chromedp.Poll[chromedp.Void](`document.getElementById('widget-origins').value === `+fmt.Sprintf("%q", strings.TrimSuffix(listed, "/"))))

	within(t, ctx, 30*time.Second,
		chromedp.Navigate(listed),
		chromedp.Poll[chromedp.Void](`window.TandemWidget && `+jsRoot+` && `+jsRoot+`.querySelector('.tw-launcher')`),
		chromedp.Evaluate[chromedp.Void](jsRoot+`.querySelector('.tw-launcher').click()`),
		chromedp.Poll[chromedp.Void](`!`+jsRoot+`.querySelector('.tw-panel').hidden`))
	eval[bool](t, ctx, fmt.Sprintf(jsSend, "How do I file a claim?"))
	within(t, ctx, 20*time.Second, chromedp.Poll[chromedp.Void](fmt.Sprintf(jsBotSource, "/kb/en-claims")))
	// The reply came over the socket too: an agent-free check that it is open.
	within(t, ctx, 10*time.Second, chromedp.Poll[chromedp.Void](`window.TandemWidget && `+jsRoot+`.querySelector('.tw-status') !== null`))
	// Its modules came from Tandem's origin with CORS: nothing failed to load.
	for _, m := range messages() {
		if m.IsException() || m.Type == chromedp.ConsoleError {
			t.Errorf("browser console on the listed site: %s", m)
		}
	}

	// A site that is not listed: the browser may not read the API's answers, nor open the socket.
	var s widgetSession
	if code := in.callKey(t, "", "POST", "/api/widget/session", `{}`, &s); code != 200 {
		t.Fatalf("session = %d", code)
	}
	// The widget's modules load there too (they are static files any site may read), but it may not chat.
	within(t, ctx, 30*time.Second, chromedp.Navigate(other),
		chromedp.Poll[chromedp.Void](`window.TandemWidget && `+jsRoot+` && `+jsRoot+`.querySelector('.tw-launcher')`))
	got := evalAsync(t, ctx, fmt.Sprintf(`new Promise(done => fetch(%q, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'})
		.then(r => done('read ' + r.status), e => done('refused')))`, base+"/api/widget/session"))
	if got != "refused" {
		t.Fatalf("a fetch from an unlisted origin: %s, want refused", got)
	}
	got = evalAsync(t, ctx, fmt.Sprintf(`new Promise(done => { const ws = new WebSocket(%q);
		ws.onopen = () => done('open'); ws.onerror = () => done('refused') })`,
		strings.Replace(base, "http", "ws", 1)+"/api/widget/ws?token="+s.VisitorToken))
	if got != "refused" {
		t.Fatalf("a socket from an unlisted origin: %s, want refused", got)
	}
	if n := eval[int](t, ctx, jsCount); n != 0 {
		t.Fatalf("the widget on an unlisted site shows %d messages, want none", n)
	}
}

// evalAsync evaluates a promise-valued expression in the page and returns what it resolves to.
func evalAsync(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

// customerPage serves the page html() returns on its own loopback address 127.0.0.<host>, as a
// customer's site on another origin, and returns its URL.
func customerPage(t *testing.T, host int, html func() string) string {
	t.Helper()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", host))
	if err != nil {
		t.Skipf("no loopback address 127.0.0.%d: %v", host, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, html())
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/"
}
