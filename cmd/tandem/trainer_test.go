package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tandem/evals"
	"tandem/llm/llmtest"
)

// trainerLogin signs the demo trainer in to the trainer API.
func trainerLogin(t *testing.T, base string) *deskClient {
	t.Helper()
	return signIn(t, base, "/api/trainer/login", "trainer", demoTrainerPassword)
}

// runCLI runs a tandem command against the instance's data and returns its exit code and output.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	var out, errs bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errs)
	return code, out.String() + errs.String()
}

// TestTrainerLoop is the eval loop end to end: a conversation is handed off, the agent answers
// and edits the bot's draft, the candidates appear in the review queue, the trainer accepts the
// handoff into an eval set, and `tandem eval run --fail-on-regression` fails on the
// configuration that gets it wrong and passes once the trainer adds the missing knowledge.
func TestTrainerLoop(t *testing.T) {
	dir := t.TempDir()
	env := demoEnv(t, dir)
	in := start(t, env, "demo")
	agent := deskAgent(t, in.base)
	const question = "Is hail damage to my greenhouse covered?"
	const answer = "Yes. Hail damage to a greenhouse on your property is covered by home insurance as storm damage."

	var conv apiConversation
	in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"gardener","name":"Gus"}}`, &conv)
	var tr turn
	in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":"`+question+`"}`, &tr)
	if len(tr.Replies) != 1 || tr.Replies[0].Decision != "handoff" {
		t.Fatalf("the bot should not know this yet: %+v", tr.Replies)
	}
	if code := agent.do(t, "POST", "/api/console/conversations/"+conv.ID+"/accept", "", nil); code != 200 {
		t.Fatalf("accept = %d", code)
	}
	in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":"How do I file a claim for it?"}`, nil)
	var detail struct{ Draft *struct{ ID int64 } }
	for deadline := time.Now().Add(10 * time.Second); detail.Draft == nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no draft")
		}
		agent.do(t, "GET", "/api/console/conversations/"+conv.ID, "", &detail)
	}
	agent.do(t, "POST", "/api/console/conversations/"+conv.ID+"/messages", `{"text":"`+answer+`"}`, nil)
	agent.do(t, "POST", "/api/console/conversations/"+conv.ID+"/messages",
		fmt.Sprintf(`{"text":"To claim, call 400-800-1234 or use the app.","draft_id":%d}`, detail.Draft.ID), nil)

	// The review queue has the handoff (with the agent's answer) and the edited draft.
	trainer := trainerLogin(t, in.base)
	var queue struct {
		Items []struct {
			ID             int64
			Reason, Text   string
			Answer         string
			ConversationID string `json:"conversation_id"`
		}
	}
	trainer.do(t, "GET", "/api/trainer/review", "", &queue)
	var handoffID int64
	reasons := map[string]bool{}
	for _, it := range queue.Items {
		if it.ConversationID == conv.ID {
			reasons[it.Reason] = true
			if it.Reason == "handoff" && it.Text == question && it.Answer == answer {
				handoffID = it.ID
			}
		}
	}
	if handoffID == 0 || !reasons["edited"] {
		t.Fatalf("review queue %+v: want the handoff with the agent's answer and the edited draft", queue.Items)
	}
	if code := agent.do(t, "GET", "/api/trainer/review", "", nil); code != 403 {
		t.Fatalf("an agent on the trainer API = %d, want 403", code)
	}
	var accepted struct{ Cases int }
	body := fmt.Sprintf(`{"set":"greenhouse","items":[{"review_id":%d,"expected_decision":"answer"}]}`, handoffID)
	if code := trainer.do(t, "POST", "/api/trainer/review/accept", body, &accepted); code != 200 || accepted.Cases != 1 {
		t.Fatalf("accept = %d %+v", code, accepted)
	}

	var set struct {
		Cases []struct {
			Context []struct{ Author, Text string }
			Text    string
		}
	}
	trainer.do(t, "GET", "/api/trainer/sets/greenhouse", "", &set)
	if len(set.Cases) != 1 || set.Cases[0].Text != question {
		t.Fatalf("set = %+v", set)
	}
	// The configuration without the knowledge gets it wrong: the run fails.
	code, out := runCLI(t, env, "eval", "run", "--set", "greenhouse", "--fail-on-regression")
	if code == 0 || !strings.Contains(out, "1 of 1 cases fail") {
		t.Fatalf("eval run before the knowledge = %d:\n%s", code, out)
	}
	// The trainer adds the missing article: the same run passes.
	article := filepath.Join(dir, "greenhouse.md")
	os.WriteFile(article, []byte("# Is hail damage to a greenhouse covered?\n\n"+answer+"\n"), 0o644)
	if code, out := runCLI(t, env, "kb", "import", article); code != 0 {
		t.Fatalf("kb import = %d: %s", code, out)
	}
	code, out = runCLI(t, env, "eval", "run", "--set", "greenhouse", "--fail-on-regression", "--baseline", "latest", "--json")
	if code != 0 {
		t.Fatalf("eval run after the knowledge = %d:\n%s", code, out)
	}
	var res evals.RunSummary
	json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &res)
	if res.Metrics.Accuracy != 1 || res.Fixed != 1 || res.Regressions != 0 {
		t.Fatalf("after the knowledge: %+v", res)
	}
	// The trainer sees the runs and the report.
	var runs struct{ Runs []struct{ ID string } }
	trainer.do(t, "GET", "/api/trainer/runs?set=greenhouse", "", &runs)
	if len(runs.Runs) != 2 || runs.Runs[0].ID != res.Run {
		t.Fatalf("runs = %+v", runs)
	}
	html := trainer.raw(t, "GET", "/api/trainer/runs/"+res.Run+"/report")
	if strings.Count(html, "<svg") < 2 || !strings.Contains(html, "greenhouse") {
		t.Fatalf("report is not the run's HTML report: %.300s", html)
	}
	var greet apiConversation
	in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"greeter"}}`, &greet)
	in.call(t, "POST", "/api/v1/conversations/"+greet.ID+"/messages", `{"text":"hello"}`, nil)
	var an struct {
		Conversations int            `json:"conversations"`
		HandoffRate   float64        `json:"handoff_rate"`
		IntentMix     map[string]int `json:"intent_mix"`
	}
	if code := trainer.do(t, "GET", "/api/trainer/analytics", "", &an); code != 200 || an.Conversations < 2 || an.HandoffRate <= 0 || an.IntentMix["greeting"] != 1 {
		t.Fatalf("analytics = %d %+v", code, an)
	}
	// The handoff shows as a knowledge gap with the agent's answer as the article's draft.
	var gaps struct {
		Gaps []struct {
			Title     string
			Answers   []string
			ArticleID string `json:"article_id"`
		}
	}
	if code := trainer.do(t, "GET", "/api/trainer/gaps", "", &gaps); code != 200 || len(gaps.Gaps) != 1 || gaps.Gaps[0].Title != question ||
		len(gaps.Gaps[0].Answers) != 1 || gaps.Gaps[0].Answers[0] != answer {
		t.Fatalf("gaps = %d %+v", code, gaps)
	}
	// Confidence tracking counts the bot's turns and judges the rewritten draft as wrong.
	var conf struct {
		Weeks []struct {
			Turns, Judged int
			Observed      float64
		}
	}
	if code := trainer.do(t, "GET", "/api/trainer/confidence", "", &conf); code != 200 || len(conf.Weeks) != 1 ||
		conf.Weeks[0].Turns < 2 || conf.Weeks[0].Judged != 1 || conf.Weeks[0].Observed != 0 {
		t.Fatalf("confidence = %d %+v", code, conf)
	}
}

// TestIntentTuning: the trainer sees each intent's accuracy and confusions in the latest run,
// and previews an added example's effect on the set before saving it.
func TestIntentTuning(t *testing.T) {
	dir := t.TempDir()
	env := demoEnv(t, dir)
	in := start(t, env, "demo")
	cases := filepath.Join(dir, "greet.jsonl")
	os.WriteFile(cases, []byte(`{"text":"hello there","intent":"greeting"}
{"text":"yo yo wassup buddy","intent":"greeting"}
{"text":"thank you so much","intent":"thanks"}
{"text":"How do I file a claim?","intent":"oos"}
`), 0o644)
	for _, args := range [][]string{{"eval", "import", "--set", "greet", cases}, {"eval", "run", "--set", "greet"}} {
		if code, out := runCLI(t, env, args...); code != 0 {
			t.Fatalf("%v = %d: %s", args, code, out)
		}
	}
	trainer := trainerLogin(t, in.base)
	var stats struct {
		Run     string
		Intents []struct {
			Name     string
			Examples []string
			Cases    int
			Accuracy float64
		}
	}
	if code := trainer.do(t, "GET", "/api/trainer/intents?set=greet", "", &stats); code != 200 || stats.Run == "" {
		t.Fatalf("intent stats = %d %+v", code, stats)
	}
	var greeting []string
	for _, s := range stats.Intents {
		if s.Name == "greeting" {
			greeting = s.Examples
			if s.Cases != 2 {
				t.Fatalf("greeting stats %+v, want the set's 2 cases", s)
			}
		}
	}
	examples, _ := json.Marshal(append(greeting, "yo yo wassup buddy", "wassup", "yo buddy"))
	body := `{"set":"greet","intents":[{"name":"greeting","action":"answer","answer":"Hi! How can I help?","examples":` + string(examples) + `}]}`
	var preview struct {
		Before, After struct{ Cases int }
		Regressions   int
	}
	if code := trainer.do(t, "POST", "/api/trainer/intents/preview", body, &preview); code != 200 || preview.After.Cases != 4 || preview.Regressions != 0 {
		t.Fatalf("preview = %d %+v", code, preview)
	}
	var e apiError
	if code := trainer.do(t, "POST", "/api/trainer/intents/preview", `{"set":"greet","intents":[{"name":"x","action":"bogus","examples":["a"]}]}`, &e); code != 400 {
		t.Fatalf("bad proposal = %d %+v", code, e)
	}
}

// TestEvalJudge: with an LLM configured, an answer-only case is graded by the model's verdict
// (scripted here) rather than by word overlap.
func TestEvalJudge(t *testing.T) {
	fake := llmtest.New()
	t.Cleanup(fake.Close)
	var verdict atomic.Value
	verdict.Store("yes")
	fake.SetChat(func(r llmtest.ChatRequest) llmtest.Script {
		if strings.Contains(r.Text(), "<reference>") {
			return llmtest.Script{Text: verdict.Load().(string)}
		}
		return llmtest.Script{Text: "You can file a claim in the app, online or by phone. [1]"}
	})
	dir := t.TempDir()
	env := demoEnv(t, dir)
	env["TANDEM_LLM_BASE_URL"], env["TANDEM_LLM_MODEL"] = fake.BaseURL(), "judge-test"
	env["TANDEM_OUTBOUND_ALLOW"] = allowed(fake.BaseURL())
	start(t, env, "demo")
	cases := filepath.Join(dir, "claims.jsonl")
	os.WriteFile(cases, []byte(`{"id":"c1","text":"How do I file a claim?","expected_answer":"Completely different words entirely."}`+"\n"), 0o644)
	if code, out := runCLI(t, env, "eval", "import", "--set", "claims", cases); code != 0 {
		t.Fatal(out)
	}
	for _, v := range []struct {
		verdict string
		code    int
	}{{"yes", 0}, {"no", 1}} {
		verdict.Store(v.verdict)
		if code, out := runCLI(t, env, "eval", "run", "--set", "claims", "--fail-on-regression"); code != v.code {
			t.Fatalf("judge says %s: exit %d, want %d:\n%s", v.verdict, code, v.code, out)
		}
	}
}

// TestExportsMaskPersonalData: exported eval sets do not carry customers' e-mails, phone, card or
// ID numbers.
func TestExportsMaskPersonalData(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"TANDEM_DATA_DIR": dir, "TANDEM_LOG_LEVEL": "warn"}
	f := filepath.Join(dir, "pii.jsonl")
	os.WriteFile(f, []byte(`{"id":"p1","text":"I am ann@example.com, card 4242 4242 4242 4242, phone 13800138000","expected_answer":"We wrote to ann@example.com"}`+"\n"), 0o644)
	if code, out := runCLI(t, env, "eval", "import", "--set", "pii", f); code != 0 {
		t.Fatal(out)
	}
	code, out := runCLI(t, env, "eval", "export", "--set", "pii")
	if code != 0 || strings.Contains(out, "ann@example.com") || strings.Contains(out, "4242 4242") || strings.Contains(out, "13800138000") ||
		!strings.Contains(out, "[card ••••4242]") {
		t.Fatalf("export = %d: %s", code, out)
	}
}

// TestRequestedHandoffReview: "talk to a person" is handed off; the agent then answers the
// customer's next, different question. The review candidate says why the bot handed off and
// carries no answer; accepted with the defaults it expects a handoff (what should have happened
// for that message), and it is no knowledge gap.
func TestRequestedHandoffReview(t *testing.T) {
	env := demoEnv(t, t.TempDir())
	in := start(t, env, "demo")
	agent := deskAgent(t, in.base)
	var conv apiConversation
	in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"rh","name":"Rae"}}`, &conv)
	in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":"talk to a person"}`, nil)
	if code := agent.do(t, "POST", "/api/console/conversations/"+conv.ID+"/accept", "", nil); code != 200 {
		t.Fatalf("accept = %d", code)
	}
	in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":"is my greenhouse covered for hail?"}`, nil)
	agent.do(t, "POST", "/api/console/conversations/"+conv.ID+"/messages", `{"text":"Yes, as storm damage."}`, nil)

	trainer := trainerLogin(t, in.base)
	var queue struct {
		Items []struct {
			ID                   int64
			Reason, Text, Answer string
			HandoffReason        string `json:"handoff_reason"`
		}
	}
	trainer.do(t, "GET", "/api/trainer/review", "", &queue)
	var id int64
	for _, it := range queue.Items {
		if it.Reason == "handoff" && it.Text == "talk to a person" {
			if it.Answer != "" || it.HandoffReason != "customer_request" {
				t.Fatalf("candidate %+v: want reason customer_request and no answer (the agent answered another question)", it)
			}
			id = it.ID
		}
	}
	if id == 0 {
		t.Fatalf("no handoff candidate in %+v", queue.Items)
	}
	if code := trainer.do(t, "POST", "/api/trainer/review/accept", fmt.Sprintf(`{"set":"requests","items":[{"review_id":%d}]}`, id), nil); code != 200 {
		t.Fatalf("accept with defaults = %d", code)
	}
	var set struct {
		Cases []struct {
			Text             string
			ExpectedDecision string `json:"expected_decision"`
			ExpectedAnswer   string `json:"expected_answer"`
		}
	}
	trainer.do(t, "GET", "/api/trainer/sets/requests", "", &set)
	if len(set.Cases) != 1 || set.Cases[0].ExpectedDecision != "handoff" || set.Cases[0].ExpectedAnswer != "" {
		t.Fatalf("case %+v: want a handoff expected and no answer", set.Cases)
	}
	if code, out := runCLI(t, env, "eval", "run", "--set", "requests", "--fail-on-regression"); code != 0 {
		t.Fatalf("the bot hands off as expected, yet the run fails:\n%s", out)
	}
	var gaps struct{ Gaps []struct{ Examples []string } }
	trainer.do(t, "GET", "/api/trainer/gaps", "", &gaps)
	for _, g := range gaps.Gaps {
		for _, e := range g.Examples {
			if e == "talk to a person" {
				t.Fatalf("a requested handoff is listed as a knowledge gap: %+v", g)
			}
		}
	}
}
