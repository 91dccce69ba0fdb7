package main

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// jsTrackFetches counts the page's requests in flight (window.inFlight), so a test can wait until
// what a click started has been answered and drawn.
const jsTrackFetches = `(() => { if (window.inFlight !== undefined) return; window.inFlight = 0; const f = window.fetch;
	window.fetch = (...a) => { window.inFlight++; return f(...a).finally(() => setTimeout(() => window.inFlight--, 0)); } })()`

// TestConsolesLoadWithoutErrors opens both consoles, every trainer tab and every admin dialog, in
// English and in Chinese: the ES modules load (a module that fails to load or link is silent but
// for the browser's console), and nothing throws or reports a script error.
func TestConsolesLoadWithoutErrors(t *testing.T) {
	ctx := browser(t)
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	messages := watchConsole(t, ctx)

	within(t, ctx, 20*time.Second, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(in.base+"/console/"))
	consoleSignIn(t, ctx, "admin", demoAdminPassword)
	for _, lang := range []string{"en", "zh"} {
		for _, open := range []string{"admin-channels", "admin-users", "admin-audit", "admin-customers", "admin-actions", "complaints-open"} {
			dialog := map[string]string{"admin-channels": "channels-dialog", "admin-users": "users-dialog", "admin-audit": "audit-dialog",
				"admin-customers": "customers-dialog", "admin-actions": "actions-dialog", "complaints-open": "complaints-dialog"}[open]
			within(t, ctx, 15*time.Second, chromedp.Evaluate[chromedp.Void](jsTrackFetches),
				chromedp.Click("#"+open),
				chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).open && window.inFlight === 0`, dialog)),
				chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).close()`, dialog)))
		}
		within(t, ctx, 10*time.Second, chromedp.Click(`#lang`),
			chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.documentElement.lang.startsWith(%q)`, map[string]string{"en": "zh", "zh": "en"}[lang])))
	}
	shot(t, ctx, "console-admin.png")

	trainer := window(t, ctx)
	trainerMessages := watchConsole(t, trainer)
	within(t, trainer, 20*time.Second, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(in.base+"/trainer/"),
		chromedp.Poll[chromedp.Void](`!document.getElementById('signin').hidden`),
		chromedp.SendKeys(`#signin-user`, "trainer"), chromedp.SendKeys(`#signin-pass`, demoTrainerPassword),
		chromedp.Click(`#signin-submit`),
		chromedp.Poll[chromedp.Void](`!document.getElementById('app').hidden`), chromedp.Evaluate[chromedp.Void](jsTrackFetches))
	for _, lang := range []string{"en", "zh"} {
		for _, tab := range []string{"docs", "import", "search", "intents", "tuning", "review", "evals", "analytics", "gaps", "confidence"} {
			within(t, trainer, 15*time.Second, chromedp.Click("#tab-"+tab),
				chromedp.Poll[chromedp.Void](fmt.Sprintf(`!document.getElementById('panel-%s').hidden && window.inFlight === 0`, tab)))
			if msg := eval[string](t, trainer, `document.getElementById('error').textContent`); msg != "" {
				t.Errorf("%s tab (%s): %s", tab, lang, msg)
			}
		}
		within(t, trainer, 10*time.Second, chromedp.Click(`#lang`),
			chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.documentElement.lang.startsWith(%q) && window.inFlight === 0`, map[string]string{"en": "zh", "zh": "en"}[lang])))
	}
	shot(t, trainer, "trainer-confidence.png")

	for _, m := range append(messages(), trainerMessages()...) {
		if m.IsException() || m.Type == chromedp.ConsoleError {
			t.Errorf("browser console: %s", m)
		}
	}
}

// watchConsole collects what the page of ctx writes to the browser's console; the func returns
// the messages so far, and a failed test logs them all.
func watchConsole(t *testing.T, ctx context.Context) func() []chromedp.ConsoleMessage {
	t.Helper()
	wctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	var (
		mu  sync.Mutex
		got []chromedp.ConsoleMessage
	)
	stream := chromedp.Console(wctx)
	go func() {
		for m, err := range stream {
			if err != nil {
				return
			}
			mu.Lock()
			got = append(got, m)
			mu.Unlock()
		}
	}()
	messages := func() []chromedp.ConsoleMessage {
		mu.Lock()
		defer mu.Unlock()
		return append([]chromedp.ConsoleMessage(nil), got...)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, m := range messages() {
				t.Logf("browser console: %s", m)
			}
		}
	})
	return messages
}
