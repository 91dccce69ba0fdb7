package evals

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"tandem/action"
	"tandem/chat"
	"tandem/demo"
	"tandem/demo/backend"
	"tandem/llm"
)

// demoDefs are the demo's actions, as tandem demo stores them.
type demoDefs map[string]action.Definition

func (d demoDefs) Action(_ context.Context, name string) (action.Definition, error) {
	def, ok := d[name]
	if !ok {
		return action.Definition{}, chat.Errorf(chat.ENOTFOUND, "no action %s", name)
	}
	return def, nil
}

func (d demoDefs) Actions(context.Context) ([]action.Definition, error) {
	var out []action.Definition
	for _, def := range d {
		out = append(out, def)
	}
	return out, nil
}

// intentBot is the bot deciding the turn: it runs the action a message names.
type intentBot struct{}

func (intentBot) Turn(_ context.Context, _ chat.Conversation, _ []chat.Message, text string, _ func(string)) (chat.Reply, error) {
	for _, name := range []string{"claim_status", "update_address", "retired_action"} {
		if strings.Contains(text, name) {
			return chat.Reply{Intent: name, Action: name, Decision: chat.DecisionAnswer}, nil
		}
	}
	return chat.Reply{Text: "From our help center.", Decision: chat.DecisionAnswer, Confidence: 0.9}, nil
}

func loadDemoDefs(t *testing.T) demoDefs {
	t.Helper()
	defs, err := action.ParseFile(demo.Actions)
	if err != nil {
		t.Fatal(err)
	}
	out := demoDefs{}
	for _, d := range defs {
		out[d.Name] = d
	}
	return out
}

// TestRehearsalCallsActions: a case's action is really called — request built from the
// definition, answer mapped and checked for its owner — against the case's recorded answers,
// and each outcome scores as the customer would see it.
func TestRehearsalCallsActions(t *testing.T) {
	r := &Rehearsal{Next: intentBot{}, Defs: loadDemoDefs(t)}
	ann := &CaseCustomer{ID: backend.CustomerAnn}
	annClaim := Recorded{Method: "GET", Path: "/claims/CL20261104?customer=demo-ann",
		Body: json.RawMessage(`{"claim_number":"CL20261104","customer_id":"demo-ann","status":{"en":"approved","zh":"已批准"},"updated":"2026-12-02"}`)}
	bosView := annClaim
	bosView.Path = "/claims/CL20261104?customer=demo-bo"
	tests := []struct {
		name     string
		c        Case
		outcome  string
		reason   string
		text     string
		wantArgs map[string]string
	}{
		{"answered", Case{Text: "claim_status CL20261104", Customer: ann, Backend: []Recorded{annClaim}}, "ok", "", "Your claim CL20261104 is approved (last updated 2026-12-02).", map[string]string{"claim_number": "CL20261104"}},
		{"another customer's claim", Case{Text: "claim_status CL20261104", Customer: &CaseCustomer{ID: backend.CustomerBo}, Backend: []Recorded{bosView}}, action.FailNotOwner, action.ReasonNotOwned, "couldn't find CL20261104", nil},
		{"back-end error", Case{Text: "claim_status CL20261104", Customer: ann, Backend: []Recorded{{Status: 503, Body: json.RawMessage(`{}`)}}}, action.FailStatus, action.ReasonFailed, "", nil},
		{"back-end down", Case{Text: "claim_status CL20261104", Customer: ann, Backend: []Recorded{{Fail: "down"}, {Fail: "down"}}}, action.FailDown, action.ReasonFailed, "", nil},
		{"wrong request", Case{Text: "claim_status CL20261104", Customer: ann, Backend: []Recorded{{Path: "/claims/CL20260917?customer=demo-ann", Body: annClaim.Body}}}, action.FailStatus, action.ReasonFailed, "", nil},
		{"answer missing a field", Case{Text: "claim_status CL20261104", Customer: ann, Backend: []Recorded{{Body: json.RawMessage(`{"customer_id":"demo-ann"}`)}}}, action.FailMissing, action.ReasonFailed, "", nil},
		{"anonymous", Case{Text: "claim_status CL20261104", Backend: []Recorded{annClaim}}, ActionIdentity, action.ReasonIdentity, "sign in", nil},
		{"missing argument", Case{Text: "claim_status please", Customer: ann}, ActionAsked, "action_ask:claim_status.claim_number", "Which claim?", nil},
		{"write proposed", Case{Text: "update_address: my address to 1 Harbour Road", Customer: ann}, ActionProposed, action.ReasonApproval, "", map[string]string{"address": "1 Harbour Road"}},
		{"action no longer stored", Case{Text: "retired_action please", Customer: ann}, ActionUnavailable, action.ReasonFailed, "", nil},
		{"no action", Case{Text: "how do I file a claim?", Customer: ann}, "", "", "help center", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.c.ID = "case"
			o, err := r.Turn(context.Background(), tt.c)
			if err != nil {
				t.Fatal(err)
			}
			if o.ActionOutcome != tt.outcome || o.Reason != tt.reason || !strings.Contains(o.Text, tt.text) {
				t.Fatalf("outcome %q, reason %q, text %q; want %q, %q, %q", o.ActionOutcome, o.Reason, o.Text, tt.outcome, tt.reason, tt.text)
			}
			for k, v := range tt.wantArgs {
				if o.Args[k] != v {
					t.Errorf("args = %v, want %s=%s", o.Args, k, v)
				}
			}
		})
	}
}

// TestScoreActionOutcome: a case expecting an outcome is right only when the action came to it.
func TestScoreActionOutcome(t *testing.T) {
	c := Case{ID: "c", Text: "where is CL20261104", ExpectedDecision: DecisionAnswer, ExpectedAction: "claim_status",
		ExpectedArgs: map[string]string{"claim_number": "CL20261104"}, ExpectedOutcome: "ok"}
	o := Outcome{Decision: DecisionAnswer, Action: "claim_status", Args: map[string]string{"claim_number": "CL20261104"}, ActionOutcome: "ok"}
	if r := Score(c, o); !r.Correct || !*r.ActionOK {
		t.Errorf("matching outcome scored %+v", r)
	}
	o.ActionOutcome = action.FailStatus
	if r := Score(c, o); r.Correct || *r.ActionOK {
		t.Errorf("a failed call scored right: %+v", r)
	}
}

// modelChoice is a model that always chooses one tool call.
type modelChoice llm.ToolCall

func (m modelChoice) Choose(context.Context, []string, string, []llm.Tool) (llm.ToolCall, bool, error) {
	return llm.ToolCall(m), true, nil
}

// TestRehearsalModelChoice: with a model, the action and arguments it chooses are called and
// reported; a choice breaking the definition is refused and nothing is called.
func TestRehearsalModelChoice(t *testing.T) {
	ctx := context.Background()
	body := json.RawMessage(`{"claim_number":"CL20261104","customer_id":"demo-ann","status":{"en":"approved","zh":"已批准"},"updated":"2026-12-02"}`)
	c := Case{ID: "m", Text: "any news on my car claim?", Customer: &CaseCustomer{ID: backend.CustomerAnn},
		Backend: []Recorded{{Method: "GET", Path: "/claims/CL20261104?customer=demo-ann", Body: body}}}
	r := &Rehearsal{Next: intentBot{}, Defs: loadDemoDefs(t), Chooser: modelChoice{Name: "claim_status", Args: map[string]string{"claim_number": "CL20261104"}}}
	o, err := r.Turn(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if o.Action != "claim_status" || o.Args["claim_number"] != "CL20261104" || o.ActionOutcome != "ok" || !strings.Contains(o.Text, "approved") {
		t.Fatalf("model's choice: %+v", o)
	}
	r.Chooser = modelChoice{Name: "claim_status", Args: map[string]string{"claim_number": "../admin"}}
	if o, err = r.Turn(ctx, c); err != nil || o.Action != "" || strings.Contains(o.Text, "approved") {
		t.Fatalf("an invalid choice: %+v, %v; want refused, nothing called", o, err)
	}
}

// TestReportShowsActions: a wrong action case in the report shows the action expected and the
// one that ran, with arguments and outcome.
func TestReportShowsActions(t *testing.T) {
	c := Case{ID: "act", Text: "where is CL20261104", ExpectedDecision: DecisionAnswer, ExpectedAction: "claim_status",
		ExpectedArgs: map[string]string{"claim_number": "CL20261104"}, ExpectedOutcome: "ok"}
	r := Score(c, Outcome{Decision: DecisionHandoff, Reason: action.ReasonFailed, Action: "claim_status",
		Args: map[string]string{"claim_number": "CL20261104"}, ActionOutcome: action.FailStatus})
	out := render(t, ReportData{Title: "actions", Set: "demo-actions", Run: &RunInfo{ID: "run-1", Metrics: Summarize([]Result{r}, 0.9)},
		Results: []Result{r}, Cases: []Case{c}})
	for _, want := range []string{"claim_status(claim_number=CL20261104) → ok", "claim_status(claim_number=CL20261104) → status"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}
