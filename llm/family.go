package llm

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Token limits of one reply. Reasoning models spend part of max_completion_tokens on reasoning
// the reply does not show, so they get more room.
const (
	maxTokens          = 400
	maxReasoningTokens = 4000
)

// reasoningPrefixes are OpenAI's reasoning model families. They take max_completion_tokens and
// refuse max_tokens, a temperature other than 1 and logprobs; go-openai (v1.43) enforces this
// client-side, so a request with those parameters never reaches the server.
var reasoningPrefixes = []string{"gpt-5", "gpt-6", "o1", "o3", "o4"}

// Reasoning reports whether model belongs to one of OpenAI's reasoning model families.
func Reasoning(model string) bool {
	m := strings.ToLower(model)
	if i := strings.LastIndex(m, "/"); i >= 0 {
		m = m[i+1:] // "openai/gpt-5-mini" on OpenRouter
	}
	for _, p := range reasoningPrefixes {
		if strings.HasPrefix(m, p) {
			return true
		}
	}
	return false
}

// request is the chat completion request for msgs, with the parameters model's family takes:
// max_completion_tokens and no sampling parameters for reasoning models; max_tokens (which
// llama.cpp, vLLM, Ollama and Azure accept) and a low temperature for the others.
func (c *Chat) request(msgs []openai.ChatCompletionMessage) openai.ChatCompletionRequest {
	req := openai.ChatCompletionRequest{Model: c.cfg.Model, Messages: msgs}
	if Reasoning(c.cfg.Model) {
		req.MaxCompletionTokens = maxReasoningTokens
		return req
	}
	//lint:ignore SA1019 max_tokens is what llama.cpp, vLLM, Ollama and Azure all accept; max_completion_tokens is not.
	req.MaxTokens = maxTokens
	req.Temperature, req.LogProbs = 0.1, c.cfg.LogProbs
	return req
}

// Status is whether the LLM is being used, for the readiness page.
type Status struct {
	Model string `json:"model"`
	// InUse is false while the server refuses Tandem's requests (or the circuit breaker is open):
	// the bot answers extractively then. Reason says why.
	InUse  bool      `json:"in_use"`
	Reason string    `json:"reason,omitempty"`
	Since  time.Time `json:"since,omitzero"`
	// Fallback is the last reason a generated answer was not used (e.g. cut off by the token
	// limit), and when.
	Fallback   string    `json:"last_fallback,omitempty"`
	FallbackAt time.Time `json:"last_fallback_at,omitzero"`
}

// health keeps the Status.
type health struct {
	mu sync.Mutex
	st Status
}

// refused reports whether err is the server (or go-openai's validator) refusing the request
// itself, which repeating it would not change: a 4xx other than 408 and 429.
func refused(err error) bool {
	var api *openai.APIError
	if errors.As(err, &api) {
		return api.HTTPStatusCode >= 400 && api.HTTPStatusCode < 500 && api.HTTPStatusCode != http.StatusTooManyRequests &&
			api.HTTPStatusCode != http.StatusRequestTimeout
	}
	var req *openai.RequestError
	if errors.As(err, &req) {
		return req.HTTPStatusCode >= 400 && req.HTTPStatusCode < 500 && req.HTTPStatusCode != http.StatusTooManyRequests &&
			req.HTTPStatusCode != http.StatusRequestTimeout
	}
	for _, v := range []error{openai.ErrReasoningModelMaxTokensDeprecated, openai.ErrReasoningModelLimitationsLogprobs,
		openai.ErrReasoningModelLimitationsOther, openai.ErrReasoningSamplingUnsupported, openai.ErrReasoningEffortUnsupported,
		openai.ErrReasoningToolsRequireResponses, openai.ErrO1BetaLimitationsMessageTypes, openai.ErrO1BetaLimitationsTools} {
		if errors.Is(err, v) {
			return true
		}
	}
	return false
}

// observe records a call's outcome in the status and the log.
func (c *Chat) observe(what string, err error) {
	now := time.Now().UTC()
	c.health.mu.Lock()
	defer c.health.mu.Unlock()
	st := &c.health.st
	switch {
	case err == nil:
		if !st.InUse {
			c.log().Info("llm in use", "model", c.cfg.Model)
		}
		st.InUse, st.Reason, st.Since = true, "", time.Time{}
	case refused(err):
		c.log().Error("llm request refused; answering extractively", "model", c.cfg.Model, "call", what, "reason", err.Error())
		if st.InUse || st.Reason != err.Error() {
			st.Since = now
		}
		st.InUse, st.Reason = false, "the server refused the request: "+err.Error()
	case errors.Is(err, ErrOpen):
		st.InUse, st.Reason = false, ErrOpen.Error()
		if st.Since.IsZero() {
			st.Since = now
		}
	default:
		args := []any{"model", c.cfg.Model, "call", what, "reason", err.Error()}
		var inc *Incomplete
		if errors.As(err, &inc) {
			args = append(args, "finish", inc.Reason)
		}
		c.log().Warn("llm answer not used; answering extractively", args...)
		st.Fallback, st.FallbackAt = err.Error(), now
	}
}

// Status reports whether the LLM is being used and why not.
func (c *Chat) Status() Status {
	c.health.mu.Lock()
	defer c.health.mu.Unlock()
	st := c.health.st
	st.Model = c.cfg.Model
	if st.InUse && !c.breaker.allow() {
		st.InUse, st.Reason = false, ErrOpen.Error()
	}
	return st
}

// record notes a call's outcome in the circuit breaker and the status: a cut-off or filtered
// answer is the model's doing and does not count as the server failing.
func (c *Chat) record(what string, err error) {
	if servedByModel(err) {
		c.breaker.record(nil)
	} else {
		c.breaker.record(err)
	}
	c.observe(what, err)
}

func (c *Chat) log() *slog.Logger {
	if c.cfg.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.cfg.Log
}
