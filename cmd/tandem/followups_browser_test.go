package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestFollowUpsInConsole: the agent holding a conversation records the customer's consent in
// the console, closes the conversation and schedules a follow-up there; the console shows the
// consent and the scheduled follow-up, and the ledger names the agent as its source.
func TestFollowUpsInConsole(t *testing.T) {
	in := actionDemo(t, nil)
	agent := browser(t)
	customer, closeCustomer := chromedp.NewContext(agent, chromedp.WithNewBrowserContext())
	t.Cleanup(closeCustomer)
	if err := chromedp.Do(customer); err != nil {
		t.Fatalf("open the customer's browser context: %v", err)
	}
	within(t, customer, 30*time.Second, chromedp.Navigate(in.base+"/demo/?lang=en"),
		chromedp.Poll[chromedp.Void](`window.TandemWidget && `+jsRoot+` && `+jsRoot+`.querySelector('.tw-launcher')`),
		chromedp.Evaluate[chromedp.Void](`window.TandemWidget.open()`),
		chromedp.Poll[chromedp.Void](`window.TandemWidget.state.ws && window.TandemWidget.state.ws.readyState === 1`))
	eval[bool](t, customer, fmt.Sprintf(jsSend, "I want to talk to a person"))
	within(t, customer, 15*time.Second, chromedp.Poll[chromedp.Void](jsOwner+` === 'waiting'`))
	convID := eval[string](t, customer, `window.TandemWidget.state.conversationId`)

	within(t, agent, 20*time.Second, chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(in.base+"/console/"),
		chromedp.Poll[chromedp.Void](`!document.getElementById('login-form').hidden`),
		chromedp.SendKeys(`#login-user`, "agent"), chromedp.SendKeys(`#login-pass`, demoAgentPassword),
		chromedp.Click(`#login-submit`),
		chromedp.Poll[chromedp.Void](jsConsoleReady),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(jsQueueItem, convID)),
		chromedp.Click(fmt.Sprintf(`#queue li[data-conv="%s"] button.accept`, convID)),
		chromedp.Poll[chromedp.Void](`!document.getElementById('conv').hidden && document.getElementById('conv-accept').hidden`))
	within(t, agent, 10*time.Second, chromedp.Poll[chromedp.Void](`!document.getElementById('followups').hidden && document.querySelector('#followups .consent').dataset.granted === 'none'`))
	if hint := eval[string](t, agent, `document.getElementById('followups-body').textContent`); !strings.Contains(hint, "Close the conversation to schedule") {
		t.Errorf("an open conversation's follow-ups say %q; want the hint to close it first", hint)
	}

	// Consent, as the customer gave it on the phone.
	within(t, agent, 10*time.Second,
		chromedp.SendKeys(`#followups .consent-form input`, "A satisfaction check on the website chat"),
		chromedp.Click(`#followups button.grant`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#followups .consent').dataset.granted === 'true'`))
	if s := eval[string](t, agent, `document.querySelector('#followups .consent').textContent`); !strings.Contains(s, "A satisfaction check on the website chat") {
		t.Errorf("consent shown as %q", s)
	}

	// Closed, the conversation takes a follow-up.
	within(t, agent, 10*time.Second, chromedp.Click(`#close`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#followups form.schedule-form')`),
		chromedp.SendKeys(`#followups form.schedule-form textarea`, "Was your question answered? Reply 1-5."),
		// In Chinese the box is relabelled and keeps what the agent typed.
		chromedp.Click(`#lang`),
		chromedp.Poll[chromedp.Void](`document.getElementById('followups-title').textContent === '回访' &&
			document.querySelector('#followups button.schedule').textContent === '安排回访' &&
			document.querySelector('#followups form.schedule-form textarea').value === 'Was your question answered? Reply 1-5.'`),
		chromedp.Click(`#followups form.schedule-form button.schedule`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#followups li.followup[data-status="scheduled"]')`))
	shot(t, agent, "console-followups.png")

	desk := deskLogin(t, in.base, "agent", demoAgentPassword)
	var ledger struct {
		Consents []struct {
			Granted      bool
			Source, Text string
		}
	}
	desk.do(t, "GET", "/api/console/conversations/"+convID+"/consent", "", &ledger)
	if len(ledger.Consents) != 1 || !ledger.Consents[0].Granted || ledger.Consents[0].Source != "agent:agent" {
		t.Errorf("ledger = %+v, want one grant by agent:agent", ledger.Consents)
	}
	var list struct {
		Followups []struct{ Kind, Status, Text string }
	}
	desk.do(t, "GET", "/api/console/conversations/"+convID+"/followups", "", &list)
	if len(list.Followups) != 1 || list.Followups[0].Kind != "satisfaction" || list.Followups[0].Text != "Was your question answered? Reply 1-5." {
		t.Errorf("follow-ups = %+v", list.Followups)
	}
}
