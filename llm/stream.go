package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"

	openai "github.com/sashabaranov/go-openai"
)

// Incomplete is an answer the server did not finish: cut off by the token limit (finish_reason
// "length"), withheld by a content filter, ended by an error chunk in the stream, or a stream that
// stopped without saying why. Its text is never shown as an answer.
type Incomplete struct {
	Reason string // "length", "content_filter", "error", "no_finish_reason", "reasoning_only"
	Detail string // the server's message, when it sent one
}

func (e *Incomplete) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("the model's answer is incomplete (%s): %s", e.Reason, e.Detail)
	}
	return fmt.Sprintf("the model's answer is incomplete (%s)", e.Reason)
}

// servedByModel reports whether err is the model's own doing (a cut-off or filtered answer), not a
// failing server: such answers do not count towards the circuit breaker.
func servedByModel(err error) bool {
	var inc *Incomplete
	return errors.As(err, &inc) && (inc.Reason == "length" || inc.Reason == "content_filter" || inc.Reason == "reasoning_only")
}

// finished checks a choice's finish_reason: only "stop" is a complete answer.
func finished(reason string) error {
	switch reason {
	case "stop":
		return nil
	case "":
		return &Incomplete{Reason: "no_finish_reason"}
	case "length", "content_filter", "error":
		return &Incomplete{Reason: reason}
	}
	return &Incomplete{Reason: reason, Detail: "an answer must end with finish_reason stop"}
}

// streamChunk is one server-sent event of a chat completion stream, read leniently: besides
// OpenAI's chunk it recognizes the error objects servers send in the middle of a stream with
// HTTP 200 — OpenRouter's chunk with an "error" member (and finish_reason "error"), vLLM's
// {"object":"error","message":…}. Reasoning fields (reasoning_content, reasoning) are not read.
type streamChunk struct {
	Object  string `json:"object"`
	Message string `json:"message"`
	Error   *struct {
		Message string `json:"message"`
	} `json:"error"`
	Choices []struct {
		Delta struct {
			Content *string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
		Logprobs     *struct {
			Content []struct {
				Logprob float64 `json:"logprob"`
			} `json:"content"`
		} `json:"logprobs"`
	} `json:"choices"`
}

// serverError is the error a chunk carries, if any.
func (c streamChunk) serverError() error {
	switch {
	case c.Error != nil:
		return &Incomplete{Reason: "error", Detail: c.Error.Message}
	case c.Object == "error":
		return &Incomplete{Reason: "error", Detail: c.Message}
	}
	return nil
}

// readStream reads a chat completion stream to its end, calling onText with the answer so far
// (reasoning removed) as it grows. It returns the whole answer only when the stream finished with
// finish_reason "stop".
func readStream(ctx context.Context, stream *openai.ChatCompletionStream, onText func(string), lp *logprob) (string, error) {
	var b strings.Builder
	finish := ""
	for {
		raw, err := stream.RecvRaw()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		var chunk streamChunk
		if err := json.Unmarshal(raw, &chunk); err != nil {
			return "", &Incomplete{Reason: "error", Detail: "a stream chunk is not JSON"}
		}
		if err := chunk.serverError(); err != nil {
			return "", err
		}
		if len(chunk.Choices) == 0 {
			continue // e.g. the usage chunk
		}
		ch := chunk.Choices[0]
		if ch.FinishReason != nil && *ch.FinishReason != "" {
			finish = *ch.FinishReason
		}
		if l := ch.Logprobs; l != nil {
			for _, t := range l.Content {
				lp.add(t.Logprob)
			}
		}
		if ch.Delta.Content != nil && *ch.Delta.Content != "" {
			b.WriteString(*ch.Delta.Content)
			if so, _ := stripReasoning(b.String()); so != "" {
				onText(so)
			}
		}
	}
	if err := finished(finish); err != nil {
		if line := sniffed(ctx); line != "" && finish == "" {
			return "", &Incomplete{Reason: "error", Detail: line} // llama.cpp's "error:" line
		}
		return "", err
	}
	return answerText(b.String())
}

// answerText is a finished reply without its reasoning; a reply that is all reasoning is
// incomplete.
func answerText(text string) (string, error) {
	answer, thinking := stripReasoning(text)
	if thinking || strings.TrimSpace(answer) == "" && strings.TrimSpace(text) != "" {
		return "", &Incomplete{Reason: "reasoning_only", Detail: "the reply ended inside or with its reasoning"}
	}
	return answer, nil
}

// reasoningOpen and reasoningClose are the tags of the inline reasoning models write before
// their answer when the server does not split it off (DeepSeek-R1 and Qwen3 through llama.cpp,
// vLLM or Ollama without a reasoning parser).
var (
	reasoningOpen  = regexp.MustCompile(`(?i)<\s*(think|thinking|reasoning)\s*>`)
	reasoningClose = regexp.MustCompile(`(?i)<\s*/\s*(think|thinking|reasoning)\s*>`)
)

// stripReasoning removes inline reasoning from a reply: closed <think>…</think> (or <thinking>,
// <reasoning>) blocks, everything before a closing tag whose opening tag the chat template wrote
// into the prompt, and an unclosed block at the end (thinking reports that one: the model has
// not answered yet).
func stripReasoning(text string) (answer string, thinking bool) {
	for {
		open := reasoningOpen.FindStringIndex(text)
		closing := reasoningClose.FindStringIndex(text)
		switch {
		case closing != nil && (open == nil || closing[0] < open[0]):
			text = text[closing[1]:] // the template opened the block
		case open != nil && closing != nil:
			text = text[:open[0]] + text[closing[1]:]
		case open != nil:
			return strings.TrimSpace(text[:open[0]]), true
		default:
			return strings.TrimSpace(text), false
		}
	}
}

// sniffKey carries a request's sniffer in its context.
type sniffKey struct{}

// sniffer records the first non-standard "error:" line of an event stream: llama.cpp builds up to
// late 2025 report a failure mid-stream as `error: {…}` instead of a data line, which go-openai
// skips, so the stream would look like one that merely stopped.
type sniffer struct {
	mu   sync.Mutex
	line string
}

func withSniffer(ctx context.Context) context.Context {
	return context.WithValue(ctx, sniffKey{}, &sniffer{})
}

// sniffed is the error line seen in ctx's stream, as the server's message ("" if none).
func sniffed(ctx context.Context) string {
	s, _ := ctx.Value(sniffKey{}).(*sniffer)
	if s == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal([]byte(s.line), &e) == nil && e.Message != "" {
		return e.Message
	}
	return s.line
}

// maxSniffedLine bounds the part of a stream line the sniffer keeps.
const maxSniffedLine = 2048

// sniffingDoer wraps event-stream response bodies of requests that carry a sniffer.
type sniffingDoer struct{ client *http.Client }

func (d sniffingDoer) Do(req *http.Request) (*http.Response, error) {
	res, err := d.client.Do(req)
	if s, _ := req.Context().Value(sniffKey{}).(*sniffer); err == nil && s != nil &&
		strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		res.Body = &sniffingBody{ReadCloser: res.Body, s: s}
	}
	return res, err
}

// sniffingBody passes a stream through, looking at the start of each line.
type sniffingBody struct {
	io.ReadCloser
	s    *sniffer
	line []byte
}

func (b *sniffingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	for _, c := range p[:n] {
		if c != '\n' {
			if len(b.line) < maxSniffedLine {
				b.line = append(b.line, c)
			}
			continue
		}
		if rest, ok := bytes.CutPrefix(bytes.TrimSpace(b.line), []byte("error:")); ok {
			b.s.mu.Lock()
			if b.s.line == "" {
				b.s.line = string(bytes.TrimSpace(rest))
			}
			b.s.mu.Unlock()
		}
		b.line = b.line[:0]
	}
	return n, err
}
