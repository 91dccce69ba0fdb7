package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tandem/llm"
	"tandem/llm/llmtest"
)

// browser starts Debian's headless Chromium; with CI=true a missing browser fails the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not found; run scripts/install-chromium")
		}
		t.Skip("chromium not installed (scripts/install-chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// window opens another browser window of ctx's browser with its own cookies and storage, like
// an incognito window: another person on another machine.
func window(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	w, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(w); err != nil { // opens the tab, bound to this context (not to a timeout)
		t.Fatalf("open a browser window: %v", err)
	}
	return w
}

// jsWidgetLive: the widget is open with its session and live socket up.
const jsWidgetLive = `window.TandemWidget.state.ws && window.TandemWidget.state.ws.readyState === 1`

// openWidget opens the demo page at page (e.g. "/demo/"), opens the chat and waits for its socket;
// it returns the widget's conversation id.
func openWidget(t *testing.T, ctx context.Context, base, page string, extra ...chromedp.Action[chromedp.Void]) string {
	t.Helper()
	actions := append(extra, chromedp.Navigate(base+page),
		chromedp.Poll[chromedp.Void](`window.TandemWidget && `+jsRoot+` && `+jsRoot+`.querySelector('.tw-launcher')`),
		chromedp.Evaluate[chromedp.Void](`window.TandemWidget.open()`),
		chromedp.Poll[chromedp.Void](jsWidgetLive))
	within(t, ctx, 20*time.Second, actions...)
	return eval[string](t, ctx, jsConvID)
}

// within runs the actions with a deadline, failing the test on error.
func within(t *testing.T, ctx context.Context, d time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if err := chromedp.Do(tctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// widgetJS evaluates an expression inside the page and returns its value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

const (
	jsRoot = `window.TandemWidget.root`
	// jsSend types into the widget's input and presses its send button, as a person would.
	jsSend = `(() => { const r = ` + jsRoot + `; const i = r.querySelector('.tw-input'); i.focus(); i.value = %q;
		i.dispatchEvent(new Event('input', {bubbles: true})); r.querySelector('.tw-send').click(); return true })()`
	// jsBotSource waits for a bot message citing a source whose link contains the text.
	jsBotSource = `[...` + jsRoot + `.querySelectorAll('.tw-msg[data-author="bot"] .tw-sources a')].some(a => a.href.includes(%q))`
	jsCount     = jsRoot + `.querySelectorAll('.tw-msg').length`
	// jsNewestInView: the message list is scrolled to its end, so the newest message shows.
	jsNewestInView = `(() => { const l = ` + jsRoot + `.querySelector('.tw-messages'); return l.scrollHeight - l.scrollTop - l.clientHeight < 4 })()`
	jsConvID       = `(() => { const t = localStorage.getItem('tandem.visitor'); const p = t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
		return JSON.parse(atob(p)).cid })()`
)

func TestWidgetInBrowser(t *testing.T) {
	ctx := browser(t)
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	within(t, ctx, 30*time.Second,
		chromedp.EmulateViewport(390, 844), // a phone
		chromedp.Navigate(in.base+"/demo/"),
		chromedp.Poll[chromedp.Void](`window.TandemWidget && `+jsRoot+` && `+jsRoot+`.querySelector('.tw-launcher')`),
	)
	within(t, ctx, 10*time.Second, chromedp.Evaluate[chromedp.Void](jsRoot+`.querySelector('.tw-launcher').click()`),
		chromedp.Poll[chromedp.Void](`!`+jsRoot+`.querySelector('.tw-panel').hidden`))

	// A new visitor is greeted, with suggested questions, once the session is known; one tap asks one.
	within(t, ctx, 10*time.Second, chromedp.Poll[chromedp.Void](jsRoot+`.querySelector('.tw-greeting') !== null`))
	if g := eval[string](t, ctx, jsRoot+`.querySelector('.tw-greeting') ? `+jsRoot+`.querySelector('.tw-greeting').textContent : ''`); !strings.Contains(g, "person") {
		t.Fatalf("greeting = %q, want one that says a person is available", g)
	}
	within(t, ctx, 15*time.Second,
		chromedp.Evaluate[chromedp.Void](`[...`+jsRoot+`.querySelectorAll('.tw-suggest button')].find(b => b.textContent === 'How do I file a claim?').click()`),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(jsBotSource, "/kb/en-claims")))
	if n := eval[int](t, ctx, jsRoot+`.querySelectorAll('.tw-suggest').length`); n != 0 {
		t.Fatalf("suggestions still shown after the first question")
	}
	ask := func(text, source string) {
		t.Helper()
		eval[bool](t, ctx, fmt.Sprintf(jsSend, text))
		within(t, ctx, 15*time.Second, chromedp.Poll[chromedp.Void](fmt.Sprintf(jsBotSource, source)))
	}
	ask("如何报案？", "/kb/zh-claims")
	shot(t, ctx, "widget-phone.png")

	eval[bool](t, ctx, fmt.Sprintf(jsSend, "转人工"))
	within(t, ctx, 15*time.Second, chromedp.Poll[chromedp.Void](jsRoot+`.querySelector('.tw-panel').dataset.owner === 'waiting'`))
	// The server agrees (the agent console's view; the app API key sees only app conversations).
	var queue struct{ Conversations []struct{ ID, Owner string } }
	deskAgent(t, in.base).do(t, "GET", "/api/console/conversations?view=queue", "", &queue)
	if id := eval[string](t, ctx, jsConvID); len(queue.Conversations) != 1 || queue.Conversations[0].ID != id || queue.Conversations[0].Owner != "waiting" {
		t.Fatalf("the console's queue = %+v, want the widget's conversation %s waiting", queue.Conversations, id)
	}
	n := eval[int](t, ctx, jsCount)
	if n != 6 {
		t.Fatalf("widget shows %d messages, want 6 (3 questions, 3 replies)", n)
	}
	// The waiting banner shrinks the list: the newest message must stay in view.
	within(t, ctx, 5*time.Second, chromedp.Poll[chromedp.Void](jsNewestInView))
	shot(t, ctx, "widget-handoff-phone.png")

	// History survives a reload.
	within(t, ctx, 30*time.Second, chromedp.Reload(),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`window.TandemWidget && %s.querySelectorAll('.tw-msg').length === %d`, jsRoot, n)))
	if got := eval[string](t, ctx, jsRoot+`.querySelector('.tw-panel').dataset.owner`); got != "waiting" {
		t.Fatalf("after reload owner = %q", got)
	}
	within(t, ctx, 10*time.Second, chromedp.EmulateViewport(1280, 800),
		chromedp.Evaluate[chromedp.Void](`window.TandemWidget.open()`),
		chromedp.Poll[chromedp.Void](jsNewestInView))
	shot(t, ctx, "widget-handoff-desktop.png")
}

// shot saves a screenshot when TANDEM_SCREENSHOTS names a directory.
func shot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("TANDEM_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, name), png, 0o644)
}

func TestTrainerInBrowser(t *testing.T) {
	ctx := browser(t)
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	files := t.TempDir()
	good := filepath.Join(files, "pets.md")
	os.WriteFile(good, []byte("# Pet insurance\n\nWe cover cats and dogs up to 10 years old.\n\n## Vet bills\n\nVet bills are paid up to 8,000 CNY a year.\n"), 0o644)
	bad := filepath.Join(files, "faq.csv")
	os.WriteFile(bad, []byte("question,reply\nq,a\n"), 0o644)
	rows := `document.querySelectorAll('#doc-table tbody tr').length`

	// A wrong key shows the sign-in form; the demo key opens the console.
	within(t, ctx, 30*time.Second, chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(in.base+"/trainer/#key=wrong"),
		chromedp.Poll[chromedp.Void](`!document.getElementById('key-form').hidden`),
		chromedp.SendKeys(`#key-input`, in.key), chromedp.Click(`#key-form button`),
		chromedp.Poll[chromedp.Void](rows+` >= 40`))
	if h := eval[string](t, ctx, `location.hash`); h != "" {
		t.Fatalf("the key stays in the address bar: %q", h)
	}

	// Browse a document's chunks.
	within(t, ctx, 10*time.Second, chromedp.Click(`#doc-table tbody tr[data-id="en-claims-file-a-claim"]`),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#chunk-panel .chunk').length >= 1 && !document.getElementById('chunk-panel').hidden`))
	shot(t, ctx, "trainer-documents.png")

	// Upload a good and a bad file: one report line each, the good one lands.
	within(t, ctx, 20*time.Second, chromedp.Click(`#tab-import`),
		chromedp.SetUploadFiles(`#file-input`, []string{good, bad}),
		chromedp.Click(`#upload-btn`),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#import-report tbody tr').length === 2`))
	if ok := eval[string](t, ctx, `[...document.querySelectorAll('#import-report tbody tr')].map(r => r.dataset.ok).join()`); ok != "true,false" {
		t.Fatalf("report rows ok = %s", ok)
	}
	if msg := eval[string](t, ctx, `document.querySelector('#import-report tbody tr[data-ok=false]').textContent`); !strings.Contains(msg, `missing the "answer" column`) {
		t.Fatalf("bad file's report: %s", msg)
	}
	shot(t, ctx, "trainer-import.png")

	// The playground shows each leg's scores; the new document is searchable at once.
	within(t, ctx, 20*time.Second, chromedp.Click(`#tab-search`),
		chromedp.SendKeys(`#search-input`, "are vet bills paid"), chromedp.Click(`#search-btn`),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#search-results tbody tr').length > 0`))
	first := eval[string](t, ctx, `document.querySelector('#search-results tbody tr').textContent`)
	lex := eval[string](t, ctx, `document.querySelector('#search-results tbody tr .lexical').textContent`)
	if !strings.Contains(first, "Pet insurance") || !strings.HasPrefix(lex, "#1 · ") {
		t.Fatalf("first result %q, lexical %q", first, lex)
	}
	within(t, ctx, 20*time.Second, chromedp.Evaluate[chromedp.Void](`document.getElementById('search-input').value = '如何报案'`),
		chromedp.Click(`#search-btn`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#search-results tbody tr a') && document.querySelector('#search-results tbody tr a').href.includes('/kb/zh-claims')`))
	shot(t, ctx, "trainer-search.png")

	// Intents: the demo's seven (three canned or handoff, four that run actions) are listed; a new one is saved, the bot is retrained, and the try box uses it.
	within(t, ctx, 20*time.Second, chromedp.Click(`#tab-intents`),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#intent-table tbody tr').length === 7`),
		chromedp.SendKeys(`#intent-try`, "I want to complain about my claim"), chromedp.Click(`#intent-try-form button`),
		chromedp.Poll[chromedp.Void](`document.getElementById('intent-try-result').textContent.includes('complaint (handoff)')`),
		chromedp.Click(`#intent-new`),
		chromedp.SendKeys(`#intent-name`, "refund_demand"),
		chromedp.Evaluate[chromedp.Void](`(() => { const a = document.getElementById('intent-action'); a.value = 'handoff'; a.dispatchEvent(new Event('change')); })()`),
		chromedp.SendKeys(`#intent-team`, "billing"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('intent-examples').value = "I want my money back\nrefund my premium now\ngive me a refund\n我要退款\n退钱"`),
		chromedp.Click(`#intent-save`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#intent-table tbody tr[data-name="refund_demand"]') !== null`),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('intent-try').value = 'I want my money back'`),
		chromedp.Click(`#intent-try-form button`),
		chromedp.Poll[chromedp.Void](`document.getElementById('intent-try-result').textContent.includes('refund_demand')`),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('target-input').value = '0.9'`),
		chromedp.Click(`#target-save`),
		chromedp.Poll[chromedp.Void](`document.getElementById('target-note').textContent.includes('0.9')`))
	var set struct {
		TargetPrecision float64 `json:"target_precision"`
	}
	if in.call(t, "GET", "/api/v1/settings", "", &set); set.TargetPrecision != 0.9 {
		t.Fatalf("target precision after the console saved it: %v", set.TargetPrecision)
	}
	shot(t, ctx, "trainer-intents.png")
}

// TestLLMAnswersInBrowser: with an OpenAI-compatible model (the fake server) the answer streams
// into the widget and cites its source; an answer the sources do not support is refused and
// handed off; a model that hangs or fails still leaves the customer with an answer within 5 s.
func TestLLMAnswersInBrowser(t *testing.T) {
	fake := llmtest.New()
	t.Cleanup(fake.Close)
	long := strings.Repeat("You can file a claim in the app, on the website or by phone, day and night. ", 6)
	fake.SetChat(func(r llmtest.ChatRequest) llmtest.Script {
		if strings.Contains(r.Text(), "spaceship") {
			return llmtest.Script{Text: llm.NoAnswer}
		}
		return llmtest.Script{Text: long + "[1]"}
	})
	env := demoEnv(t, t.TempDir())
	env["TANDEM_LLM_BASE_URL"], env["TANDEM_LLM_MODEL"], env["TANDEM_LLM_API_KEY"] = fake.BaseURL(), "fake-model", "sk-test"
	env["TANDEM_OUTBOUND_ALLOW"] = allowed(fake.BaseURL())
	in := start(t, env, "demo")
	ctx := browser(t)
	within(t, ctx, 30*time.Second,
		chromedp.Navigate(in.base+"/demo/"),
		chromedp.Poll[chromedp.Void](`window.TandemWidget && `+jsRoot+` && `+jsRoot+`.querySelector('.tw-launcher')`),
		chromedp.Evaluate[chromedp.Void](`window.TandemWidget.open(); window.sawStreaming = false;
			new MutationObserver(() => { if (`+jsRoot+`.querySelector('.tw-msg[data-streaming]')) window.sawStreaming = true })
				.observe(`+jsRoot+`, {subtree: true, childList: true, characterData: true})`),
		chromedp.Poll[chromedp.Void](`window.TandemWidget.state.ws && window.TandemWidget.state.ws.readyState === 1`))
	eval[bool](t, ctx, fmt.Sprintf(jsSend, "How do I file a claim?"))
	within(t, ctx, 15*time.Second, chromedp.Poll[chromedp.Void](fmt.Sprintf(jsBotSource, "/kb/en-claims")))
	if !eval[bool](t, ctx, `window.sawStreaming`) {
		t.Fatal("the answer did not stream into the widget")
	}
	got := eval[string](t, ctx, `[...`+jsRoot+`.querySelectorAll('.tw-msg[data-author="bot"] .tw-text')].pop().textContent`)
	if got != strings.TrimSpace(long) || eval[int](t, ctx, jsRoot+`.querySelectorAll('.tw-msg[data-streaming]').length`) != 0 {
		t.Fatalf("final answer %q (citation markers removed, partial bubble gone)", got)
	}

	// A question the sources do not support: refused, handed off.
	eval[bool](t, ctx, fmt.Sprintf(jsSend, "Can I insure my spaceship against claims?"))
	within(t, ctx, 15*time.Second, chromedp.Poll[chromedp.Void](jsRoot+`.querySelector('.tw-panel').dataset.owner === 'waiting'`))

	// The model hangs, then fails: the answer is extractive, within 5 s each time.
	for _, sc := range []llmtest.Script{{Delay: 30 * time.Second}, {Status: 500}} {
		fake.SetChat(func(llmtest.ChatRequest) llmtest.Script { return sc })
		var conv apiConversation
		in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"llm-down"}}`, &conv)
		var tr turn
		start := time.Now()
		in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":"How do I file a claim?"}`, &tr)
		if took := time.Since(start); took > 5*time.Second || len(tr.Replies) != 1 || tr.Replies[0].Decision != "answer" ||
			!strings.Contains(tr.Replies[0].Text, "400-800-1234") {
			t.Fatalf("model %+v: reply %+v after %s", sc, tr.Replies, took)
		}
	}
}
