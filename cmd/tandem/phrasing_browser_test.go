package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPhrasingInConsoleAnswersOnBothReplicas: a trainer adds a similar question to an article in
// the trainer console of one Postgres replica; the next time a customer asks it, on either
// replica, the bot answers from that article (before, it handed the question off).
func TestPhrasingInConsoleAnswersOnBothReplicas(t *testing.T) {
	ctx := window(t, browser(t))
	db := pgSchemaURL(t)
	envA := demoEnv(t, t.TempDir())
	envA["DATABASE_URL"] = db
	a := start(t, envA, "demo")
	b := start(t, map[string]string{"DATABASE_URL": db, "TANDEM_ADDR": "127.0.0.1:0", "TANDEM_DATA_DIR": t.TempDir(), "TANDEM_LOG_LEVEL": "warn"}, "serve")
	b.key = a.key
	const question, article = "the wombat chewed up my policy papers", "en-policies-coverage-documents"
	ask := func(in *instance) apiMessage {
		t.Helper()
		r, _ := askNew(t, in, question)
		return r
	}
	answered := func(r apiMessage) bool {
		return r.Decision == "answer" && len(r.Sources) > 0 && strings.HasSuffix(r.Sources[0].URL, "/"+article)
	}
	if r := ask(b); answered(r) {
		t.Fatalf("answered before the phrasing was added: %+v", r)
	}

	within(t, ctx, 30*time.Second, chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(a.base+"/trainer/#key="+a.key),
		chromedp.Poll[chromedp.Void](`document.querySelector('#doc-table tbody tr[data-id="`+article+`"]') !== null`),
		chromedp.Click(`#doc-table tbody tr[data-id="`+article+`"]`),
		chromedp.Poll[chromedp.Void](`!document.getElementById('chunk-panel').hidden && document.querySelectorAll('#phrasing-list .phrasing').length >= 6`),
		chromedp.SendKeys(`#phrasing-input`, question),
		chromedp.Click(`#phrasing-add`),
		chromedp.Poll[chromedp.Void](`document.getElementById('phrasing-note').textContent.startsWith('Saved')`))
	shot(t, ctx, "trainer-phrasing.png")

	added := time.Now()
	for _, in := range []*instance{a, b} {
		for {
			r := ask(in)
			if answered(r) {
				t.Logf("%s answers %.3f from %s %v after the save", in.base, r.Confidence, article, time.Since(added).Round(time.Millisecond))
				break
			}
			if time.Since(added) > 2*time.Second {
				t.Fatalf("%s: 2 s after the trainer saved the phrasing the bot replies %+v", in.base, r)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}
