package evals

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tandem/chat"
)

func TestCheckExpected(t *testing.T) {
	k1 := "k1"
	k9 := "k9"
	docs := []chat.Document{{ID: "k1"}}
	if err := CheckExpected([]AnswerQuestion{{ID: "a", Expect: &k1}, {ID: "b"}}, docs); err != nil {
		t.Errorf("known article and out of scope: %v", err)
	}
	if err := CheckExpected([]AnswerQuestion{{ID: "c", Expect: &k9}}, docs); err == nil || !strings.Contains(err.Error(), `question c expects article "k9"`) {
		t.Errorf("unknown article: %v", err)
	}
}

// TestMisses: right answers and held out-of-scope questions are not misses; misleading answers
// come first, then errors, then deferrals.
func TestMisses(t *testing.T) {
	k1 := "k1"
	qs := []AnswerQuestion{{ID: "deferred", Expect: &k1}, {ID: "right", Expect: &k1}, {ID: "error", Expect: &k1}, {ID: "held"}, {ID: "wrong", Expect: &k1}, {ID: "answered"}}
	results := []Result{
		{Class: AnswerDeferred}, {Class: AnswerRight, Correct: true}, {Class: AnswerError, Outcome: Outcome{Err: "timeout"}},
		{Class: OOSHeld, Correct: true}, {Class: AnswerWrong}, {Class: OOSAnswered},
	}
	var ids []string
	for _, m := range Misses(qs, results) {
		ids = append(ids, m.ID)
	}
	if got, want := strings.Join(ids, ","), "wrong,answered,error,deferred"; got != want {
		t.Fatalf("misses %s, want %s", got, want)
	}
}

func TestAnswersMarkdown(t *testing.T) {
	k1 := "k1"
	s := AnswersSummary{Questions: "q.jsonl", Knowledge: "demo", Store: "sqlite", Target: 0.9,
		Report: AnswersReport{Overall: AnswerTally{InScope: 2, Right: 1, RightRate: 0.5}},
		Misses: []Miss{
			{ID: "a", Class: AnswerWrong, Question: "what | is\na deductible", Expect: &k1, Decision: "answer", Sources: []string{"k3"}, Intent: "pay", Confidence: 0.91},
			{ID: "b", Class: OOSAnswered, Question: "<b>hi</b>", Decision: "handoff", Reason: "low_confidence"},
			{ID: "c", Class: AnswerError, Question: "x", Expect: &k1, Error: "timeout"},
		}}
	var b strings.Builder
	s.WriteMarkdown(&b)
	for _, want := range []string{
		"| all | 2 | 0.500 (1) |",
		`| wrong | what \| is a deductible | k1 | k3, intent pay | answer | 0.91 |`,
		"| oos_answered | &lt;b&gt;hi&lt;/b&gt; | (out of scope) |  | handoff (low_confidence) |",
		"| error | x | k1 |  | error: timeout |",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, b.String())
		}
	}
	var table strings.Builder
	s.Run, s.Set = "run-1", "answers"
	s.WriteTable(&table)
	if !strings.Contains(table.String(), "stored as run run-1 of eval set answers") || !strings.Contains(table.String(), "0.500 (1)") {
		t.Errorf("table:\n%s", table.String())
	}
}

// appServer fakes the app API as the server speaks it: a conversation, then the bot's reply to a
// message; /readyz is ready from its second call.
func appServer(t *testing.T) *httptest.Server {
	var ready atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/readyz":
			if ready.Add(1) < 2 {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		case r.Header.Get("Authorization") != "Bearer tk_test":
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
		case r.URL.Path == "/api/v1/conversations":
			io.WriteString(w, `{"id":"c1"}`)
		case r.URL.Path == "/api/v1/conversations/c1/messages":
			var body struct{ Text string }
			json.NewDecoder(r.Body).Decode(&body)
			conf := 0.87
			json.NewEncoder(w).Encode(map[string]any{"message": chat.Message{Text: body.Text}, "replies": []chat.Message{{Author: chat.AuthorBot,
				Text: "A deductible is…", Decision: chat.DecisionAnswer, Confidence: &conf, Sources: []chat.Source{{ID: "k1"}}, Intent: ""}}})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestAppClient(t *testing.T) {
	ctx := context.Background()
	srv := appServer(t)
	c := &AppClient{Base: srv.URL, Key: "tk_test", HTTP: srv.Client()}
	if err := c.WaitReady(ctx, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	o, err := c.Ask(ctx, Case{ID: "q1", Lang: "en", Text: "what is a deductible"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Decision != string(chat.DecisionAnswer) || o.Confidence != 0.87 || len(o.Sources) != 1 || o.Sources[0] != "k1" || o.Text != "A deductible is…" {
		t.Errorf("outcome = %+v", o)
	}
	bad := &AppClient{Base: srv.URL, Key: "wrong", HTTP: srv.Client()}
	if _, err := bad.Ask(ctx, Case{ID: "q1"}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a wrong key: %v", err)
	}
	down := &AppClient{Base: "http://127.0.0.1:1", HTTP: &http.Client{Timeout: time.Second}}
	if err := down.WaitReady(ctx, 100*time.Millisecond); err == nil {
		t.Error("a server that never answers was ready")
	}
}
