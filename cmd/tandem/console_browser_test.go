package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tandem/sqlite"
)

// Console page expressions (the console is plain DOM; the widget is in its shadow root, jsRoot).
const (
	jsConsoleReady = `!document.getElementById('app').hidden && document.getElementById('presence').value === 'online' &&
		document.getElementById('live').classList.contains('up')`
	// jsQueueItem is the queue row of a conversation (%s: its id).
	jsQueueItem = `document.querySelector('#queue li[data-conv="%s"]')`
	// jsWatchQueue records when the conversation's row first shows in the queue, in the page's clock.
	jsWatchQueue = `(() => { window.queueSeenAt = 0; const seen = () => { if (!window.queueSeenAt && ` + jsQueueItem + `) window.queueSeenAt = Date.now() };
		new MutationObserver(seen).observe(document.getElementById('queue'), {childList: true, subtree: true}); seen(); return true })()`
	// jsWatchWidget keeps every text the customer was ever shown in a non-agent bubble, streaming ones included.
	jsWatchWidget = `(() => { window.shown = new Set(); const r = ` + jsRoot + `;
		const rec = () => r.querySelectorAll('.tw-msg:not([data-author="agent"]) .tw-text').forEach(e => window.shown.add(e.textContent));
		new MutationObserver(rec).observe(r, {subtree: true, childList: true, characterData: true}); rec(); return true })()`
	jsOwner      = jsRoot + `.querySelector('.tw-panel').dataset.owner`
	jsBotCount   = jsRoot + `.querySelectorAll('.tw-msg[data-author="bot"]').length`
	jsAgentTexts = `[...` + jsRoot + `.querySelectorAll('.tw-msg[data-author="agent"] .tw-text')].map(` + jsShown + `)`
	// jsShown is the text a rendered message shows, with its lists written back as "- " and "1. " lines.
	jsShown = `(e => [...e.children].map(c => c.tagName === 'UL' ? [...c.children].map(li => '- ' + li.textContent).join('\n') :
		c.tagName === 'OL' ? [...c.children].map((li, i) => (c.start + i) + '. ' + li.textContent).join('\n') : c.textContent).join('\n'))`
)

// consoleDetail is GET /api/console/conversations/:id.
type consoleDetail struct {
	Conversation struct {
		ID       string `json:"id"`
		Owner    string `json:"owner"`
		Assignee string `json:"assignee"`
	} `json:"conversation"`
	Messages []struct {
		ID     int64  `json:"id"`
		Author string `json:"author"`
		Agent  string `json:"agent"`
		Text   string `json:"text"`
	} `json:"messages"`
	Draft *struct {
		ID      int64  `json:"id"`
		Text    string `json:"text"`
		Sources []struct {
			URL string `json:"url"`
		} `json:"sources"`
	} `json:"draft"`
	Handoff *struct {
		Reason string `json:"reason"`
	} `json:"handoff"`
}

// pageFetch calls the API from inside the page, with the page's cookies (the agent's HttpOnly
// session), and decodes the JSON answer into out.
func pageFetch(t *testing.T, ctx context.Context, method, path, body string, out any) int {
	t.Helper()
	p, _ := json.Marshal(path)
	init := fmt.Sprintf(`{method: %q, credentials: 'same-origin', headers: {'Content-Type': 'application/json'}}`, method)
	if body != "" {
		b, _ := json.Marshal(body)
		init = fmt.Sprintf(`{method: %q, credentials: 'same-origin', headers: {'Content-Type': 'application/json'}, body: %s}`, method, b)
	}
	expr := fmt.Sprintf(`fetch(%s, %s).then(async r => JSON.stringify({status: r.status, body: await r.text()}))`, p, init)
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	raw, err := chromedp.Run(tctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch %s %s: %v", method, path, err)
	}
	var res struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
	}
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		t.Fatalf("fetch %s %s: %v", method, path, err)
	}
	if out != nil && res.Body != "" {
		if err := json.Unmarshal([]byte(res.Body), out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, res.Status, res.Body, err)
		}
	}
	return res.Status
}

// TestConsoleTakeover: a customer in the widget asks for a person; the agent, signed in to the
// console in another browser, sees the conversation in the queue within 1 s, accepts it, gets the
// bot's draft of the next answer (the customer never sees it), edits and sends it, and returns
// the conversation to the bot, which answers again.
func TestConsoleTakeover(t *testing.T) {
	began := time.Now()
	dir := t.TempDir()
	in := start(t, demoEnv(t, dir), "demo")
	// One browser, two browser contexts (like two incognito windows): the customer and the agent
	// share no cookies or storage.
	agent := browser(t)
	customer, closeCustomer := chromedp.NewContext(agent, chromedp.WithNewBrowserContext())
	t.Cleanup(closeCustomer)
	if err := chromedp.Do(customer); err != nil { // opens the tab, bound to this context (not to a timeout)
		t.Fatalf("open the customer's browser context: %v", err)
	}

	// The agent signs in and is online, with the live socket up.
	within(t, agent, 20*time.Second, chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(in.base+"/console/"),
		chromedp.Poll[chromedp.Void](`!document.getElementById('login-form').hidden`),
		chromedp.SendKeys(`#login-user`, "agent"), chromedp.SendKeys(`#login-pass`, demoAgentPassword),
		chromedp.Click(`#login-submit`),
		chromedp.Poll[chromedp.Void](jsConsoleReady))
	var me struct{ Username, Status string }
	if code := pageFetch(t, agent, "GET", "/api/console/me", "", &me); code != 200 || me.Username != "agent" || me.Status != "online" {
		t.Fatalf("me = %d %+v, want agent online", code, me)
	}

	// The customer opens the widget; its session and socket are up.
	within(t, customer, 20*time.Second,
		chromedp.Navigate(in.base+"/demo/"),
		chromedp.Poll[chromedp.Void](`window.TandemWidget && `+jsRoot+` && `+jsRoot+`.querySelector('.tw-launcher')`),
		chromedp.Evaluate[chromedp.Void](`window.TandemWidget.open()`),
		chromedp.Poll[chromedp.Void](jsWidgetLive),
		chromedp.Evaluate[chromedp.Void](jsWatchWidget))
	convID := eval[string](t, customer, jsConvID)
	if code := pageFetch(t, customer, "GET", "/api/console/me", "", nil); code != 401 {
		t.Fatalf("the customer's browser context has the agent's session: /api/console/me = %d, want 401", code)
	}
	eval[bool](t, agent, fmt.Sprintf(jsWatchQueue, convID))

	// Asking for a person puts the conversation in the agent's queue within 1 s.
	asked := time.Now()
	sentAt := eval[float64](t, customer, `(window.sentAt = Date.now(), `+fmt.Sprintf(jsSend, "I want to talk to a human")+`, window.sentAt)`)
	within(t, agent, 10*time.Second, chromedp.Poll[chromedp.Void](`window.queueSeenAt > 0`))
	seenAt := eval[float64](t, agent, `window.queueSeenAt`)
	latency := time.Duration(seenAt-sentAt) * time.Millisecond
	t.Logf("queue latency: %v from the customer's send to the row in the agent's queue (test side, with polling: %v)",
		latency, time.Since(asked).Round(time.Millisecond))
	if latency > time.Second {
		t.Errorf("the conversation reached the queue %v after the customer's message, want within 1s", latency)
	}
	within(t, customer, 10*time.Second, chromedp.Poll[chromedp.Void](jsOwner+` === 'waiting'`))

	// The agent accepts: the conversation opens in the console, the customer is with a person.
	within(t, agent, 10*time.Second,
		chromedp.Click(fmt.Sprintf(`#queue li[data-conv="%s"] button.accept`, convID)),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelector('#mine li[data-conv="%s"]') && !`+jsQueueItem+` &&
			!document.getElementById('conv').hidden && document.getElementById('conv-accept').hidden &&
			!document.getElementById('return').disabled`, convID, convID)))
	within(t, customer, 10*time.Second, chromedp.Poll[chromedp.Void](jsOwner+` === 'human'`))
	botsBefore := eval[int](t, customer, jsBotCount)

	// The customer asks what the knowledge base answers: the bot drafts into the agent's composer,
	// with its sources, and says nothing to the customer.
	eval[bool](t, customer, fmt.Sprintf(jsSend, "How do I file a claim?"))
	within(t, agent, 15*time.Second, chromedp.Poll[chromedp.Void](`document.getElementById('composer').value.trim() !== '' &&
		!document.getElementById('draft-info').hidden && !document.getElementById('draft-sources').hidden &&
		document.querySelector('#draft-sources a[href*="/kb/en-claims"]')`))
	draft := eval[string](t, agent, `document.getElementById('composer').value`)
	var detail consoleDetail
	pageFetch(t, agent, "GET", "/api/console/conversations/"+convID, "", &detail)
	if detail.Draft == nil || detail.Draft.Text != draft || len(detail.Draft.Sources) == 0 {
		t.Fatalf("stored unsent draft %+v, want the composer's text %q with sources", detail.Draft, draft)
	}
	if detail.Conversation.Owner != "human" || detail.Conversation.Assignee != "agent" || detail.Handoff == nil ||
		detail.Handoff.Reason != "customer_request" {
		t.Fatalf("conversation %+v handoff %+v, want owner human, assignee agent, reason customer_request", detail.Conversation, detail.Handoff)
	}

	// The agent edits the draft (types at its start) and sends it.
	const greeting = "Hi Ann! "
	edited := greeting + strings.TrimSpace(draft)
	within(t, agent, 10*time.Second,
		chromedp.Evaluate[chromedp.Void](`(() => { const c = document.getElementById('composer'); c.focus(); c.setSelectionRange(0, 0) })()`),
		chromedp.KeyEvent(greeting),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.getElementById('composer').value === %s`, jsQuote(greeting+draft))),
		chromedp.Click(`#send`),
		chromedp.Poll[chromedp.Void](`document.getElementById('composer').value === '' && document.getElementById('draft-info').hidden`),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`[...document.querySelectorAll('#transcript .msg.agent .text')].map(`+jsShown+`).includes(%s)`, jsQuote(edited))))

	// The customer gets the edited reply from the agent, and never saw the draft from the bot.
	within(t, customer, 10*time.Second, chromedp.Poll[chromedp.Void](fmt.Sprintf(`(`+jsAgentTexts+`).includes(%s)`, jsQuote(edited))))
	if n := eval[int](t, customer, jsBotCount); n != botsBefore {
		t.Errorf("the widget shows %d bot messages after the accept, want %d (no bot reply while the agent holds it)", n, botsBefore)
	}
	probe := draft[:min(len(draft), 40)]
	for _, s := range eval[[]string](t, customer, `[...window.shown]`) {
		if strings.Contains(s, probe) || (len(strings.TrimSpace(s)) >= 10 && strings.HasPrefix(draft, s)) {
			t.Errorf("the customer was shown the bot's draft: %q", s)
		}
	}

	// Back to the bot: the customer's next question gets a bot answer again.
	within(t, agent, 10*time.Second, chromedp.Click(`#return`),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`!document.querySelector('#mine li[data-conv="%s"]') && document.getElementById('return').disabled`, convID)))
	within(t, customer, 10*time.Second, chromedp.Poll[chromedp.Void](jsOwner+` === 'bot'`))
	eval[bool](t, customer, fmt.Sprintf(jsSend, "Can I cancel my policy?"))
	within(t, customer, 15*time.Second, chromedp.Poll[chromedp.Void](fmt.Sprintf(jsBotSource, "/kb/en-payments-refunds-cancellation")))
	if n := eval[int](t, customer, jsBotCount); n != botsBefore+1 {
		t.Errorf("after the return the widget shows %d bot messages, want %d", n, botsBefore+1)
	}

	// The agent's view: the conversation is the bot's, the agent's reply is in it, no draft is pending.
	detail = consoleDetail{}
	if code := pageFetch(t, agent, "GET", "/api/console/conversations/"+convID, "", &detail); code != 200 {
		t.Fatalf("GET conversation with the agent's session = %d", code)
	}
	var sentID int64
	for _, m := range detail.Messages {
		if m.Author == "agent" && m.Text == edited {
			sentID = m.ID
		}
	}
	if detail.Conversation.Owner != "bot" || sentID == 0 || detail.Draft != nil {
		t.Fatalf("after the return: owner %q, agent reply id %d, unsent draft %+v; want bot, the reply, none",
			detail.Conversation.Owner, sentID, detail.Draft)
	}

	// The co-authoring record: the draft is stored with the final text and how far it was edited.
	st, err := sqlite.Open(filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d, err := st.LatestDraft(context.Background(), convID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Text != draft || d.Final != edited || d.SentID != sentID || d.Agent != "agent" || d.SentAt == nil ||
		d.EditDistance == nil || *d.EditDistance <= 0 {
		t.Fatalf("stored draft %+v (edit distance %v), want text %q, final %q, sent as %d by agent, edit distance > 0",
			d, d.EditDistance, draft, edited, sentID)
	}
	t.Logf("draft %d: edit distance %d", d.ID, *d.EditDistance)

	// A screenshot of the console at the end.
	tctx, cancel := context.WithTimeout(agent, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(tctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "console.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(png) < 1000 || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("console screenshot is %d bytes, not a PNG", len(png))
	}
	shot(t, agent, "console-takeover.png")
	t.Logf("took %v", time.Since(began).Round(time.Millisecond))
}

// jsQuote quotes s as a JavaScript string literal.
func jsQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
