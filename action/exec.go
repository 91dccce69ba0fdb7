package action

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"tandem/outbound"
)

// Failure kinds: why a call gave no answer to show.
const (
	FailRefused   = "refused"       // the target is not allowed (private address, not on the allow list)
	FailOpen      = "circuit_open"  // too many recent failures: not called
	FailDown      = "down"          // no connection
	FailTimeout   = "timeout"       // no answer in time
	FailStatus    = "status"        // a 4xx or 5xx answer
	FailMalformed = "malformed"     // the answer is not JSON
	FailMissing   = "missing_field" // a mapped field is not in the answer
	FailNotOwner  = "not_owner"     // the answer belongs to another customer
)

// Failure is a call that gave no answer to show; Detail is for the agent, never the customer.
type Failure struct {
	Kind   string
	Detail string
}

func (f *Failure) Error() string { return f.Kind + ": " + f.Detail }

// maxResponseBytes is the most of a back-end's answer that is read.
const maxResponseBytes = 1 << 20

// retryBackoff is the pause before a read's next attempt, times the attempt number.
const retryBackoff = 200 * time.Millisecond

// Recorder stores every call (the store's AddActionCall).
type Recorder interface {
	AddActionCall(ctx context.Context, c Call) error
}

// Call is one recorded call of an action.
type Call struct {
	ID             int64             `json:"id"`
	Action         string            `json:"action"`
	ConversationID string            `json:"conversation_id,omitempty"`
	Args           map[string]string `json:"args"`   // masked
	Status         string            `json:"status"` // "ok" or a failure kind
	HTTPStatus     int               `json:"http_status,omitempty"`
	LatencyMS      float64           `json:"latency_ms"`
	Error          string            `json:"error,omitempty"`
	At             time.Time         `json:"at"`
}

// Result is a successful call: the mapped fields and the reply in each language.
type Result struct {
	Fields map[string]string
	Reply  map[string]string
}

// Executor calls actions: target policy, auth, timeout, retries for reads, a circuit breaker per
// action, response mapping and ownership check; every call is recorded.
type Executor struct {
	Client *http.Client
	// Allow lists hosts ("host" or "host:port") that may be on loopback, private or link-local
	// addresses (TANDEM_ACTION_ALLOW_HOSTS).
	Allow    []string
	Resolver Resolver // nil: net.DefaultResolver
	Record   Recorder // nil: calls are not recorded
	Log      *slog.Logger
	Now      func() time.Time
	Breakers *Breakers
}

// Run calls the action for a conversation with checked arguments and the verified customer.
func (e *Executor) Run(ctx context.Context, d Definition, args map[string]string, id Identity, conversationID string) (Result, error) {
	start := e.now()
	res, status, err := e.attempts(ctx, d, args, id)
	call := Call{Action: d.Name, ConversationID: conversationID, Args: Mask(args), Status: "ok", HTTPStatus: status,
		LatencyMS: float64(e.now().Sub(start).Microseconds()) / 1000, At: start.UTC()}
	var f *Failure
	if errors.As(err, &f) {
		call.Status, call.Error = f.Kind, f.Detail
	} else if err != nil {
		call.Status, call.Error = FailRefused, err.Error()
	}
	if e.Record != nil {
		if rerr := e.Record.AddActionCall(context.WithoutCancel(ctx), call); rerr != nil && e.Log != nil {
			e.Log.Error("action call not recorded", "action", d.Name, "err", rerr)
		}
	}
	return res, err
}

// attempts makes the call, retrying a read as its definition allows.
func (e *Executor) attempts(ctx context.Context, d Definition, args map[string]string, id Identity) (Result, int, error) {
	req, err := Build(d, args, id)
	if err != nil {
		return Result{}, 0, err
	}
	if err := e.permit(ctx, req.URL); err != nil {
		return Result{}, 0, err
	}
	b := e.Breakers.of(d.Name + "@" + d.UpdatedAt.Format(time.RFC3339Nano)) // a changed definition starts closed
	if !b.allow(e.now()) {
		return Result{}, 0, &Failure{Kind: FailOpen, Detail: "too many recent failures; not called for now"}
	}
	var res Result
	var status int
	for attempt := 0; ; attempt++ {
		res, status, err = e.once(ctx, d, req, args, id)
		if err == nil || d.Risk != RiskRead || attempt >= d.Retries || !retryable(err) {
			break
		}
		select {
		case <-ctx.Done():
			return res, status, err
		case <-time.After(retryBackoff * time.Duration(attempt+1)):
		}
	}
	b.done(e.now(), !broken(err))
	return res, status, err
}

// retryable reports whether a failure may pass on its own: no connection, no answer in time, or
// a server error.
func retryable(err error) bool {
	var f *Failure
	return errors.As(err, &f) && (f.Kind == FailDown || f.Kind == FailTimeout || (f.Kind == FailStatus && strings.HasPrefix(f.Detail, "5")))
}

// broken reports whether a failure says the back-end is not working (what opens its circuit):
// no connection, no answer in time, a server error, or an answer not in the agreed shape. A 4xx
// or another customer's record is a working back-end's answer.
func broken(err error) bool {
	var f *Failure
	if !errors.As(err, &f) {
		return false
	}
	return retryable(err) || f.Kind == FailMalformed || f.Kind == FailMissing
}

// once makes one attempt.
func (e *Executor) once(ctx context.Context, d Definition, r Request, args map[string]string, id Identity) (Result, int, error) {
	ctx, cancel := context.WithTimeout(ctx, d.Timeout())
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, r.Method, r.URL, strings.NewReader(r.Body))
	if err != nil {
		return Result{}, 0, &Failure{Kind: FailRefused, Detail: err.Error()}
	}
	hr.Header.Set("Accept", "application/json")
	if r.Body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	sign(hr, d.Auth, []byte(r.Body))
	client := *e.Client
	client.CheckRedirect = refuseRedirect
	resp, err := client.Do(hr)
	if err != nil {
		if errors.Is(err, outbound.ErrRefused) { // the address dialled is private after all (e.g. DNS changed)
			return Result{}, 0, &Failure{Kind: FailRefused, Detail: hr.URL.Hostname() + " resolved to a local or private address when dialled"}
		}
		if ctx.Err() != nil {
			return Result{}, 0, &Failure{Kind: FailTimeout, Detail: fmt.Sprintf("no answer within %s", d.Timeout())}
		}
		return Result{}, 0, &Failure{Kind: FailDown, Detail: "no connection to the back-end"}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, resp.StatusCode, &Failure{Kind: FailTimeout, Detail: fmt.Sprintf("answer not complete within %s", d.Timeout())}
		}
		return Result{}, resp.StatusCode, &Failure{Kind: FailDown, Detail: "the connection broke while reading the answer"}
	}
	if resp.StatusCode >= 300 {
		return Result{}, resp.StatusCode, &Failure{Kind: FailStatus, Detail: fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))}
	}
	res, err := mapResponse(d, body, args, id)
	return res, resp.StatusCode, err
}

// sign adds the definition's authentication to a request.
func sign(r *http.Request, a Auth, body []byte) {
	switch a.Type {
	case "bearer":
		r.Header.Set("Authorization", "Bearer "+a.Token)
	case "basic":
		r.SetBasicAuth(a.Username, a.Password)
	case "header":
		r.Header.Set(a.Header, a.Value)
	case "hmac":
		m := hmac.New(sha256.New, []byte(a.Secret))
		m.Write(body)
		h := a.Header
		if h == "" {
			h = "X-Signature"
		}
		r.Header.Set(h, "sha256="+hex.EncodeToString(m.Sum(nil)))
	}
}

// mapResponse reads the mapped fields from a JSON answer, checks who it belongs to, and fills
// the reply templates.
func mapResponse(d Definition, body []byte, args map[string]string, id Identity) (Result, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return Result{}, &Failure{Kind: FailMalformed, Detail: "the answer is not JSON"}
	}
	if d.Response.Owner != "" {
		owner, ok := Lookup(doc, d.Response.Owner)
		if !ok || owner != id.CustomerID {
			return Result{}, &Failure{Kind: FailNotOwner, Detail: "the answer names another customer (or none) at " + d.Response.Owner}
		}
	}
	res := Result{Fields: map[string]string{}, Reply: map[string]string{}}
	for name, path := range d.Response.Fields {
		v, ok := Lookup(doc, path)
		if !ok {
			return Result{}, &Failure{Kind: FailMissing, Detail: fmt.Sprintf("the answer has no %s (field %s)", path, name)}
		}
		res.Fields[name] = v
	}
	for lang, tmpl := range d.Response.Reply {
		res.Reply[lang] = placeholder.ReplaceAllStringFunc(tmpl, func(m string) string {
			name := m[1 : len(m)-1]
			if v, ok := res.Fields[name]; ok {
				return v
			}
			return args[name]
		})
	}
	return res, nil
}

func (e *Executor) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// refuseRedirect keeps a call where its target policy checked it: a redirect (which could point
// at a private address) is answered as the 3xx status it is.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
