package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tandem/chat"
)

// Admin console page expressions.
const (
	jsAdminButtons = `['admin-channels', 'admin-users', 'admin-audit', 'admin-customers'].map(id => document.getElementById(id).hidden)`
	// jsAnswerConfirms replaces window.confirm: it records each question and answers
	// window.confirmAnswer (true unless set to false).
	jsAnswerConfirms = `(() => { window.confirms = []; window.confirmAnswer = true;
		window.confirm = m => { window.confirms.push(m); return window.confirmAnswer }; return true })()`
	// jsCatchDownloads keeps the Blob behind each object URL and records the links the page
	// clicks to download, instead of saving files into the home directory.
	jsCatchDownloads = `(() => { window.blobs = {}; window.downloads = []; const make = URL.createObjectURL.bind(URL);
		URL.createObjectURL = b => { const u = make(b); window.blobs[u] = b; return u };
		HTMLAnchorElement.prototype.click = function () { window.downloads.push({name: this.download, href: this.href}) };
		return true })()`
	jsUserRow   = `document.querySelector('#users-table tr[data-user="%s"]')`
	jsFocusedIn = `!!(document.activeElement && document.activeElement.closest('#%s'))`
)

// consoleSignIn signs user in on the console page already showing the sign-in form.
func consoleSignIn(t *testing.T, ctx context.Context, user, password string) {
	t.Helper()
	within(t, ctx, 15*time.Second,
		chromedp.Poll[chromedp.Void](`!document.getElementById('login-form').hidden`),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('login-user').value = ''`), chromedp.SendKeys(`#login-user`, user),
		chromedp.SendKeys(`#login-pass`, password), chromedp.Click(`#login-submit`),
		chromedp.Poll[chromedp.Void](jsConsoleReady))
}

// dialogShot saves a screenshot of the page into dir and checks that it is a PNG.
func dialogShot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(tctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if len(png) < 1000 || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("%s is %d bytes, not a PNG", name, len(png))
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, name)
}

// TestAdminPanelsInBrowser: an agent sees none of the admin buttons. An admin lists the users,
// disables agent2 (a cancelled confirmation changes nothing; an account disabled meanwhile by
// someone else shows the API's error), reads the audit log with and without an actor filter,
// finds an app customer by channel and external id, downloads their data as
// customer-<id>.json and erases them, after which the app API no longer finds their
// conversation. Everything is reachable with dialogs that take the focus and close with Esc.
func TestAdminPanelsInBrowser(t *testing.T) {
	began := time.Now()
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	const external, name, said = "gdpr-ann", "Ann Lee", "My policy number is P-1234"
	var conv apiConversation
	if code := in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"`+external+`","name":"`+name+`"}}`, &conv); code != 201 {
		t.Fatalf("create conversation = %d", code)
	}
	if code := in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":"`+said+`"}`, nil); code != 201 {
		t.Fatalf("post message = %d", code)
	}
	ctx := browser(t)
	shots := t.TempDir()

	// An agent: no admin buttons.
	within(t, ctx, 20*time.Second, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(in.base+"/console/"))
	consoleSignIn(t, ctx, "agent", demoAgentPassword)
	if hidden := eval[[]bool](t, ctx, jsAdminButtons); fmt.Sprint(hidden) != "[true true true true]" {
		t.Fatalf("an agent's admin buttons hidden = %v, want all hidden", hidden)
	}
	within(t, ctx, 10*time.Second, chromedp.Click(`#sign-out`), chromedp.Poll[chromedp.Void](`!document.getElementById('login-form').hidden`))

	// The admin sees them.
	consoleSignIn(t, ctx, "admin", demoAdminPassword)
	if hidden := eval[[]bool](t, ctx, jsAdminButtons); fmt.Sprint(hidden) != "[false false false false]" {
		t.Fatalf("the admin's admin buttons hidden = %v, want all shown", hidden)
	}
	eval[bool](t, ctx, jsAnswerConfirms)

	// Users: the four demo accounts; the admin's own has no Disable button.
	within(t, ctx, 10*time.Second, chromedp.Click(`#admin-users`),
		chromedp.Poll[chromedp.Void](`document.getElementById('users-dialog').open && document.querySelectorAll('#users-table tbody tr').length === 4`))
	rows := `[...document.querySelectorAll('#users-table tbody tr')]`
	if got := eval[string](t, ctx, rows+`.map(r => r.dataset.user + ':' + r.cells[1].textContent + ':' + r.dataset.disabled + ':' + !!r.querySelector('button.disable')).join(' ')`); got !=
		"admin:Admin:false:false agent:Agent:false:true agent2:Agent:false:true trainer:Trainer:false:true" {
		t.Fatalf("users (name:role:disabled:can disable) = %s", got)
	}
	if !eval[bool](t, ctx, fmt.Sprintf(jsFocusedIn, "users-dialog")) {
		t.Fatal("the focus is not in the users dialog")
	}

	// A cancelled confirmation changes nothing; a confirmed one disables agent2.
	eval[bool](t, ctx, `(window.confirmAnswer = false, true)`)
	within(t, ctx, 10*time.Second, chromedp.Click(`#users-table tr[data-user="agent2"] button.disable`))
	if got := eval[[]string](t, ctx, `window.confirms`); len(got) != 1 || !strings.Contains(got[0], "agent2") {
		t.Fatalf("confirmations = %q, want one naming agent2", got)
	}
	if eval[string](t, ctx, fmt.Sprintf(jsUserRow, "agent2")+`.dataset.disabled`) != "false" {
		t.Fatal("agent2 was disabled though the admin cancelled")
	}
	eval[bool](t, ctx, `(window.confirmAnswer = true, true)`)
	within(t, ctx, 10*time.Second, chromedp.Click(`#users-table tr[data-user="agent2"] button.disable`),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(jsUserRow, "agent2")+`.dataset.disabled === 'true' && !`+fmt.Sprintf(jsUserRow, "agent2")+`.querySelector('button') &&
			document.getElementById('users-status').textContent.includes('agent2')`))
	if got := eval[string](t, ctx, fmt.Sprintf(jsUserRow, "agent2")+`.cells[3].textContent`); got == "" || got == "No" {
		t.Fatalf("agent2's disabled column = %q, want when", got)
	}

	// Another admin disables trainer meanwhile: the stale button shows the API's error, and the
	// list is brought up to date.
	if code := pageFetch(t, ctx, "POST", "/api/admin/users/trainer/disable", "", nil); code != 204 {
		t.Fatalf("disable trainer behind the page = %d", code)
	}
	within(t, ctx, 10*time.Second, chromedp.Click(`#users-table tr[data-user="trainer"] button.disable`),
		chromedp.Poll[chromedp.Void](`document.getElementById('users-error').textContent.includes('trainer') && `+fmt.Sprintf(jsUserRow, "trainer")+`.dataset.disabled === 'true'`))
	dialogShot(t, ctx, shots, "admin-users.png")
	within(t, ctx, 10*time.Second, chromedp.KeyEvent(kb.Escape),
		chromedp.Poll[chromedp.Void](`!document.getElementById('users-dialog').open && document.activeElement === document.getElementById('admin-users')`))

	// Audit log: the disable is there; filtering by actor shows only that actor's changes.
	jsAudit := `[...document.querySelectorAll('#audit-table tbody tr')]`
	within(t, ctx, 10*time.Second, chromedp.Click(`#admin-audit`),
		chromedp.Poll[chromedp.Void](jsAudit+`.some(r => r.dataset.action === 'POST /api/admin/users/:username/disable' && r.dataset.target === 'agent2' && r.dataset.status === '204')`))
	if got := eval[string](t, ctx, jsAudit+`.find(r => r.dataset.target === 'agent2').innerText`); !strings.Contains(got, "admin") || !strings.Contains(got, "204") {
		t.Fatalf("the disable's row = %q, want actor admin and status 204", got)
	}
	// The agent only signed in and out: presence is not an audited change, so only the admin's
	// changes are listed.
	if actors := eval[string](t, ctx, `[...new Set(`+jsAudit+`.map(r => r.cells[1].textContent))].sort().join()`); actors != "admin" {
		t.Fatalf("audit actors = %s, want admin (signing in sets presence, which is no audited change)", actors)
	}
	if noise := eval[int](t, ctx, jsAudit+`.filter(r => r.dataset.action.includes('presence')).length`); noise != 0 {
		t.Fatalf("%d presence entries in the audit log", noise)
	}
	// Columns are sized to whole words: no cell of Time, Actor, Role or Status wraps.
	if wrapped := eval[int](t, ctx, jsAudit+`.filter(r => [0, 1, 2, 5].some(i => r.cells[i] && r.cells[i].getClientRects().length && r.cells[i].scrollHeight > 40)).length`); wrapped != 0 {
		t.Fatalf("%d audit rows wrap a short column", wrapped)
	}
	if !eval[bool](t, ctx, `document.activeElement === document.getElementById('audit-actor')`) {
		t.Fatal("the focus is not on the actor filter")
	}
	within(t, ctx, 10*time.Second, chromedp.SendKeys(`#audit-actor`, "admin"+kb.Enter),
		chromedp.Poll[chromedp.Void](jsAudit+`.length > 0 && `+jsAudit+`.every(r => r.cells[1].textContent === 'admin')`))
	dialogShot(t, ctx, shots, "admin-audit.png")
	within(t, ctx, 10*time.Second, chromedp.KeyEvent(kb.Escape), chromedp.Poll[chromedp.Void](`!document.getElementById('audit-dialog').open`))

	// Customer data: find the customer by channel and external id.
	within(t, ctx, 10*time.Second, chromedp.Click(`#admin-customers`),
		chromedp.Poll[chromedp.Void](`document.getElementById('customers-dialog').open && document.activeElement === document.getElementById('find-channel')`),
		chromedp.SendKeys(`#find-channel`, "api"), chromedp.SendKeys(`#find-external`, external+kb.Enter),
		chromedp.Poll[chromedp.Void](`!document.getElementById('customer-found').hidden`))
	id := eval[string](t, ctx, `document.getElementById('customer-found').dataset.customer`)
	if got := eval[string](t, ctx, `document.getElementById('found-title').textContent + '|' + document.getElementById('found-external').textContent`); id == "" || got != name+"|"+external {
		t.Fatalf("found customer %q: %q, want %s|%s", id, got, name, external)
	}
	// The id the console shows finds the same customer, with no channel.
	within(t, ctx, 10*time.Second,
		chromedp.Evaluate[chromedp.Void](`document.getElementById('find-channel').value = ''; document.getElementById('find-external').value = ''`),
		chromedp.SendKeys(`#find-external`, "#"+id+kb.Enter),
		chromedp.Poll[chromedp.Void](`!document.getElementById('customer-found').hidden && document.getElementById('customer-found').dataset.customer === `+strconv.Quote(id)))

	// Export: a download of customer-<id>.json with the conversation in it.
	eval[bool](t, ctx, jsCatchDownloads)
	within(t, ctx, 10*time.Second, chromedp.Click(`#customer-export`), chromedp.Poll[chromedp.Void](`window.downloads.length === 1`))
	if got := eval[string](t, ctx, `window.downloads[0].name`); got != "customer-"+id+".json" {
		t.Fatalf("download named %q, want customer-%s.json", got, id)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.blobs[window.downloads[0].href].text()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	var x chat.CustomerExport
	if err := json.Unmarshal([]byte(raw), &x); err != nil {
		t.Fatalf("export is not JSON: %v\n%.300s", err, raw)
	}
	if x.Customer.ID != id || len(x.Conversations) != 1 || len(x.Conversations[0].Messages) < 2 || x.Conversations[0].Messages[0].Text != said {
		t.Fatalf("export = %.500s", raw)
	}

	// Erase: the confirmation names the customer; the report counts the rows per table.
	within(t, ctx, 10*time.Second, chromedp.Click(`#customer-erase`),
		chromedp.Poll[chromedp.Void](`!document.getElementById('erase-report').hidden && document.getElementById('customer-found').hidden`))
	if got := eval[[]string](t, ctx, `window.confirms`); len(got) != 4 || !strings.Contains(got[3], name) || !strings.Contains(got[3], external) {
		t.Fatalf("confirmations = %q, want the last to name %s (%s)", got, name, external)
	}
	counts := eval[map[string]int](t, ctx, `Object.fromEntries([...document.querySelectorAll('#erase-table tbody tr')].map(r => [r.dataset.table, +r.cells[1].textContent]))`)
	total := 0
	for _, n := range counts {
		total += n
	}
	if counts["customers"] != 1 || counts["conversations"] != 1 || counts["messages"] != len(x.Conversations[0].Messages) ||
		eval[string](t, ctx, `document.getElementById('erase-total').textContent`) != fmt.Sprint(total) {
		t.Fatalf("erase report %v, total %q; want 1 customer, 1 conversation, %d messages", counts,
			eval[string](t, ctx, `document.getElementById('erase-total').textContent`), len(x.Conversations[0].Messages))
	}
	if !eval[bool](t, ctx, fmt.Sprintf(jsFocusedIn, "erase-report")) {
		t.Fatal("the focus is not on the erase report")
	}
	dialogShot(t, ctx, shots, "admin-customers.png")
	if code := in.call(t, "GET", "/api/v1/conversations/"+conv.ID, "", nil); code != 404 {
		t.Fatalf("the erased conversation through the app API = %d, want 404", code)
	}

	// Looking the erased customer up again shows the API's not-found message.
	within(t, ctx, 10*time.Second, chromedp.Click(`#find-submit`),
		chromedp.Poll[chromedp.Void](`document.getElementById('customers-error').textContent !== '' && document.getElementById('customer-found').hidden`))

	// Closing the dialog drops the customer's data from the page.
	within(t, ctx, 10*time.Second, chromedp.KeyEvent(kb.Escape), chromedp.Poll[chromedp.Void](`!document.getElementById('customers-dialog').open`))
	if left := eval[string](t, ctx, `document.getElementById('customers-dialog').textContent`); strings.Contains(left, name) || strings.Contains(left, id) {
		t.Fatalf("the closed dialog still shows the customer: %q", left)
	}
	// In Chinese the admin's buttons and dialogs are translated too.
	within(t, ctx, 10*time.Second, chromedp.Click(`#lang`), chromedp.Click(`#admin-users`),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(jsUserRow, "admin")+` && `+fmt.Sprintf(jsUserRow, "admin")+`.cells[1].textContent === '管理员'`))
	if got := eval[string](t, ctx, `document.getElementById('admin-users').textContent + '|' + document.getElementById('users-title').textContent`); got != "用户|用户管理" {
		t.Fatalf("in Chinese: %q", got)
	}
	shot(t, ctx, "admin-users-zh.png")
	t.Logf("took %v", time.Since(began).Round(time.Millisecond))
}
