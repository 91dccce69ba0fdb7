package main

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Widget and console expressions of the list and draft test.
const (
	// jsLastBotItems are the list items of the widget's latest bot message.
	jsLastBotItems = `(() => { const m = [...` + jsRoot + `.querySelectorAll('.tw-msg[data-author="bot"]')].pop();
		return m ? [...m.querySelectorAll('.tw-text li')].map(li => li.parentElement.tagName + ':' + li.textContent) : [] })()`
	jsDraftReady = `document.getElementById('composer').value.trim() !== '' && !document.getElementById('draft-info').hidden &&
		!document.getElementById('draft-sources').hidden && document.getElementById('draft-info').classList.contains('unsure')`
)

// TestDraftAndListsInBrowser: a list answer renders as a list in the widget (text only: an
// article's HTML shows as text and never runs) and in the agent's transcript; a question the bot
// hands off for low confidence reaches the agent who accepts it with a non-empty draft, marked
// unsure, with its source linked. Screenshots of both at phone and desktop sizes go to
// TANDEM_SCREENSHOTS when it is set.
func TestDraftAndListsInBrowser(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	importMarkdown(t, in, "boat.md", "# What do I need for a boat inspection?\n\nBring these to the boat inspection:\n\n"+
		"- Your boat licence <img src=x onerror=\"window.pwned=1\">\n- The hull number <script>window.pwned=2</script>\n- Photos of the engine\n")
	agent := browser(t)
	customer := window(t, agent)
	within(t, agent, 20*time.Second, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(in.base+"/console/"))
	consoleSignIn(t, agent, "agent", demoAgentPassword)
	convID := openWidget(t, customer, in.base, "/demo/", chromedp.EmulateViewport(390, 844))

	// A list answer is a list: five bullet items, whole.
	eval[bool](t, customer, fmt.Sprintf(jsSend, "What documents do I need for a claim?"))
	within(t, customer, 15*time.Second, chromedp.Poll[chromedp.Void](`(`+jsLastBotItems+`).length === 5`))
	items := eval[[]string](t, customer, jsLastBotItems)
	want := []string{"UL:Your policy number and claim number", "UL:A photo ID of the policyholder (ID card or passport)",
		"UL:Photos of the damage or loss", "UL:Receipts or invoices for repairs or replacement", "UL:Bank account details for the payment"}
	if strings.Join(items, "|") != strings.Join(want, "|") {
		t.Fatalf("widget list items = %q, want %q", items, want)
	}
	shot(t, customer, "widget-list-phone.png")
	within(t, customer, 10*time.Second, chromedp.EmulateViewport(1280, 900))
	shot(t, customer, "widget-list-desktop.png")

	// An article's markup is text in the list, never elements, and never runs.
	eval[bool](t, customer, fmt.Sprintf(jsSend, "What do I need for a boat inspection?"))
	within(t, customer, 15*time.Second, chromedp.Poll[chromedp.Void](`(`+jsLastBotItems+`).length === 3`))
	items = eval[[]string](t, customer, jsLastBotItems)
	if len(items) != 3 || !strings.HasPrefix(items[0], "UL:Your boat licence") || items[2] != "UL:Photos of the engine" {
		t.Fatalf("boat list items = %q", items)
	}
	if n := eval[int](t, customer, jsRoot+`.querySelectorAll('.tw-msg img, .tw-msg script, .tw-msg b').length`); n != 0 {
		t.Fatalf("the article's HTML became %d elements in the widget", n)
	}
	if pwned := eval[bool](t, customer, `window.pwned !== undefined`); pwned {
		t.Fatal("the article's HTML ran in the widget")
	}

	// The trainer raises the bar: the next question is handed off for low confidence although
	// search finds its article.
	if code := in.call(t, "PUT", "/api/v1/settings", `{"target_precision":0.99}`, nil); code != 200 {
		t.Fatalf("PUT settings = %d", code)
	}
	eval[bool](t, customer, fmt.Sprintf(jsSend, "how long until someone replies to my complaint"))
	within(t, customer, 15*time.Second, chromedp.Poll[chromedp.Void](jsOwner+` === 'waiting'`))
	// The agent accepts: the composer holds the bot's unsure draft, with its source linked; the
	// transcript shows the earlier list answer as a list.
	within(t, agent, 15*time.Second,
		chromedp.Poll[chromedp.Void](fmt.Sprintf(jsQueueItem, convID)),
		chromedp.Click(fmt.Sprintf(`#queue li[data-conv="%s"] button.accept`, convID)),
		chromedp.Poll[chromedp.Void](jsDraftReady),
		chromedp.Poll[chromedp.Void](`document.querySelector('#draft-sources a[href*="/kb/en-complaints-complaint-response-time"]')`))
	var detail consoleDetail
	pageFetch(t, agent, "GET", "/api/console/conversations/"+convID, "", &detail)
	if detail.Handoff == nil || detail.Handoff.Reason != "low_confidence" {
		t.Fatalf("handoff %+v, want a low-confidence handoff", detail.Handoff)
	}
	draft := eval[string](t, agent, `document.getElementById('composer').value`)
	label := eval[string](t, agent, `document.getElementById('draft-label').textContent`)
	if !strings.Contains(draft, "complaint") || !strings.HasPrefix(label, "Unsure draft · confidence") {
		t.Fatalf("composer %q, label %q: want the complaint article's answer as an unsure draft", draft, label)
	}
	if n := eval[int](t, agent, `document.querySelectorAll('#transcript .msg.bot .text ul li').length`); n != 5+3 {
		t.Errorf("the transcript shows %d list items in bot answers, want 8", n)
	}
	if n := eval[int](t, agent, `document.querySelectorAll('#transcript .msg img, #transcript .msg script').length`); n != 0 {
		t.Errorf("the article's HTML became %d elements in the console", n)
	}
	shot(t, agent, "console-draft-desktop.png")
	within(t, agent, 10*time.Second, chromedp.EmulateViewport(390, 844), chromedp.Poll[chromedp.Void](jsDraftReady))
	shot(t, agent, "console-draft-phone.png")
}

// importMarkdown uploads one Markdown file through the knowledge API (search has it at once).
func importMarkdown(t *testing.T, in *instance, name, text string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", name)
	part.Write([]byte(text))
	w.Close()
	req, _ := http.NewRequest("POST", in.base+"/api/v1/kb/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+in.key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(out), `"documents":1`) {
		t.Fatalf("import %s: %d %s", name, res.StatusCode, out)
	}
}
