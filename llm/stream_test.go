package llm_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"tandem/llm"
	"tandem/llm/llmtest"
)

// TestRecordedStreams replays streams recorded from OpenAI, vLLM, llama.cpp, Ollama and OpenRouter
// (testdata/README.md): only a stream that finished with "stop" becomes an answer, reasoning never
// reaches the customer, and every answer not used is logged with the server's reason.
func TestRecordedStreams(t *testing.T) {
	for _, tc := range []struct {
		file, model string
		want        string // the answer; "" means it must fail
		logged      string // what the log must say when it fails
	}{
		{"openai_length.sse", "gpt-4.1", "", "length"},
		{"openai_error.sse", "gpt-4.1", "", "The server had an error"},
		{"openai_gpt5_stop.sse", "gpt-5-mini", "To file a claim, call 400-800-1234.", ""},
		{"vllm_think.sse", "DeepSeek-R1-Distill-Qwen-1.5B", "Call 400-800-1234.", ""},
		{"vllm_error.sse", "Qwen/Qwen2.5-7B-Instruct", "", "Detokenizer error"},
		{"llamacpp_error.sse", "qwen", "", "exceeds the available context size"},
		{"llamacpp_think.sse", "qwen3", "Call 400-800-1234.", ""},
		{"ollama_reasoning.sse", "qwen3:4b", "Call 400-800-1234.", ""},
		{"ollama_length.sse", "qwen2.5-coder:7b-instruct-q8_0", "", "length"},
		{"deepseek_reasoning_content.sse", "DeepSeek-R1-Distill-Qwen-1.5B", "Call 400-800-1234.", ""},
		{"openrouter_error.sse", "openai/gpt-4o", "", "Provider disconnected unexpectedly"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			raw, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			srv := llmtest.New()
			defer srv.Close()
			srv.SetChat(func(llmtest.ChatRequest) llmtest.Script { return llmtest.Script{Raw: string(raw)} })
			var logs bytes.Buffer
			c := llm.NewChat(llm.ChatConfig{BaseURL: srv.BaseURL(), APIKey: "k", Model: tc.model,
				Log: slog.New(slog.NewTextHandler(&logs, nil))})
			var mu sync.Mutex
			var deltas []string
			a, err := c.Answer(context.Background(), "How do I file a claim?", sources, "en", func(s string) {
				mu.Lock()
				deltas = append(deltas, s)
				mu.Unlock()
			})
			for _, d := range deltas {
				if strings.Contains(d, "think") || strings.Contains(d, "Alright") || strings.Contains(d, "evil") || strings.Contains(d, "user wants") {
					t.Fatalf("reasoning streamed to the customer: %q", d)
				}
			}
			if tc.want == "" {
				if err == nil {
					t.Fatalf("an unfinished stream became the answer %+v", a)
				}
				if !strings.Contains(err.Error(), tc.logged) || !strings.Contains(logs.String(), tc.logged) ||
					!strings.Contains(logs.String(), "answering extractively") {
					t.Fatalf("err %v, log %s: want the reason %q", err, logs.String(), tc.logged)
				}
				if st := c.Status(); !st.InUse || !strings.Contains(st.Fallback, tc.logged) {
					t.Fatalf("status %+v", st)
				}
				return
			}
			if err != nil || a.Text != tc.want || len(a.Citations) != 1 || a.Unsafe {
				t.Fatalf("answer %+v, err %v, want %q", a, err, tc.want)
			}
			if len(deltas) == 0 || deltas[len(deltas)-1] != tc.want {
				t.Fatalf("deltas %q", deltas)
			}
		})
	}
}

// TestReasoningModelParameters: for OpenAI's reasoning families the request carries
// max_completion_tokens and no max_tokens, temperature or logprobs (go-openai v1.43 refuses those
// client-side, and OpenAI server-side); other models keep max_tokens and temperature.
func TestReasoningModelParameters(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	srv.SetChat(func(llmtest.ChatRequest) llmtest.Script { return llmtest.Script{Text: "Call 400-800-1234 [1]."} })
	for _, model := range []string{"gpt-5-mini", "o3-mini", "o4-mini", "o1", "openai/gpt-5"} {
		c := llm.NewChat(llm.ChatConfig{BaseURL: srv.BaseURL(), APIKey: "k", Model: model, LogProbs: true})
		before := srv.Chats()
		a, err := c.Answer(context.Background(), "How do I file a claim?", sources, "en", nil)
		r := srv.LastChat()
		if err != nil || srv.Chats() != before+1 || len(a.Citations) != 1 {
			t.Fatalf("%s: the model was not called or refused: %v (%d calls)", model, err, srv.Chats()-before)
		}
		if r.MaxCompletionTokens == nil || r.MaxTokens != nil || r.Temperature != nil || r.LogProbs {
			t.Fatalf("%s: request %+v", model, r)
		}
	}
	c := llm.NewChat(llm.ChatConfig{BaseURL: srv.BaseURL(), APIKey: "k", Model: "qwen2.5-7b-instruct", LogProbs: true})
	if _, err := c.Answer(context.Background(), "How do I file a claim?", sources, "en", nil); err != nil {
		t.Fatal(err)
	}
	if r := srv.LastChat(); r.MaxTokens == nil || r.Temperature == nil || r.MaxCompletionTokens != nil || !r.LogProbs {
		t.Fatalf("a local model's request %+v", r)
	}
}

// TestRefusedRequestShowsInStatus: a request the server refuses is logged with its reason, not
// retried, and the status says the LLM is not being used and why, until a call succeeds again.
func TestRefusedRequestShowsInStatus(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	const why = "The model `gpt-9` does not exist or you do not have access to it."
	srv.SetChat(func(llmtest.ChatRequest) llmtest.Script {
		return llmtest.Script{Status: http.StatusNotFound, Error: why}
	})
	var logs bytes.Buffer
	c := llm.NewChat(llm.ChatConfig{BaseURL: srv.BaseURL(), APIKey: "k", Model: "gpt-9", Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if st := c.Status(); !st.InUse {
		t.Fatalf("status before any call: %+v", st)
	}
	if _, err := c.Answer(context.Background(), "q", sources, "en", nil); err == nil {
		t.Fatal("no error")
	}
	if srv.Chats() != 1 {
		t.Fatalf("a refused request was sent %d times", srv.Chats())
	}
	st := c.Status()
	if st.InUse || !strings.Contains(st.Reason, why) || st.Since.IsZero() || st.Model != "gpt-9" {
		t.Fatalf("status %+v", st)
	}
	if !strings.Contains(logs.String(), "llm request refused") || !strings.Contains(logs.String(), "does not exist") {
		t.Fatalf("log %s", logs.String())
	}
	srv.SetChat(nil)
	if _, err := c.Answer(context.Background(), "q", sources, "en", nil); err != nil {
		t.Fatal(err)
	}
	if st := c.Status(); !st.InUse || st.Reason != "" {
		t.Fatalf("status after a success: %+v", st)
	}
}

// TestNonStreamingFinishReason: a reply cut off by the token limit (non-streamed) or withheld by a
// content filter (streamed) is not an answer; inline reasoning in a non-streamed reply is removed.
func TestNonStreamingFinishReason(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	srv.SetChat(func(llmtest.ChatRequest) llmtest.Script {
		return llmtest.Script{Text: "Call 400-800-1234 [1] and", Finish: "length"}
	})
	if _, err := newChat(srv, 0).Answer(context.Background(), "q", sources, "en", nil); err == nil || !strings.Contains(err.Error(), "length") {
		t.Fatalf("err %v", err)
	}
	srv.SetChat(func(llmtest.ChatRequest) llmtest.Script {
		return llmtest.Script{Text: "Call 400-800-1234 [1].", Finish: "content_filter"}
	})
	streamed := ""
	if _, err := newChat(srv, 0).Answer(context.Background(), "q", sources, "en", func(s string) { streamed = s }); err == nil ||
		!strings.Contains(err.Error(), "content_filter") || streamed == "" {
		t.Fatalf("a filtered stream: err %v (streamed %q)", err, streamed)
	}
	srv.SetChat(func(llmtest.ChatRequest) llmtest.Script {
		return llmtest.Script{Text: "<think>the customer wants [1]</think>Call 400-800-1234 [1].", Finish: "stop"}
	})
	if a, err := newChat(srv, 0).Answer(context.Background(), "q", sources, "en", nil); err != nil || a.Text != "Call 400-800-1234." || a.Unsafe {
		t.Fatalf("answer %+v err %v", a, err)
	}
}
