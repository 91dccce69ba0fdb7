package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestFirstHourLoopInBrowser is the whole loop as its three users do it, in the browser only:
// a customer asks in the widget and asks for a person; the agent takes the conversation, sends
// the bot's draft and closes; the customer rates with the stars; the trainer accepts the handoff
// from the review queue with the defaults and runs the new set with the Run button. Screenshots
// (TANDEM_SCREENSHOTS) at phone and desktop size: the widget after the handoff, the console with
// the draft, and the trainer's review form.
func TestFirstHourLoopInBrowser(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	agent := browser(t)
	customer, trainer := window(t, agent), window(t, agent) // three people, three machines

	// The agent is online.
	within(t, agent, 20*time.Second, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(in.base+"/console/"))
	consoleSignIn(t, agent, "agent", demoAgentPassword)

	// The customer, on a phone, asks and then asks for a person.
	convID := openWidget(t, customer, in.base, "/demo/", chromedp.EmulateViewport(390, 844))
	eval[bool](t, customer, fmt.Sprintf(jsSend, "talk to a person"))
	within(t, customer, 15*time.Second, chromedp.Poll[chromedp.Void](jsOwner+` === 'waiting'`), chromedp.Poll[chromedp.Void](jsNewestInView))
	shot(t, customer, "loop-widget-handoff-phone.png")

	// The agent accepts; the customer asks a question, the bot drafts, the agent sends the draft.
	within(t, agent, 15*time.Second,
		chromedp.Poll[chromedp.Void](fmt.Sprintf(jsQueueItem, convID)),
		chromedp.Click(fmt.Sprintf(`#queue li[data-conv="%s"] button.accept`, convID)),
		chromedp.Poll[chromedp.Void](`!document.getElementById('conv').hidden && document.getElementById('conv-accept').hidden`))
	if got := eval[string](t, agent, `document.getElementById('conv-owner').textContent`); !strings.Contains(got, "You are handling") {
		t.Errorf("console says %q, want who is handling it in words", got)
	}
	within(t, customer, 10*time.Second, chromedp.Poll[chromedp.Void](jsOwner+` === 'human'`))
	eval[bool](t, customer, fmt.Sprintf(jsSend, "How do I file a claim?"))
	within(t, agent, 15*time.Second, chromedp.Poll[chromedp.Void](`document.getElementById('composer').value.trim() !== '' &&
		document.querySelector('#draft-sources a[href*="/kb/en-claims"]')`))
	shot(t, agent, "loop-console-draft-desktop.png")
	within(t, agent, 10*time.Second, chromedp.EmulateViewport(390, 844))
	shot(t, agent, "loop-console-draft-phone.png")
	within(t, agent, 10*time.Second, chromedp.EmulateViewport(1280, 900), chromedp.Click(`#send`),
		chromedp.Poll[chromedp.Void](`document.getElementById('composer').value === ''`))
	within(t, customer, 10*time.Second, chromedp.Poll[chromedp.Void](`(`+jsAgentTexts+`).some(t => t.includes('400-800-1234'))`))

	// The agent closes; the customer rates with the stars (and is asked once).
	eval[bool](t, agent, `(window.confirm = () => true, true)`)
	within(t, agent, 10*time.Second, chromedp.Click(`#close`))
	q := func(sel string) string { return jsRoot + `.querySelector('` + sel + `')` }
	within(t, customer, 15*time.Second,
		chromedp.Poll[chromedp.Void](jsOwner+` === 'closed' && !`+q(".tandem-rating")+`.hidden`),
		chromedp.Evaluate[chromedp.Void](q(`.tandem-rating button[data-score="5"]`)+`.click()`),
		chromedp.Poll[chromedp.Void](`!`+q(".tw-rate-send")+`.disabled`),
		chromedp.Evaluate[chromedp.Void](q(".tw-rate-send")+`.click()`),
		chromedp.Poll[chromedp.Void](`!`+q(".tandem-rating-thanks")+`.hidden`))

	// The trainer accepts the handoff with the defaults: the form says which message it is for and
	// expects a handoff, since the customer asked for a person.
	within(t, trainer, 20*time.Second, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(in.base+"/trainer/"),
		chromedp.Poll[chromedp.Void](`!document.getElementById('signin').hidden`),
		chromedp.SendKeys(`#signin-user`, "trainer"), chromedp.SendKeys(`#signin-pass`, demoTrainerPassword),
		chromedp.Click(`#signin-submit`),
		chromedp.Poll[chromedp.Void](`!document.getElementById('app').hidden`))
	within(t, trainer, 20*time.Second,
		chromedp.Click(`#tab-review`),
		chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('#review-list li.review-item')].some(li => li.querySelector('.review-text').textContent === 'talk to a person')`),
		chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('#review-list li.review-item')].find(li => li.querySelector('.review-text').textContent === 'talk to a person').querySelector('.review-actions button').click()`),
		chromedp.Poll[chromedp.Void](`!document.getElementById('accept-form').hidden`))
	if got := eval[string](t, trainer, `document.getElementById('accept-decision').value + '|' + document.getElementById('accept-answer').value + '|' + document.getElementById('accept-for').textContent`); !strings.HasPrefix(got, "handoff||") || !strings.Contains(got, "talk to a person") {
		t.Fatalf("accept form = %q, want decision handoff, no answer, and the message it is for", got)
	}
	shot(t, trainer, "loop-trainer-review-desktop.png")
	within(t, trainer, 10*time.Second, chromedp.EmulateViewport(390, 844))
	shot(t, trainer, "loop-trainer-review-phone.png")
	within(t, trainer, 20*time.Second, chromedp.EmulateViewport(1280, 900),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('accept-set').value = 'first-hour'`),
		chromedp.Click(`#accept-submit`),
		chromedp.Poll[chromedp.Void](`document.getElementById('accept-form').hidden && document.getElementById('review-note').textContent.includes('first-hour')`),

		// A new set runs from the Evals tab with the Run button, without the shell.
		chromedp.Click(`#tab-evals`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#set-list button[data-set="first-hour"]')`),
		chromedp.Click(`#set-list button[data-set="first-hour"]`),
		chromedp.Poll[chromedp.Void](`!document.getElementById('run-set').hidden && !document.getElementById('run-set').disabled`),
		chromedp.Click(`#run-set`),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#run-table tbody tr').length === 1 && document.getElementById('run-status').textContent.includes('done')`))
	row := eval[string](t, trainer, `document.querySelector('#run-table tbody tr').innerText`)
	if !strings.Contains(row, "100.0%") || !strings.Contains(row, "n/a") {
		t.Errorf("run row %q: want accuracy 100.0%% (the bot hands off as expected) and n/a for rates over no case", row)
	}
	// The runs table fits a 1440 px screen: its report link is in view.
	within(t, trainer, 10*time.Second, chromedp.EmulateViewport(1440, 900))
	if ok := eval[bool](t, trainer, `(() => { const a = document.querySelector('#run-table .report-link').getBoundingClientRect(); return a.right <= window.innerWidth && a.width > 0 })()`); !ok {
		t.Error("the runs table's Report column is off-screen at 1440 px")
	}
	shot(t, trainer, "loop-trainer-evals-desktop.png")

	// Analytics say why in words, not codes.
	within(t, trainer, 15*time.Second, chromedp.Click(`#tab-analytics`),
		chromedp.Poll[chromedp.Void](`document.getElementById('handoff-reasons').textContent.includes('Customer asked for a person')`))
	if got := eval[string](t, trainer, `document.getElementById('handoff-reasons').textContent`); strings.Contains(got, "customer_request") {
		t.Errorf("analytics show the raw code: %q", got)
	}
}
