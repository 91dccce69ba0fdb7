package evals

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"tandem/action"
	"tandem/chat"
	"tandem/llm"
)

// Recorded is a back-end's recorded answer to one call of a case's action. The call must match
// Method and Path (path and query as sent) when they are given.
type Recorded struct {
	Method string          `json:"method,omitempty"`
	Path   string          `json:"path,omitempty"`
	Status int             `json:"status,omitempty"` // 0: 200
	Body   json.RawMessage `json:"body,omitempty"`
	// Fail "down" answers the call with no connection at all, as a back-end that is off.
	Fail string `json:"fail,omitempty"`
}

// CaseCustomer is the verified customer a case's message comes from (as the app API vouches for
// one); a case without one comes from an anonymous widget visitor.
type CaseCustomer struct {
	ID       string   `json:"id"`
	Phone    string   `json:"phone,omitempty"`
	Policies []string `json:"policies,omitempty"`
}

// Outcomes of a turn's action (Outcome.ActionOutcome) besides a call's status ("ok" or one of
// action's failure kinds, e.g. "status", "not_owner", "missing_field").
const (
	ActionAsked    = "ask"            // a required argument is missing: the bot asked for it
	ActionConfirm  = "confirm"        // a write waits for the customer's yes
	ActionProposed = "proposed"       // a write waits for an agent's approval
	ActionIdentity = "needs_identity" // the customer is not verified: nothing called
	ActionCanceled = "canceled"       // the customer said no to a write
	// ActionUnavailable: the turn named an action that is not stored (nothing called).
	ActionUnavailable = "unavailable"
)

// Rehearsal answers cases as tandem serve would, actions included: each action the turn runs is
// really called through the action package's executor — request built from the definition, auth,
// ownership check, response mapping — with the HTTP exchange answered in-process by the case's
// recorded back-end answers, so nothing leaves the process and nothing is stored.
type Rehearsal struct {
	Next    action.Turner      // the bot that decides the turn
	Defs    action.Definitions // the stored actions
	Chooser action.Chooser     // a model choosing actions; nil: intents only
	Log     *slog.Logger
}

// eval conversations' ids: the customer of a case.
const rehearsalCustomer = "eval-customer"

// Turn answers case c and reports the action it ran, the arguments and the outcome.
func (r *Rehearsal) Turn(ctx context.Context, c Case) (Outcome, error) {
	history := make([]chat.Message, 0, len(c.Context))
	for _, t := range c.Context {
		history = append(history, chat.Message{Author: chat.Author(t.Author), Text: t.Text})
	}
	defs := &seenDefs{Definitions: r.Defs}
	rec := &rehearsalRecords{}
	allow, err := r.hosts(ctx)
	if err != nil {
		return Outcome{}, err
	}
	b := &action.Bot{Next: r.Next, Defs: defs, Customers: caseCustomers{c.Customer}, Notes: rec, Proposals: rec, Log: r.Log,
		Exec: &action.Executor{Client: &http.Client{Transport: &replay{answers: c.Backend}}, Allow: allow, Record: rec, Log: r.Log}}
	if r.Chooser != nil {
		b.Chooser = &seenChoice{Chooser: r.Chooser, defs: defs}
	}
	conv := chat.Conversation{ID: c.ID, CustomerID: rehearsalCustomer, Owner: chat.OwnerBot, Lang: c.Lang}
	reply, err := b.Turn(ctx, conv, history, c.Text, nil)
	if err != nil {
		return Outcome{}, err
	}
	o := Outcome{Intent: reply.Intent, Decision: string(reply.Decision), Reason: reply.Reason, Confidence: reply.Confidence, Text: reply.Text}
	for _, s := range reply.Sources {
		o.Sources = append(o.Sources, s.ID)
	}
	if name := defs.name(); name != "" {
		o.Action = name
		o.Args, o.ActionOutcome = rec.result(ctx, defs, name, history, c.Text, reply.Reason)
	}
	return o, nil
}

// hosts are the stored actions' hosts: the rehearsal never dials, so the target policy that
// guards the network is not what a case measures.
func (r *Rehearsal) hosts(ctx context.Context) ([]string, error) {
	defs, err := r.Defs.Actions(ctx)
	if err != nil {
		return nil, fmt.Errorf("actions: %w", err)
	}
	var out []string
	for _, d := range defs {
		if u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(d.URL)); err == nil {
			out = append(out, u.Host)
		}
	}
	return out, nil
}

// seenDefs remembers the action the turn looked up to run, and a model's chosen arguments.
type seenDefs struct {
	action.Definitions
	mu   sync.Mutex
	last string
	// chosen are the arguments a model chose for action chosenFor.
	chosen    map[string]string
	chosenFor string
}

func (s *seenDefs) Action(ctx context.Context, name string) (action.Definition, error) {
	s.mu.Lock()
	s.last = name
	s.mu.Unlock()
	return s.Definitions.Action(ctx, name)
}

func (s *seenDefs) name() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// seenChoice remembers the arguments a model chose.
type seenChoice struct {
	action.Chooser
	defs *seenDefs
}

func (s *seenChoice) Choose(ctx context.Context, texts []string, lang string, tools []llm.Tool) (llm.ToolCall, bool, error) {
	call, ok, err := s.Chooser.Choose(ctx, texts, lang, tools)
	if ok {
		s.defs.mu.Lock()
		s.defs.chosen, s.defs.chosenFor = call.Args, call.Name
		s.defs.mu.Unlock()
	}
	return call, ok, err
}

// caseCustomers is the one customer of a case.
type caseCustomers struct{ c *CaseCustomer }

func (cc caseCustomers) Customer(_ context.Context, id string) (chat.Customer, error) {
	if cc.c == nil {
		return chat.Customer{ID: id, Channel: "web"}, nil
	}
	return chat.Customer{ID: id, Channel: "api", ExternalID: cc.c.ID,
		Attrs: map[string]string{"phone": cc.c.Phone, "policies": strings.Join(cc.c.Policies, ",")}}, nil
}

// rehearsalRecords keeps a rehearsed turn's calls, notes and proposals in memory.
type rehearsalRecords struct {
	mu        sync.Mutex
	calls     []action.Call
	proposals []action.Proposal
}

func (r *rehearsalRecords) AddActionCall(_ context.Context, c action.Call) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
	return nil
}

func (r *rehearsalRecords) AddNote(_ context.Context, n chat.Note) (chat.Note, error) { return n, nil }

func (r *rehearsalRecords) AddProposal(_ context.Context, p action.Proposal) (action.Proposal, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.proposals = append(r.proposals, p)
	return p, nil
}

// result is the arguments the action ran with and its outcome: the last call's status, else
// what held the action back (from the turn's reason).
func (r *rehearsalRecords) result(ctx context.Context, defs *seenDefs, name string, history []chat.Message, text, reason string) (map[string]string, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.proposals) > 0 {
		return r.proposals[len(r.proposals)-1].Args, ActionProposed
	}
	var args map[string]string
	if d, err := defs.Definitions.Action(ctx, name); err == nil {
		args, _ = action.Plan(d, history, text)
	}
	if args == nil {
		args = map[string]string{}
	}
	if defs.chosenFor == name {
		for k, v := range defs.chosen {
			args[k] = v
		}
	}
	if len(r.calls) > 0 {
		return args, r.calls[len(r.calls)-1].Status
	}
	k, _, _ := strings.Cut(reason, ":")
	switch k {
	case "action_ask":
		return args, ActionAsked
	case "action_confirm":
		return args, ActionConfirm
	case action.ReasonIdentity:
		return args, ActionIdentity
	case action.ReasonCanceled:
		return args, ActionCanceled
	case action.ReasonFailed:
		return args, ActionUnavailable // failed before any call could be made
	}
	return args, k
}

// replay answers calls from recorded answers, each used once, in order.
type replay struct {
	mu      sync.Mutex
	answers []Recorded
	used    []bool
}

// errBackendDown is a recorded "down": no connection.
var errBackendDown = errors.New("connection refused (recorded)")

// RoundTrip implements http.RoundTripper.
func (p *replay) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	a, ok := p.take(req.Method, req.URL.RequestURI())
	switch {
	case !ok:
		return response(req, http.StatusNotFound, fmt.Sprintf(`{"error":"no recorded answer for %s %s"}`, req.Method, req.URL.RequestURI())), nil
	case a.Fail == "down":
		return nil, errBackendDown
	}
	return response(req, cmpStatus(a.Status), string(a.Body)), nil
}

// take returns the first unused answer recorded for the call.
func (p *replay) take(method, uri string) (Recorded, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.used == nil {
		p.used = make([]bool, len(p.answers))
	}
	for i, a := range p.answers {
		if p.used[i] || (a.Method != "" && !strings.EqualFold(a.Method, method)) || (a.Path != "" && !samePath(a.Path, uri)) {
			continue
		}
		p.used[i] = true
		return a, true
	}
	return Recorded{}, false
}

// samePath compares a recorded path with the one sent, unescaping both.
func samePath(recorded, sent string) bool {
	a, err1 := url.PathUnescape(recorded)
	b, err2 := url.PathUnescape(sent)
	return err1 == nil && err2 == nil && a == b
}

func cmpStatus(s int) int {
	if s == 0 {
		return http.StatusOK
	}
	return s
}

func response(req *http.Request, status int, body string) *http.Response {
	return &http.Response{StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}, "Date": {time.Now().UTC().Format(http.TimeFormat)}},
		Body:   io.NopCloser(bytes.NewReader([]byte(body))), ContentLength: int64(len(body)), Request: req}
}
