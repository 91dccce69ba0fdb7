package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"
)

// TestCareOneStep: a widget customer whose site vouches for a birth date making them over 65
// asks for a person once and is waiting for one, at the front of the queue, with handoff reason
// "care" (which the analytics count); the widget session says care. A 36-year-old asking the
// same is an ordinary customer_request handoff, behind them.
func TestCareOneStep(t *testing.T) {
	secret := strings.Repeat("c", 40)
	env := demoEnv(t, t.TempDir())
	env["TANDEM_WIDGET_IDENTITY_SECRET"] = secret
	in := start(t, env, "demo")
	session := func(sub, birthdate string) widgetCareSession {
		t.Helper()
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": sub, "birthdate": birthdate,
			"exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		var s widgetCareSession
		if code := in.callKey(t, "", "POST", "/api/widget/session", `{"identity_token":"`+tok+`","lang":"zh"}`, &s); code != 200 {
			t.Fatalf("session for %s = %d", sub, code)
		}
		return s
	}
	young := session("young", time.Now().AddDate(-36, 0, 0).Format(time.DateOnly))
	old := session("grandma", time.Now().AddDate(-71, 0, -3).Format(time.DateOnly))
	if young.Care || !old.Care {
		t.Fatalf("care: young %v, 71-year-old %v", young.Care, old.Care)
	}
	ask := func(s widgetCareSession, text string) turn {
		t.Helper()
		var res turn
		if code := in.callKey(t, s.VisitorToken, "POST", "/api/widget/messages", `{"text":"`+text+`"}`, &res); code != 201 {
			t.Fatalf("message = %d", code)
		}
		return res
	}
	if r := ask(young, "转人工"); len(r.Replies) != 1 || r.Replies[0].Reason != "customer_request" {
		t.Fatalf("young customer's handoff = %+v", r.Replies)
	}
	// One step: the care customer's one message reaches the queue for a person, with reason care.
	if r := ask(old, "转人工"); len(r.Replies) != 1 || r.Replies[0].Decision != "handoff" || r.Replies[0].Reason != "care" {
		t.Fatalf("care customer's handoff = %+v", r.Replies)
	}
	var queue struct {
		Conversations []struct {
			ID       string `json:"id"`
			Owner    string `json:"owner"`
			Reason   string `json:"reason"`
			Priority string `json:"priority"`
		} `json:"conversations"`
	}
	deskAgent(t, in.base).do(t, "GET", "/api/console/conversations?view=queue", "", &queue)
	if len(queue.Conversations) != 2 || queue.Conversations[0].ID != old.ConversationID || queue.Conversations[0].Reason != "care" ||
		queue.Conversations[0].Priority != "high" || queue.Conversations[0].Owner != "waiting" {
		t.Fatalf("queue = %+v; want the care customer first, waiting, reason care, high priority", queue.Conversations)
	}
	// An agent flags the younger customer for care: back from the queue, one ask reaches a person
	// with reason care too.
	agent := deskAgent(t, in.base)
	var cu struct {
		Attrs map[string]string `json:"attributes"`
	}
	if code := agent.do(t, "PUT", "/api/console/conversations/"+young.ConversationID+"/care", `{"care":true}`, &cu); code != 200 || cu.Attrs["care"] != "true" {
		t.Fatalf("care flag = %d %+v", code, cu)
	}
	if code := in.callKey(t, young.VisitorToken, "POST", "/api/widget/back", `{}`, nil); code != 200 {
		t.Fatalf("back = %d", code)
	}
	if r := ask(young, "转人工"); len(r.Replies) != 1 || r.Replies[0].Reason != "care" {
		t.Fatalf("flagged customer's handoff = %+v", r.Replies)
	}
	var report struct {
		HandoffReasons map[string]int `json:"handoff_reasons"`
	}
	signIn(t, in.base, "/api/trainer/login", "trainer", demoTrainerPassword).do(t, "GET", "/api/trainer/analytics", "", &report)
	// Reasons of each conversation's first handoff: the flagged customer's first was customer_request.
	if report.HandoffReasons["care"] != 1 || report.HandoffReasons["customer_request"] != 1 {
		t.Fatalf("analytics handoff reasons = %v", report.HandoffReasons)
	}
}

type widgetCareSession struct {
	widgetSession
	Care bool `json:"care"`
}

// TestCareWidgetInBrowser: on a site page that signs its 72-year-old customer in with an identity
// token, the widget opens in larger text with the one-step button; one tap puts the customer in
// the queue for a person (reason care) and the button goes. The A+ toggle turns larger text off.
func TestCareWidgetInBrowser(t *testing.T) {
	secret := strings.Repeat("c", 40)
	env := demoEnv(t, t.TempDir())
	env["TANDEM_WIDGET_IDENTITY_SECRET"] = secret
	// The site's page is served from its own origin (Tandem's pages allow no inline scripts), listed
	// as a widget site.
	var base, page string
	site := customerPage(t, 2, func() string { return page })
	env["TANDEM_WIDGET_ORIGINS"] = strings.TrimSuffix(site, "/")
	in := start(t, env, "demo")
	base = in.base
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "grandpa", "birthdate": time.Now().AddDate(-72, 0, 0).Format(time.DateOnly),
		"exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	// The site's page: it vouches for its signed-in customer and embeds the widget in Chinese.
	page = `<!doctype html><html lang="zh"><body><script>window.TandemIdentity = ` + jsQuote(tok) + `</script><script src="` + base + `/widget.js" data-lang="zh"></script></body></html>`
	within(t, ctx, 20*time.Second, chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(site),
		chromedp.Poll[chromedp.Void](`window.TandemWidget && `+jsRoot+` && `+jsRoot+`.querySelector('.tw-launcher')`),
		chromedp.Evaluate[chromedp.Void](`window.TandemWidget.open()`),
		chromedp.Poll[chromedp.Void](`window.TandemWidget.state.care === true`))
	if large := eval[bool](t, ctx, jsRoot+`.querySelector('.tw-panel').classList.contains('tw-large')`); !large {
		t.Fatal("a care customer's widget is not in larger text")
	}
	if label := eval[string](t, ctx, `(() => { const b = `+jsRoot+`.querySelector('.tw-person'); return b.hidden ? '' : b.textContent })()`); label != "一键转人工" {
		t.Fatalf("one-step button = %q", label)
	}
	shot(t, ctx, "widget-care-phone.png")
	within(t, ctx, 15*time.Second, chromedp.Evaluate[chromedp.Void](jsRoot+`.querySelector('.tw-person').click()`),
		chromedp.Poll[chromedp.Void](jsOwner+` === 'waiting' && `+jsRoot+`.querySelector('.tw-person').hidden`))
	var queue struct {
		Conversations []struct {
			Reason   string `json:"reason"`
			Priority string `json:"priority"`
		} `json:"conversations"`
	}
	deskAgent(t, in.base).do(t, "GET", "/api/console/conversations?view=queue", "", &queue)
	if len(queue.Conversations) != 1 || queue.Conversations[0].Reason != "care" || queue.Conversations[0].Priority != "high" {
		t.Fatalf("queue = %+v; want the customer, reason care, high priority", queue.Conversations)
	}
	within(t, ctx, 5*time.Second, chromedp.Evaluate[chromedp.Void](jsRoot+`.querySelector('.tw-size').click()`),
		chromedp.Poll[chromedp.Void](`!`+jsRoot+`.querySelector('.tw-panel').classList.contains('tw-large') && `+jsRoot+`.querySelector('.tw-size').getAttribute('aria-pressed') === 'false'`))
}
