package evals

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"tandem/conversation"
)

// Limits of asking through the app API.
const (
	// readyPoll is how often WaitReady asks /readyz.
	readyPoll = 50 * time.Millisecond
	// maxReplyBody bounds one response read.
	maxReplyBody = 1 << 20
)

// AppClient asks questions through the app API, as an app integrating Tandem would.
type AppClient struct {
	Base string // the server's URL
	Key  string // an app API key
	HTTP *http.Client
}

// WaitReady polls /readyz until it reports ready, for at most timeout.
func (c *AppClient) WaitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+"/readyz", nil)
		resp, err := c.HTTP.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the eval server was not ready within %s", timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(readyPoll):
		}
	}
}

// Ask opens a conversation for the case and sends its text; the outcome is the bot's reply.
func (c *AppClient) Ask(ctx context.Context, cs Case) (Outcome, error) {
	var conv struct {
		ID string `json:"id"`
	}
	body := map[string]any{"customer": map[string]string{"id": "eval-" + cs.ID}, "lang": cs.Lang}
	if err := c.post(ctx, "/api/v1/conversations", body, &conv); err != nil {
		return Outcome{}, err
	}
	var res conversation.Result
	start := time.Now()
	if err := c.post(ctx, "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"text": cs.Text}, &res); err != nil {
		return Outcome{}, err
	}
	if len(res.Replies) == 0 {
		return Outcome{}, errors.New("no reply")
	}
	r := res.Replies[0]
	o := Outcome{Decision: string(r.Decision), Reason: r.Reason, Intent: r.Intent, Text: r.Text,
		Millis: float64(time.Since(start).Microseconds()) / 1000}
	if r.Confidence != nil {
		o.Confidence = *r.Confidence
	}
	for _, s := range r.Sources {
		o.Sources = append(o.Sources, s.ID)
	}
	return o, nil
}

func (c *AppClient) post(ctx context.Context, path string, body, out any) error {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBody))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, bytes.TrimSpace(data))
	}
	return json.Unmarshal(data, out)
}
