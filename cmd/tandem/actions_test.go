package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
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

// TestEvalActionCases: the demo's action eval set runs in `tandem eval run`, scoring the action
// each message would run and the arguments found, and passes with --fail-on-regression.
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
	if code != 0 || res.Metrics.Cases != 15 || res.Metrics.ActionAccuracy != 1 || res.Metrics.Accuracy != 1 {
		t.Fatalf("eval run: exit %d, metrics %+v (%s); want 15 cases, all right", code, res.Metrics, errb.String())
	}
}
