package main

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"tandem/llm/llmtest"
)

// demoSecret is the widget identity secret the action tests give the demo.
var demoSecret = strings.Repeat("s", 40)

// actionDemo starts the demo with a known identity secret.
func actionDemo(t *testing.T, extra map[string]string) *instance {
	t.Helper()
	env := demoEnv(t, t.TempDir())
	env["TANDEM_WIDGET_IDENTITY_SECRET"] = demoSecret
	for k, v := range extra {
		env[k] = v
	}
	return start(t, env, "demo")
}

// identityToken signs the site's identity token for a customer, as the demo site does.
func identityToken(t *testing.T, customer string, policies ...string) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": customer, "policies": policies,
		"exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(demoSecret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// widgetVisitor opens a widget session, signed in when identity is set.
func widgetVisitor(t *testing.T, in *instance, identity string) widgetSession {
	t.Helper()
	body := `{}`
	if identity != "" {
		body = `{"identity_token":"` + identity + `"}`
	}
	var s widgetSession
	if code := in.callKey(t, "", "POST", "/api/widget/session", body, &s); code != 200 {
		t.Fatalf("widget session = %d", code)
	}
	return s
}

// say sends a widget message and returns the bot's reply.
func say(t *testing.T, in *instance, s widgetSession, text string) apiMessage {
	t.Helper()
	var res turn
	if code := in.callKey(t, s.VisitorToken, "POST", "/api/widget/messages", `{"text":`+jsQuote(text)+`}`, &res); code != 201 || len(res.Replies) != 1 {
		t.Fatalf("message %q = %d, %d replies", text, code, len(res.Replies))
	}
	return res.Replies[0]
}

// TestDemoActions: on the demo's fake back-end, a signed-in customer gets their claim's status
// in English and Chinese, is asked for a missing claim number, gets the next premium and a policy
// document; an anonymous visitor is asked to sign in and nothing is called; another customer's
// claim is never read out.
func TestDemoActions(t *testing.T) {
	in := actionDemo(t, nil)
	ann := widgetVisitor(t, in, identityToken(t, "demo-ann"))
	for _, c := range []struct{ text, want string }{
		{"where is my claim CL20261104?", "Your claim CL20261104 is approved; the payment of HK$8,200 is scheduled for 9 December 2026"},
		{"我的理赔 CL20261104 进度如何？", "您的理赔 CL20261104：已批准，8,200 港元赔款预计于 2026 年 12 月 9 日支付"},
		{"when is my next premium due?", "Your next premium for policy HM-CAR-1001 is HK$1,280.00, due on 2026-12-15."},
		{"send me my policy document for HM-TRV-1002", "https://harbor-mutual.example/documents/HM-TRV-1002.pdf"},
	} {
		if r := say(t, in, ann, c.text); !strings.Contains(r.Text, c.want) || r.Decision != "answer" {
			t.Errorf("%q → %q (%s %s), want %q", c.text, r.Text, r.Decision, r.Reason, c.want)
		}
	}
	bo := widgetVisitor(t, in, identityToken(t, "demo-bo"))
	if r := say(t, in, bo, "what is the status of my claim"); r.Decision != "clarify" || !strings.Contains(r.Text, "claim number") {
		t.Fatalf("claim status without a number → %q (%s), want a question for it", r.Text, r.Decision)
	}
	if r := say(t, in, bo, "CL20269999"); !strings.Contains(r.Text, "Your claim CL20269999 is under assessment") {
		t.Errorf("the claim number answering the question → %q", r.Text)
	}

	// Another customer's claim: the back-end answers for any number; Tandem says nothing of it.
	r := say(t, in, ann, "where is my claim CL20269999?")
	if strings.Contains(r.Text, "assessment") || !strings.Contains(r.Text, "couldn't find CL20269999 on your account") {
		t.Errorf("another customer's claim → %q", r.Text)
	}

	anon := widgetVisitor(t, in, "")
	r = say(t, in, anon, "where is my claim CL20261104?")
	if r.Reason != "needs_identity" || !strings.Contains(r.Text, "sign in") || strings.Contains(r.Text, "approved") {
		t.Errorf("anonymous → %q (%s)", r.Text, r.Reason)
	}
	r = say(t, in, anon, "我的理赔 CL20261104 进度如何？")
	if r.Reason != "needs_identity" || !strings.Contains(r.Text, "登录") {
		t.Errorf("anonymous in Chinese → %q (%s)", r.Text, r.Reason)
	}
}

// TestEvalActionCases: the demo's action eval set runs in `tandem eval run`, each action called
// against the case's recorded back-end answers and scored on action, arguments and outcome
// (answered, asked, proposed, refused, failed), and passes with --fail-on-regression.
func TestEvalActionCases(t *testing.T) {
	env := demoEnv(t, t.TempDir())
	start(t, env, "demo").stop() // loads the demo's knowledge, intents and actions
	getenv := func(k string) string { return env[k] }
	var out, errb syncBuffer
	if code := run(context.Background(), []string{"eval", "import", "--set", "demo-actions", "../../demo/evals/actions.jsonl"}, getenv, &out, &errb); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errb.String())
	}
	out, errb = syncBuffer{}, syncBuffer{}
	code := run(context.Background(), []string{"eval", "run", "--set", "demo-actions", "--json", "--fail-on-regression"}, getenv, &out, &errb)
	var res struct {
		Metrics struct {
			Cases          int     `json:"cases"`
			Accuracy       float64 `json:"accuracy"`
			ActionAccuracy float64 `json:"action_accuracy"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		t.Fatalf("run output %q (%s): %v", out.String(), errb.String(), err)
	}
	if code != 0 || res.Metrics.Cases != 18 || res.Metrics.ActionAccuracy != 1 || res.Metrics.Accuracy != 1 {
		t.Fatalf("eval run: exit %d, metrics %+v (%s); want 18 cases, all right", code, res.Metrics, errb.String())
	}
}

// TestLLMChoosesActions: with a model configured, tool calling picks the action and its
// arguments from the definitions' descriptions — yet what the model asks for is checked before
// anything is sent: an unknown action and arguments breaking a parameter's rules are refused and
// the back-end never called; a valid choice still runs only for its verified owner.
func TestLLMChoosesActions(t *testing.T) {
	model := llmtest.New()
	t.Cleanup(model.Close)
	var tool atomic.Pointer[[2]string] // name and raw arguments the fake model will call
	model.SetChat(func(r llmtest.ChatRequest) llmtest.Script {
		if len(r.Tools) == 0 {
			return llmtest.Script{Text: "Here is what our help center says. [1]"}
		}
		if c := tool.Load(); c != nil {
			return llmtest.Script{Tool: c[0], Arguments: c[1]}
		}
		return llmtest.Script{Text: "none"}
	})
	in := actionDemo(t, map[string]string{"TANDEM_LLM_BASE_URL": model.BaseURL(), "TANDEM_LLM_MODEL": "fake-model", "TANDEM_LLM_API_KEY": "sk-test",
		"TANDEM_OUTBOUND_ALLOW": allowed(model.BaseURL())})
	admin := deskLogin(t, in.base, "admin", demoAdminPassword)
	// App-API customers are verified; each question is a conversation of its own.
	ask := func(customer, text string) apiMessage {
		t.Helper()
		var conv apiConversation
		in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"`+customer+`"}}`, &conv)
		var tr turn
		if code := in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":`+jsQuote(text)+`}`, &tr); code != 201 || len(tr.Replies) != 1 {
			t.Fatalf("post = %d %+v", code, tr)
		}
		return tr.Replies[0]
	}
	const question = "my car got hit last week, any news on that?" // no claim number: only the model names one
	for _, c := range [][2]string{
		{"delete_all_claims", `{}`},
		{"claim_status", `{"claim_number":"../../admin"}`},
		{"claim_status", `{"claim_number":"CL20261104","customer_id":"demo-bo"}`},
		{"claim_status", `not json`},
	} {
		tool.Store(&c)
		r := ask("demo-ann", question)
		if calls, _ := actionStats(t, admin, "claim_status"); calls != 0 || strings.Contains(r.Text, "approved") {
			t.Fatalf("the model's %s(%s) → %q with %d calls; want it refused and nothing sent", c[0], c[1], r.Text, calls)
		}
	}
	last := model.LastChat()
	var names []string
	for _, tl := range last.Tools {
		names = append(names, tl.Function.Name)
	}
	if len(names) != 4 || !strings.Contains(string(last.Tools[0].Function.Parameters), `"type":"object"`) {
		t.Errorf("tools offered = %v %s, want the demo's 4 actions with their parameters", names, last.Tools[0].Function.Parameters)
	}

	tool.Store(&[2]string{"claim_status", `{"claim_number":"CL20261104"}`})
	if r := ask("demo-ann", question); !strings.Contains(r.Text, "Your claim CL20261104 is approved") {
		t.Errorf("a valid choice → %q", r.Text)
	}
	if r := ask("demo-bo", question); strings.Contains(r.Text, "approved") || !strings.Contains(r.Text, "couldn't find CL20261104") {
		t.Errorf("the model choosing Ann's claim for Bo → %q", r.Text)
	}
}
