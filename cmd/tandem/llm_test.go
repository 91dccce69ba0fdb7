package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"tandem/llm/llmtest"
)

// TestGPT5MiniStreamsItsAnswer: with TANDEM_LLM_MODEL=gpt-5-mini (a reasoning model go-openai
// refuses max_tokens and temperature for) the model is called and its answer streams to the
// widget; a stream cut off by the token limit is never the answer (the extractive one is), and
// /readyz says the LLM is in use and why the last answer was not used.
func TestGPT5MiniStreamsItsAnswer(t *testing.T) {
	fake := llmtest.New()
	t.Cleanup(fake.Close)
	recorded := func(name string) string {
		b, err := os.ReadFile("../../llm/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	stream := recorded("openai_gpt5_stop.sse")
	fake.SetChat(func(llmtest.ChatRequest) llmtest.Script { return llmtest.Script{Raw: stream} })
	env := demoEnv(t, t.TempDir())
	env["TANDEM_LLM_BASE_URL"], env["TANDEM_LLM_MODEL"], env["TANDEM_LLM_API_KEY"] = fake.BaseURL(), "gpt-5-mini", "sk-test"
	env["TANDEM_OUTBOUND_ALLOW"] = allowed(fake.BaseURL())
	in := start(t, env, "demo")
	var s widgetSession
	if code := in.callKey(t, "", "POST", "/api/widget/session", `{"lang":"en"}`, &s); code != 200 {
		t.Fatalf("session = %d", code)
	}
	c := dialWidget(t, in, s.VisitorToken, "0")
	ask := func(q string) (apiMessage, []string) {
		t.Helper()
		done := make(chan turn, 1)
		go func() {
			var tr turn
			in.callKey(t, s.VisitorToken, "POST", "/api/widget/messages", `{"text":"`+q+`"}`, &tr)
			done <- tr
		}()
		var deltas []string
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_, data, err := c.Read(ctx)
			cancel()
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			var ev struct {
				Type    string      `json:"type"`
				Text    string      `json:"text"`
				Message *apiMessage `json:"message"`
			}
			json.Unmarshal(data, &ev)
			if ev.Type == "delta" {
				deltas = append(deltas, ev.Text)
			}
			if ev.Type == "message" && ev.Message.Author == "bot" {
				<-done
				return *ev.Message, deltas
			}
		}
	}
	reply, deltas := ask("How do I file a claim?")
	if fake.Chats() == 0 || reply.Text != "To file a claim, call 400-800-1234." || len(deltas) == 0 {
		t.Fatalf("%d model calls, reply %q, deltas %q: want the model's streamed answer", fake.Chats(), reply.Text, deltas)
	}
	if r := fake.LastChat(); r.MaxCompletionTokens == nil || r.MaxTokens != nil || r.Temperature != nil {
		t.Fatalf("request %+v", r)
	}

	cut := recorded("openai_length.sse")
	fake.SetChat(func(llmtest.ChatRequest) llmtest.Script { return llmtest.Script{Raw: cut} })
	reply, _ = ask("How do I file a claim?")
	if strings.Contains(reply.Text, "do not") || !strings.Contains(reply.Text, "400-800-1234") {
		t.Fatalf("reply %q: a length-truncated answer must give way to the extractive one", reply.Text)
	}
	var ready struct {
		Status string
		LLM    struct {
			Model        string `json:"model"`
			InUse        bool   `json:"in_use"`
			LastFallback string `json:"last_fallback"`
		} `json:"llm"`
	}
	if code := in.call(t, "GET", "/readyz", "", &ready); code != http.StatusOK || ready.LLM.Model != "gpt-5-mini" || !ready.LLM.InUse ||
		!strings.Contains(ready.LLM.LastFallback, "length") {
		t.Fatalf("/readyz = %d %+v", code, ready)
	}
	if !strings.Contains(in.errs.String()+in.out.String(), "llm answer not used") {
		t.Fatal("the cut-off answer was not logged")
	}
	// The server refuses the model: the customer still gets the extractive answer, the log has the
	// server's reason, and /readyz says the LLM is not in use and why.
	const why = "The model `gpt-5-mini` does not exist or you do not have access to it."
	fake.SetChat(func(llmtest.ChatRequest) llmtest.Script {
		return llmtest.Script{Status: http.StatusNotFound, Error: why}
	})
	if reply, _ = ask("What is a deductible?"); reply.Decision != "answer" || !strings.Contains(strings.ToLower(reply.Text), "deductible") {
		t.Fatalf("reply while the model is refused: %q", reply.Text)
	}
	var down struct {
		LLM struct {
			InUse  bool   `json:"in_use"`
			Reason string `json:"reason"`
		} `json:"llm"`
	}
	if code := in.call(t, "GET", "/readyz", "", &down); code != http.StatusOK || down.LLM.InUse || !strings.Contains(down.LLM.Reason, "does not exist") {
		t.Fatalf("/readyz while refused = %d %+v", code, down)
	}
	if !strings.Contains(in.errs.String(), "llm request refused") || !strings.Contains(in.errs.String(), "does not exist") {
		t.Fatalf("the refusal was not logged with its reason: %s", in.errs)
	}
}
