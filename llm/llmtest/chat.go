package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ChatRequest is what a test's script sees of a chat completion request.
type ChatRequest struct {
	Model               string   `json:"model"`
	Stream              bool     `json:"stream"`
	LogProbs            bool     `json:"logprobs"`
	MaxTokens           *int     `json:"max_tokens"`
	MaxCompletionTokens *int     `json:"max_completion_tokens"`
	Temperature         *float64 `json:"temperature"`
	Messages            []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	// Tools are the functions offered to the model (tool calling).
	Tools []struct {
		Type     string `json:"type"`
		Function struct {
			Name        string          `json:"name"`
			Description string          `json:"description"`
			Parameters  json.RawMessage `json:"parameters"`
		} `json:"function"`
	} `json:"tools"`
}

// Text returns all message contents joined, for scripts that look for a source or question.
func (r ChatRequest) Text() string {
	var b strings.Builder
	for _, m := range r.Messages {
		b.WriteString(m.Content + "\n")
	}
	return b.String()
}

// Script is the fake model's reply: Text (streamed in small pieces when asked), after Delay;
// a Status other than 0 or 200 fails the request with that status instead.
type Script struct {
	Text   string
	Delay  time.Duration
	Status int
	// LogProb is every token's log probability when the request asks for logprobs (default -0.05).
	LogProb float64
	// Finish is the finish_reason of the last chunk ("stop" when empty).
	Finish string
	// Error is the error message of a failing Status ("scripted failure" when empty).
	Error string
	// Raw, when set, is a recorded event-stream body written verbatim to a streaming request.
	Raw string
	// Tool, when set, makes a non-streaming reply a call of that function with Arguments (raw
	// JSON text, as models write it) and finish_reason "tool_calls".
	Tool      string
	Arguments string
}

// reasoningModel reports whether the fake takes model for one of OpenAI's reasoning families,
// which refuse max_tokens, a temperature other than 1 and logprobs.
func reasoningModel(model string) bool {
	for _, p := range []string{"gpt-5", "o1", "o3", "o4"} {
		if strings.HasPrefix(model, p) {
			return true
		}
	}
	return false
}

// refuse answers as OpenAI does a request whose parameters the model does not take.
func (r ChatRequest) refuse() string {
	if !reasoningModel(r.Model) {
		return ""
	}
	switch {
	case r.MaxTokens != nil:
		return "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."
	case r.Temperature != nil && *r.Temperature != 1:
		return "Unsupported value: 'temperature' does not support 0.1 with this model. Only the default (1) value is supported."
	case r.LogProbs:
		return "This model does not support logprobs."
	}
	return ""
}

// logprobs is the documented logprobs object: one entry per token (here: per piece).
func logprobs(pieces []string, lp float64) map[string]any {
	if lp == 0 {
		lp = -0.05
	}
	content := make([]map[string]any, len(pieces))
	for i, p := range pieces {
		bytes := make([]int, len(p)) // the wire format: UTF-8 bytes as an array of integers
		for j := 0; j < len(p); j++ {
			bytes[j] = int(p[j])
		}
		content[i] = map[string]any{"token": p, "logprob": lp, "bytes": bytes, "top_logprobs": []any{}}
	}
	return map[string]any{"content": content}
}

// SetChat makes the fake model answer chat requests with script; the default cites source 1.
func (s *Server) SetChat(script func(ChatRequest) Script) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat = script
}

func defaultChat(r ChatRequest) Script {
	return Script{Text: "Here is what our help center says. [1]"}
}

func (s *Server) chatCompletions(w http.ResponseWriter, r *http.Request) {
	if s.fail(w) {
		return
	}
	var req ChatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) == 0 || req.Model == "" {
		writeError(w, http.StatusBadRequest, "model and messages are required")
		return
	}
	s.mu.Lock()
	script := s.chat
	s.chats++
	s.last = req
	s.mu.Unlock()
	if msg := req.refuse(); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	if script == nil {
		script = defaultChat
	}
	sc := script(req)
	select {
	case <-time.After(sc.Delay):
	case <-r.Context().Done():
		return
	}
	if sc.Status != 0 && sc.Status != http.StatusOK {
		if sc.Error == "" {
			sc.Error = "scripted failure"
		}
		writeError(w, sc.Status, sc.Error)
		return
	}
	finish := sc.Finish
	if finish == "" {
		finish = "stop"
	}
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		choice := map[string]any{"index": 0, "finish_reason": finish, "message": map[string]string{"role": "assistant", "content": sc.Text}}
		if sc.Tool != "" { // the documented shape of a tool call: content null, tool_calls, finish_reason tool_calls
			choice["finish_reason"] = "tool_calls"
			choice["message"] = map[string]any{"role": "assistant", "content": nil, "tool_calls": []any{map[string]any{
				"id": "call_test1", "type": "function", "function": map[string]string{"name": sc.Tool, "arguments": sc.Arguments}}}}
		}
		if req.LogProbs {
			choice["logprobs"] = logprobs(pieces(sc.Text, 4), sc.LogProb)
		}
		json.NewEncoder(w).Encode(map[string]any{"id": "chatcmpl-test", "object": "chat.completion", "created": time.Now().Unix(),
			"model": req.Model, "choices": []any{choice},
			"usage": map[string]int{"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	flusher, _ := w.(http.Flusher)
	if sc.Raw != "" {
		for _, event := range strings.SplitAfter(sc.Raw, "\n\n") {
			fmt.Fprint(w, event)
			if flusher != nil {
				flusher.Flush()
			}
			time.Sleep(5 * time.Millisecond)
		}
		return
	}
	chunk := func(delta map[string]string, finish any) {
		choice := map[string]any{"index": 0, "delta": delta, "finish_reason": finish}
		if c := delta["content"]; req.LogProbs && c != "" {
			choice["logprobs"] = logprobs([]string{c}, sc.LogProb)
		}
		b, _ := json.Marshal(map[string]any{"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": time.Now().Unix(),
			"model": req.Model, "choices": []any{choice}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	chunk(map[string]string{"role": "assistant"}, nil)
	for _, piece := range pieces(sc.Text, 8) {
		chunk(map[string]string{"content": piece}, nil)
		time.Sleep(5 * time.Millisecond)
	}
	chunk(map[string]string{}, finish)
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// pieces cuts s into pieces of n runes, as a model streams tokens.
func pieces(s string, n int) []string {
	r := []rune(s)
	var out []string
	for len(r) > n {
		out = append(out, string(r[:n]))
		r = r[n:]
	}
	return append(out, string(r))
}

// Chats returns how many chat requests arrived.
func (s *Server) Chats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chats
}

// LastChat returns the last chat request that arrived.
func (s *Server) LastChat() ChatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}
