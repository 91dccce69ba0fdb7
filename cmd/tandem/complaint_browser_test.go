package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tandem/chat"
	"tandem/complaint"
	"tandem/sqlite"
)

// seedOverdueCase stores, before the server starts, a complaint received 16 days ago and never
// decided: past the default 15-day decision deadline.
func seedOverdueCase(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Add(-16 * 24 * time.Hour).Truncate(time.Microsecond)
	cu, err := st.UpsertCustomer(ctx, chat.Customer{ID: "cu-old", Channel: "web", ExternalID: "id:old", CreatedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateConversation(ctx, chat.Conversation{ID: "conv-old", CustomerID: cu.ID, Channel: "web", Owner: chat.OwnerClosed, Lang: "zh", CreatedAt: at, UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateCase(ctx, complaint.Case{ID: "case-old", CustomerID: cu.ID, Channel: "web", Lang: "zh", Conversations: []string{"conv-old"},
		Category: "general", Severity: "normal", Status: complaint.Investigating, ReceivedAt: at, DueAt: complaint.DefaultRule.Due(at, 0), UpdatedAt: at},
		"TS-", complaint.Step{Kind: complaint.StepOpened, To: complaint.Received, Actor: "bot", At: at})
	if err != nil {
		t.Fatal(err)
	}
	return c.Number
}

// TestComplaintInBrowser: a customer's "我要投诉" in the widget becomes a case whose number the
// customer sees; the agent finds it in the console's complaints list (an older case past its due
// date is highlighted, and raised as an alert to the webhook and the gauge), moves it through
// acknowledged, investigating, the decision and closing, and the customer is told each step in
// the widget; the complaints analytics show it.
func TestComplaintInBrowser(t *testing.T) {
	dir := t.TempDir()
	overdue := seedOverdueCase(t, dir)
	alerts := make(chan string, 16)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		alerts <- string(b)
	}))
	defer hook.Close()
	env := demoEnv(t, dir)
	env["TANDEM_ALERT_WEBHOOK"], env["TANDEM_OUTBOUND_ALLOW"] = hook.URL, allowed(hook.URL)
	in := start(t, env, "demo")

	// The overdue case raises the alert at start-up, with its number.
	select {
	case a := <-alerts:
		if !strings.Contains(a, `"complaints_overdue"`) || !strings.Contains(a, overdue) {
			t.Fatalf("alert = %s, want complaints_overdue naming %s", a, overdue)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no alert for the overdue complaint case")
	}

	agent := browser(t)
	customer, closeCustomer := chromedp.NewContext(agent, chromedp.WithNewBrowserContext())
	t.Cleanup(closeCustomer)
	if err := chromedp.Do(customer); err != nil {
		t.Fatalf("open the customer's browser context: %v", err)
	}
	within(t, agent, 20*time.Second, chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(in.base+"/console/"),
		chromedp.Poll[chromedp.Void](`!document.getElementById('login-form').hidden`),
		chromedp.SendKeys(`#login-user`, "agent"), chromedp.SendKeys(`#login-pass`, demoAgentPassword),
		chromedp.Click(`#login-submit`),
		chromedp.Poll[chromedp.Void](jsConsoleReady+` && !document.getElementById('complaints-open').hidden`))

	// The customer complains in the widget and is told the case number.
	within(t, customer, 20*time.Second,
		chromedp.Navigate(in.base+"/demo/?lang=zh"),
		chromedp.Poll[chromedp.Void](`window.TandemWidget && `+jsRoot+` && `+jsRoot+`.querySelector('.tw-launcher')`),
		chromedp.Evaluate[chromedp.Void](`window.TandemWidget.open()`),
		chromedp.Poll[chromedp.Void](`window.TandemWidget.state.ws && window.TandemWidget.state.ws.readyState === 1`))
	eval[bool](t, customer, fmt.Sprintf(jsSend, "我要投诉"))
	jsCaseTexts := `[...` + jsRoot + `.querySelectorAll('.tw-msg[data-author="system"] .tw-text')].map(e => e.textContent).filter(s => /TS-\d{8}-\d{4}/.test(s))`
	within(t, customer, 15*time.Second, chromedp.Poll[chromedp.Void](jsCaseTexts+`.length === 1`))
	first := eval[[]string](t, customer, jsCaseTexts)[0]
	number := regexp.MustCompile(`TS-\d{8}-\d{4}`).FindString(first)
	if number == "" || number == overdue || !strings.Contains(first, "投诉") {
		t.Fatalf("the customer was told %q; want a new case number in Chinese", first)
	}
	told := func(n int, want string) {
		t.Helper()
		within(t, customer, 10*time.Second, chromedp.Poll[chromedp.Void](fmt.Sprintf(`%s.length === %d`, jsCaseTexts, n)))
		if got := eval[[]string](t, customer, jsCaseTexts)[n-1]; !strings.Contains(got, number) || !strings.Contains(got, want) {
			t.Fatalf("step %d: the customer was told %q, want %q", n, got, want)
		}
	}

	// The agent opens the complaints list: due soonest first, the overdue case highlighted.
	within(t, agent, 10*time.Second, chromedp.Click(`#complaints-open`),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelector('#complaints-table tr[data-case=%q]')`, number)))
	rows := eval[[]string](t, agent, `[...document.querySelectorAll('#complaints-table tbody tr')].map(r => r.dataset.case + (r.classList.contains('breached') ? ' breached' : ''))`)
	if len(rows) != 2 || rows[0] != overdue+" breached" || rows[1] != number {
		t.Fatalf("complaints list = %q; want the overdue case first, highlighted, then %s", rows, number)
	}
	shot(t, agent, "console-complaints.png")

	// The agent moves the case through its steps on its page; the customer is told each one.
	within(t, agent, 10*time.Second,
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('#complaints-table tr[data-case=%q] button').click()`, number)),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.getElementById('case-number').textContent === %q`, number)))
	// stepTo writes the note and presses the step's button, as the agent would, and waits for
	// the case page to show the new status.
	stepTo := func(status, note string) {
		t.Helper()
		within(t, agent, 10*time.Second,
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById('case-note').value = %q`, note)),
			chromedp.Click(`#case-form button[data-step="`+status+`"]`),
			chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelector('#case-facts dd[data-field="fStatus"]').textContent === %q`, status)))
	}
	stepTo("acknowledged", "")
	told(2, "确认受理")
	stepTo("investigating", "")
	told(3, "调查")
	stepTo("resolved", "同意赔付全部车损，5个工作日内到账。")
	told(4, "同意赔付全部车损")
	if got := eval[[]string](t, customer, jsCaseTexts)[3]; !strings.Contains(got, "12378") {
		t.Fatalf("the decision %q does not tell the customer where to escalate", got)
	}
	within(t, agent, 10*time.Second,
		chromedp.SendKeys(`#case-resolution`, "已赔付。"),
		chromedp.SendKeys(`#case-cause`, "claims-delay"),
		chromedp.Click(`#case-close`),
		chromedp.Poll[chromedp.Void](`!document.querySelector('#complaints-table tr[data-case="`+number+`"]')`))
	told(5, "已办结")

	// The timeline has every step with its actor.
	var page struct {
		Case  complaint.Case   `json:"case"`
		Steps []complaint.Step `json:"steps"`
	}
	if code := pageFetch(t, agent, "GET", "/api/console/complaints/"+number, "", &page); code != 200 || page.Case.Status != complaint.Closed {
		t.Fatalf("case = %d %+v", code, page.Case)
	}
	var kinds []string
	for _, s := range page.Steps {
		kinds = append(kinds, s.Kind+":"+string(s.To)+":"+s.Actor)
	}
	if got := strings.Join(kinds, ","); got != "opened:received:bot,status:acknowledged:agent,status:investigating:agent,status:resolved:agent,status:closed:agent" {
		t.Fatalf("timeline = %s", got)
	}

	// The analytics panel: two received, one decided on time, one overdue, the root cause.
	within(t, agent, 10*time.Second, chromedp.Poll[chromedp.Void](`document.querySelector('#complaints-figures dd[data-figure="decided"]') && document.querySelector('#complaints-figures dd[data-figure="decided"]').textContent === '1'`))
	figures := eval[map[string]string](t, agent, `Object.fromEntries([...document.querySelectorAll('#complaints-figures dd')].map(d => [d.dataset.figure, d.textContent]))`)
	if figures["received"] != "2" || figures["onTime"] != "100 %" || figures["overdue"] != "1" || figures["reopen"] != "0 %" {
		t.Fatalf("figures = %v", figures)
	}
	causes := eval[[]string](t, agent, `[...document.querySelectorAll('#complaints-causes tbody tr')].map(r => r.textContent)`)
	if len(causes) != 1 || !strings.Contains(causes[0], "claims-delay") {
		t.Fatalf("root causes = %q", causes)
	}
	shot(t, agent, "console-complaint-case.png")

	// The gauge agrees.
	res, err := http.Get(in.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "tandem_complaints_overdue 1") {
		t.Fatalf("/metrics lacks tandem_complaints_overdue 1")
	}
}
