package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tandem/evals"
)

// Floors of the demo's natural-question set (demo/evals/answers.jsonl: 192 questions about the
// 24 demo articles in English and Chinese, 36 out of scope), a little below what the code
// achieves: answered right 0.281 (en 0.323, zh 0.240) when the eval landed, 0.656 (en 0.625,
// zh 0.688) with phrasings, synonyms and the deployment's own calibrator, 0.906 (en 0.875, zh
// 0.938) with the threshold from the calibration curve, unseen words and off-topic questions in
// the fit (answered wrong 0.005, out-of-scope answered 0.083), and 0.906 (en 0.917, zh 0.896) with
// six more customer phrasings per article and the default target 0.85 (answered wrong 0,
// out-of-scope answered 0.056), and 0.901 (en 0.906, zh 0.896) with the demo synonyms cleaned
// of question frames and a question naming another organisation capped (answered wrong 0,
// out-of-scope answered 0.028). They are raised as answer quality improves (issue 15 aims at
// right ≥ 0.85, wrong ≤ 0.03 and out-of-scope answered ≤ 0.05 in each language); never lowered
// to make a change pass.
const (
	demoRightFloor       = 0.88
	demoRightFloorEN     = 0.89
	demoRightFloorZH     = 0.87
	demoWrongCeiling     = 0.02
	demoOOSAnsweredLimit = 0.05
)

type answersJSON struct {
	Report struct {
		Overall evals.AnswerTally   `json:"overall"`
		ByLang  []evals.AnswerTally `json:"by_lang"`
	} `json:"report"`
	Misses []struct {
		ID, Class, Decision, Reason string
		Expect                      *string
		Sources                     []string
	} `json:"misses"`
}

func runAnswers(t *testing.T, env map[string]string, args ...string) (answersJSON, string) {
	t.Helper()
	var out, errb bytes.Buffer
	args = append([]string{"eval", "answers", "--format", "json"}, args...)
	if code := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errb); code != 0 {
		t.Fatalf("tandem %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	var r answersJSON
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	return r, errb.String()
}

// TestEvalAnswersDemoFloor asks the demo's natural-question set through a real server on a
// SQLite file, as `make evals` does, and guards the floors above.
func TestEvalAnswersDemoFloor(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"TANDEM_DATA_DIR": dir, "TANDEM_LOG_LEVEL": "warn"}
	report := filepath.Join(dir, "answers.html")
	r, _ := runAnswers(t, env, "--report", report)
	o := r.Report.Overall
	if o.Questions != 228 || o.InScope != 192 || o.OOS != 36 || o.Errors != 0 {
		t.Fatalf("overall = %+v, want 228 questions (192 in scope, 36 out of scope) and no errors", o)
	}
	if o.Right+o.Wrong+o.Deferred != o.InScope || o.OOSHeld+o.OOSAnswered != o.OOS {
		t.Fatalf("overall = %+v: the classes do not add up", o)
	}
	t.Logf("answered right %.3f, wrong %.3f, deferred %.3f; out of scope answered %.3f", o.RightRate, o.WrongRate, o.DeferredRate, o.OOSAnsRate)
	if o.RightRate < demoRightFloor {
		t.Errorf("answered right %.3f, below the floor %.2f", o.RightRate, demoRightFloor)
	}
	if o.WrongRate > demoWrongCeiling {
		t.Errorf("answered wrong %.3f, above the ceiling %.2f", o.WrongRate, demoWrongCeiling)
	}
	if o.OOSAnsRate > demoOOSAnsweredLimit {
		t.Errorf("out of scope answered %.3f, above %.2f", o.OOSAnsRate, demoOOSAnsweredLimit)
	}
	floors := map[string]float64{"en": demoRightFloorEN, "zh": demoRightFloorZH}
	if len(r.Report.ByLang) != 2 {
		t.Fatalf("by language = %+v, want en and zh", r.Report.ByLang)
	}
	for _, l := range r.Report.ByLang {
		if l.InScope != 96 || l.OOS != 18 {
			t.Errorf("%s: %d in scope, %d out of scope; want 96 and 18", l.Lang, l.InScope, l.OOS)
		}
		if l.RightRate < floors[l.Lang] {
			t.Errorf("%s: answered right %.3f, below the floor %.2f", l.Lang, l.RightRate, floors[l.Lang])
		}
	}
	if n := o.Questions - o.Right - o.OOSHeld; len(r.Misses) != n {
		t.Errorf("%d misses listed, want %d", len(r.Misses), n)
	}
	page, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	for _, want := range []string{"Answers · 回答", `<td class="num">192</td>`} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if got, want := strings.Count(html, `<tr class="diff">`), len(r.Misses); got != want {
		t.Errorf("report lists %d misses, want %d", got, want)
	}
}

// TestEvalAnswersClassifies runs a small set over a three-passage knowledge file where each
// question lands in a different class, and checks the command's bad input errors.
func TestEvalAnswersClassifies(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"TANDEM_DATA_DIR": dir, "TANDEM_LOG_LEVEL": "warn"}
	md := filepath.Join(dir, "answers.md")
	r, _ := runAnswers(t, env, "--knowledge", "testdata/knowledge.jsonl", "--questions", "testdata/answers.jsonl", "--report", md)
	got := map[string]string{}
	for _, m := range r.Misses {
		got[m.ID] = m.Class
	}
	// "right" and "held" are not misses; the overall counts below place them.
	want := map[string]string{"wrong": "wrong", "deferred": "deferred", "answered": "oos_answered"}
	if len(got) != len(want) {
		t.Errorf("misses %+v, want exactly %v", r.Misses, want)
	}
	for id, class := range want {
		if got[id] != class {
			t.Errorf("%s: class %q, want %q", id, got[id], class)
		}
	}
	o := r.Report.Overall
	if o.Right != 1 || o.Wrong != 1 || o.Deferred != 1 || o.OOSHeld != 1 || o.OOSAnswered != 1 {
		t.Errorf("overall = %+v, want one of each class", o)
	}
	page, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "| wrong | 免赔额是什么意思 | k1 | k3 | answer |") {
		t.Errorf("Markdown report lacks the wrong answer's row:\n%s", page)
	}

	// --cold asks as soon as /readyz is ready, without embedding first; every question still gets
	// a reply.
	if cold, _ := runAnswers(t, env, "--cold", "--knowledge", "testdata/knowledge.jsonl", "--questions", "testdata/answers.jsonl"); cold.Report.Overall.Questions != 5 || cold.Report.Overall.Errors != 0 {
		t.Errorf("--cold: %+v, want 5 questions and no errors", cold.Report.Overall)
	}

	bad := filepath.Join(dir, "bad.jsonl")
	for _, tt := range []struct {
		lines, want string
	}{
		{`{"id":"a","lang":"en","question":"how do i pay","expect":"k9"}`, `question a expects article "k9"`},
		{`{"id":"a","lang":"en","question":"how do i pay"}`, `line 1: no "expect"`},
		{`{"id":"a","lang":"fr","question":"comment payer","expect":null}`, `line 1: "lang" "fr"`},
		{`{"id":"a","lang":"en","question":"how do i pay","expect":""}`, `line 1: empty "expect"`},
		{`{"id":"a","lang":"en","question":" ","expect":null}`, `line 1: empty "question"`},
		{``, `no questions`},
		{"{\"id\":\"a\",\"lang\":\"en\",\"question\":\"x\",\"expect\":null}\n{\"id\":\"a\",\"lang\":\"en\",\"question\":\"y\",\"expect\":null}", `line 2: id "a" already used on line 1`},
	} {
		if err := os.WriteFile(bad, []byte(tt.lines), 0o600); err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"eval", "answers", "--knowledge", "testdata/knowledge.jsonl", "--questions", bad},
			func(k string) string { return env[k] }, &out, &errb)
		if code == 0 || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want an error with %q", tt.lines, code, errb.String(), tt.want)
		}
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"eval", "answers", "--knowledge", "testdata/knowledge.jsonl"},
		func(k string) string { return env[k] }, &out, &errb); code == 0 || !strings.Contains(errb.String(), "--questions is required") {
		t.Errorf("--knowledge without --questions: exit %d, %q", code, errb.String())
	}
}

// TestEvalAnswersSaved stores a run with --save in the configured store; the trainer console
// lists it and its report page leads with the answers table and lists the misses.
func TestEvalAnswersSaved(t *testing.T) {
	dir := t.TempDir()
	env := demoEnv(t, dir)
	r, _ := runAnswers(t, env, "--knowledge", "testdata/knowledge.jsonl", "--questions", "testdata/answers.jsonl", "--save", "answers-small")
	in := start(t, env, "demo")
	trainer := trainerLogin(t, in.base)
	var runs struct{ Runs []struct{ ID, Set string } }
	trainer.do(t, "GET", "/api/trainer/runs?set=answers-small", "", &runs)
	if len(runs.Runs) != 1 {
		t.Fatalf("runs = %+v, want the saved run", runs)
	}
	html := trainer.raw(t, "GET", "/api/trainer/runs/"+runs.Runs[0].ID+"/report")
	for _, want := range []string{"Answers eval " + runs.Runs[0].ID, "Answers · 回答", "免赔额越高保费越低吗", "customer_request"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if got := strings.Count(html, `<tr class="diff">`); got != len(r.Misses) {
		t.Errorf("report lists %d misses, want %d", got, len(r.Misses))
	}
}

// Floors on the hard set (demo/evals/answers_hard.jsonl), written from the articles alone with
// stories, typos and near-miss out-of-scope questions: answered right 0.699, wrong 7 of 166, out of
// scope answered 11 of 52 when they were set (0.645 right before typos were read). Raised as
// answers improve, never lowered to make a change pass.
const (
	hardRightFloor       = 0.68
	hardWrongCeiling     = 0.05
	hardOOSAnsweredLimit = 0.23
)

// TestEvalAnswersHardFloor: the bot answers the hard set at least as well as when its floors were
// set.
func TestEvalAnswersHardFloor(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"TANDEM_DATA_DIR": dir, "TANDEM_LOG_LEVEL": "warn"}
	r, _ := runAnswers(t, env, "--questions", "../../demo/evals/answers_hard.jsonl")
	o := r.Report.Overall
	if o.InScope != 166 || o.OOS != 52 || o.Errors != 0 {
		t.Fatalf("overall = %+v, want 166 in scope, 52 out of scope and no errors", o)
	}
	t.Logf("answered right %.3f, wrong %.3f, deferred %.3f; out of scope answered %.3f", o.RightRate, o.WrongRate, o.DeferredRate, o.OOSAnsRate)
	if o.RightRate < hardRightFloor || o.WrongRate > hardWrongCeiling || o.OOSAnsRate > hardOOSAnsweredLimit {
		t.Errorf("right %.3f (floor %.2f), wrong %.3f (ceiling %.2f), out of scope answered %.3f (limit %.2f)",
			o.RightRate, hardRightFloor, o.WrongRate, hardWrongCeiling, o.OOSAnsRate, hardOOSAnsweredLimit)
	}
}
