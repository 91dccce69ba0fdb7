package main

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// jsBotSaid is true once a bot message in the widget contains the text.
const jsBotSaid = `[...` + jsRoot + `.querySelectorAll('.tw-msg[data-author="bot"] .tw-text')].some(e => e.textContent.includes(%s))`

// actionStats reads the calls of one action from the admin API (zero if none).
func actionStats(t *testing.T, admin *deskClient, name string) (calls, ok int) {
	t.Helper()
	var stats struct {
		Actions []struct {
			Action    string
			Calls, OK int
		}
	}
	admin.do(t, "GET", "/api/admin/actions/stats", "", &stats)
	for _, s := range stats.Actions {
		if s.Action == name {
			return s.Calls, s.OK
		}
	}
	return 0, 0
}

// TestActionsInBrowser: on the demo page, an anonymous visitor asking for a claim's status is
// asked to sign in; signed in (the demo's identity link), the customer gets the back-end's
// answer in English and in Chinese; an address change waits for an agent, who sees what will be
// sent in the console and approves it, and only then is it sent and the customer told.
func TestActionsInBrowser(t *testing.T) {
	in := actionDemo(t, nil)
	admin := deskLogin(t, in.base, "admin", demoAdminPassword)
	agent := browser(t)
	customer, closeCustomer := chromedp.NewContext(agent, chromedp.WithNewBrowserContext())
	t.Cleanup(closeCustomer)
	if err := chromedp.Do(customer); err != nil {
		t.Fatalf("open the customer's browser context: %v", err)
	}
	openWidget := func(page string) {
		t.Helper()
		within(t, customer, 30*time.Second, chromedp.Navigate(in.base+page),
			chromedp.Poll[chromedp.Void](`window.TandemWidget && `+jsRoot+` && `+jsRoot+`.querySelector('.tw-launcher')`),
			chromedp.Evaluate[chromedp.Void](`window.TandemWidget.open()`),
			chromedp.Poll[chromedp.Void](`window.TandemWidget.state.ws && window.TandemWidget.state.ws.readyState === 1`))
	}
	ask := func(text, want string) {
		t.Helper()
		eval[bool](t, customer, fmt.Sprintf(jsSend, text))
		within(t, customer, 15*time.Second, chromedp.Poll[chromedp.Void](fmt.Sprintf(jsBotSaid, jsQuote(want))))
	}

	openWidget("/demo/")
	ask("where is my claim CL20261104?", "Please sign in on this site")
	if calls, _ := actionStats(t, admin, "claim_status"); calls != 0 {
		t.Fatalf("an anonymous visitor's question called the back-end %d times", calls)
	}

	openWidget("/demo/?lang=en#identity=" + url.QueryEscape(identityToken(t, "demo-ann")))
	ask("where is my claim CL20261104?", "Your claim CL20261104 is approved; the payment of HK$8,200 is scheduled for 9 December 2026")
	ask("我的理赔 CL20261104 进度如何？", "您的理赔 CL20261104：已批准，8,200 港元赔款预计于 2026 年 12 月 9 日支付")

	ask("Please change my address to 1 Harbour Road, Central", "A member of our team will check this request")
	within(t, customer, 10*time.Second, chromedp.Poll[chromedp.Void](jsOwner+` === 'waiting'`))
	convID := eval[string](t, customer, `window.TandemWidget.state.conversationId`)
	if calls, _ := actionStats(t, admin, "update_address"); calls != 0 {
		t.Fatalf("the address change was sent %d times before an agent approved it", calls)
	}

	// The agent accepts the conversation and sees the proposal: the customer's words and the
	// request that will be sent.
	within(t, agent, 20*time.Second, chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(in.base+"/console/"),
		chromedp.Poll[chromedp.Void](`!document.getElementById('login-form').hidden`),
		chromedp.SendKeys(`#login-user`, "agent"), chromedp.SendKeys(`#login-pass`, demoAgentPassword),
		chromedp.Click(`#login-submit`),
		chromedp.Poll[chromedp.Void](jsConsoleReady),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(jsQueueItem, convID)),
		chromedp.Click(fmt.Sprintf(`#queue li[data-conv="%s"] button.accept`, convID)))
	within(t, agent, 10*time.Second, chromedp.Poll[chromedp.Void](`!document.getElementById('conv').hidden && document.getElementById('conv-accept').hidden`))
	within(t, agent, 10*time.Second, chromedp.Poll[chromedp.Void](`document.querySelector('#proposals .proposal[data-status="pending"] button.approve')`))
	req := eval[string](t, agent, `document.querySelector('#proposals .proposal .request').textContent`)
	said := eval[string](t, agent, `document.querySelector('#proposals .proposal .said').textContent`)
	if want := `POST http://`; !strings.Contains(req, want) || !strings.Contains(req, "/customers/demo-ann/address") || !strings.Contains(req, `{"address":"1 Harbour Road, Central"}`) {
		t.Errorf("the console shows the request %q; want the POST with the address", req)
	}
	if !strings.Contains(said, "Please change my address to 1 Harbour Road, Central") {
		t.Errorf("the console shows the customer's words as %q", said)
	}
	if calls, _ := actionStats(t, admin, "update_address"); calls != 0 {
		t.Fatalf("the address change was sent %d times before an agent approved it", calls)
	}

	// The agent corrects the address and approves: sent once, and the customer is told.
	within(t, agent, 15*time.Second,
		chromedp.Evaluate[chromedp.Void](`(() => { const i = document.querySelector('#proposals .proposal input[data-arg="address"]');
			i.value = '1 Harbour Road, Central, Hong Kong'; })()`),
		chromedp.Click(`#proposals .proposal button.approve`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#proposals .proposal[data-status="approved"]')`))
	within(t, customer, 15*time.Second, chromedp.Poll[chromedp.Void](fmt.Sprintf(`(`+jsAgentTexts+`).some(s => s.includes(%s))`,
		jsQuote("Done: your contact address is now 1 Harbour Road, Central, Hong Kong."))))
	if calls, ok := actionStats(t, admin, "update_address"); calls != 1 || ok != 1 {
		t.Errorf("update_address calls = %d (%d ok), want 1 sent after the approval", calls, ok)
	}
	var again map[string]any
	if code := pageFetch(t, agent, "POST", "/api/console/conversations/"+convID+"/proposals/1/approve", `{}`, &again); code != 409 {
		t.Errorf("approving again = %d %v, want 409 (sent at most once)", code, again)
	}
	shot(t, agent, "console-proposal.png")
}

// TestActionsAdminPanel: an admin sees the bot actions with their calls, success rate and p95 in
// the console, and a mistake in an edited definition is refused naming the field; a trainer sees
// the same figures in the analytics.
func TestActionsAdminPanel(t *testing.T) {
	in := actionDemo(t, nil)
	ann := widgetVisitor(t, in, identityToken(t, "demo-ann"))
	say(t, in, ann, "where is my claim CL20261104?")
	ctx := browser(t)
	row := `document.querySelector('#actions-table tr[data-action="claim_status"]')`
	within(t, ctx, 20*time.Second, chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(in.base+"/console/"),
		chromedp.Poll[chromedp.Void](`!document.getElementById('login-form').hidden`),
		chromedp.SendKeys(`#login-user`, "admin"), chromedp.SendKeys(`#login-pass`, demoAdminPassword),
		chromedp.Click(`#login-submit`),
		chromedp.Poll[chromedp.Void](`!document.getElementById('admin-actions').hidden`),
		chromedp.Click(`#admin-actions`),
		chromedp.Poll[chromedp.Void](row+` && `+row+`.querySelector('.calls').textContent === '1'`))
	if n := eval[int](t, ctx, `document.querySelectorAll('#actions-table tbody tr').length`); n != 4 {
		t.Errorf("the panel lists %d actions, want the demo's 4", n)
	}
	if s := eval[string](t, ctx, row+`.querySelector('.success').textContent`); s != "100 %" {
		t.Errorf("claim_status success = %q", s)
	}
	within(t, ctx, 10*time.Second, chromedp.Click(`#actions-table tr[data-action="claim_status"] button.edit`),
		chromedp.Poll[chromedp.Void](`document.getElementById('actions-editor').value.includes('"claim_status"')`),
		chromedp.Evaluate[chromedp.Void](`(() => { const e = document.getElementById('actions-editor'); const d = JSON.parse(e.value);
			d.retries = 5; e.value = JSON.stringify(d); })()`),
		chromedp.Click(`#actions-save`),
		chromedp.Poll[chromedp.Void](`document.getElementById('actions-error').textContent.includes('retries: must be 0 to 2')`))
	if tok := eval[string](t, ctx, `document.getElementById('actions-editor').value`); strings.Contains(tok, `"token": "`) && !strings.Contains(tok, "••••") {
		t.Errorf("the editor shows a secret: %s", tok)
	}

	// The trainer's analytics show the same figures per action.
	trainer, closeTrainer := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(closeTrainer)
	if err := chromedp.Do(trainer); err != nil { // opens the tab outside within's timeout, which would close it
		t.Fatalf("open the trainer's browser context: %v", err)
	}
	trow := `document.querySelector('#action-table tr[data-action="claim_status"]')`
	within(t, trainer, 20*time.Second, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(in.base+"/trainer/"),
		chromedp.Poll[chromedp.Void](`!document.getElementById('signin').hidden`),
		chromedp.SendKeys(`#signin-user`, "trainer"), chromedp.SendKeys(`#signin-pass`, demoTrainerPassword),
		chromedp.Click(`#signin-submit`),
		chromedp.Poll[chromedp.Void](`!document.getElementById('app').hidden`),
		chromedp.Click(`#tab-analytics`),
		chromedp.Poll[chromedp.Void](trow+` && `+trow+`.querySelector('.calls').textContent === '1'`))
	if s := eval[string](t, trainer, trow+`.querySelector('.success').textContent`); s != "100.0%" {
		t.Errorf("trainer analytics: claim_status success = %q", s)
	}
	if p95 := eval[string](t, trainer, trow+`.querySelector('.p95').textContent`); !strings.HasSuffix(p95, " ms") {
		t.Errorf("trainer analytics: claim_status p95 = %q", p95)
	}
}
