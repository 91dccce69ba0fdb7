package storetest

import (
	"context"
	"testing"
	"time"

	"tandem/action"
	"tandem/chat"
)

// ActionStore is a Store that also keeps bot actions, their calls and proposals.
type ActionStore interface {
	Store
	action.Store
}

// RunActions runs the actions suite; open returns a fresh, migrated, empty store.
func RunActions(t *testing.T, open func(t *testing.T) ActionStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s ActionStore)
	}{
		{"Definitions", testActionDefinitions},
		{"Calls", testActionCalls},
		{"Proposals", testActionProposals},
		{"IntentRuns", testIntentRuns},
		{"Erase", testActionErase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

func testActionDefinitions(t *testing.T, s ActionStore) {
	ctx := context.Background()
	d := action.Definition{Name: "claim_status", Description: map[string]string{"en": "Claim status", "zh": "理赔进度"}, Method: "GET",
		URL: "https://hm.example/claims/{claim}", Auth: action.Auth{Type: "bearer", Token: "s3cret"},
		Params:   []action.Param{{Name: "claim", Pattern: `CL\d{8}`, Required: true, Owned: true, Ask: map[string]string{"en": "Which claim?"}}},
		Response: action.Response{Owner: "customer", Fields: map[string]string{"status": "status"}, Reply: map[string]string{"en": "{status}"}},
		Risk:     action.RiskRead, Retries: 1, UpdatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	must(t, s.PutAction(ctx, d))
	got, err := s.Action(ctx, "claim_status")
	must(t, err)
	if got.Auth.Token != "s3cret" || got.Params[0].Pattern != `CL\d{8}` || got.Response.Reply["en"] != "{status}" || !got.UpdatedAt.Equal(d.UpdatedAt) {
		t.Errorf("stored definition = %+v", got)
	}
	d.Description["en"] = "Where a claim is"
	must(t, s.PutAction(ctx, d))
	must(t, s.PutAction(ctx, action.Definition{Name: "address_change", Method: "POST", Risk: action.RiskApproval}))
	list, err := s.Actions(ctx)
	must(t, err)
	if len(list) != 2 || list[0].Name != "address_change" || list[1].Description["en"] != "Where a claim is" {
		t.Errorf("actions = %+v", list)
	}
	must(t, s.DeleteAction(ctx, "address_change"))
	if err := s.DeleteAction(ctx, "address_change"); chat.ErrorCode(err) != chat.ENOTFOUND {
		t.Errorf("second delete = %v, want not_found", err)
	}
	if _, err := s.Action(ctx, "address_change"); chat.ErrorCode(err) != chat.ENOTFOUND {
		t.Errorf("deleted action = %v, want not_found", err)
	}
}

func testActionCalls(t *testing.T, s ActionStore) {
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	for i, st := range []string{"ok", "timeout", "ok"} {
		must(t, s.AddActionCall(ctx, action.Call{Action: "claim_status", ConversationID: "c1", Args: map[string]string{"claim": "••••1104"},
			Status: st, HTTPStatus: 200, LatencyMS: 12.5 + float64(i), At: t0.Add(time.Duration(i) * time.Minute)}))
	}
	calls, err := s.ActionCalls(ctx, t0.Add(time.Minute), t0.Add(time.Hour))
	must(t, err)
	if len(calls) != 2 || calls[0].Status != "timeout" || calls[0].Args["claim"] != "••••1104" || calls[0].LatencyMS != 13.5 || !calls[1].At.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("calls = %+v", calls)
	}
	none, err := s.ActionCalls(ctx, t0.Add(time.Hour), t0.Add(2*time.Hour))
	must(t, err)
	if none == nil || len(none) != 0 {
		t.Errorf("calls outside the window = %#v, want an empty list", none)
	}
}

func testActionProposals(t *testing.T, s ActionStore) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	p, err := s.AddProposal(ctx, action.Proposal{ConversationID: "c1", Action: "address_change", Args: map[string]string{"address": "1 Harbour St"},
		CustomerText: "change my address to 1 Harbour St", Request: action.Request{Method: "POST", URL: "https://hm.example/address", Body: `{"address":"1 Harbour St"}`},
		CreatedAt: now})
	must(t, err)
	if p.ID == 0 || p.Status != action.ProposalPending {
		t.Fatalf("added proposal = %+v", p)
	}
	if _, err := s.Proposal(ctx, "c2", p.ID); chat.ErrorCode(err) != chat.ENOTFOUND {
		t.Errorf("another conversation's proposal = %v, want not_found", err)
	}
	p.Status, p.DecidedBy, p.DecidedAt, p.Args = action.ProposalApproved, "amy", &now, map[string]string{"address": "1 Harbour Street"}
	must(t, s.DecideProposal(ctx, p))
	if err := s.DecideProposal(ctx, p); chat.ErrorCode(err) != chat.ECONFLICT {
		t.Errorf("deciding twice = %v, want conflict (a proposal is sent at most once)", err)
	}
	must(t, s.SetProposalResult(ctx, "c1", p.ID, action.ProposalFailed, "timeout"))
	got, err := s.Proposal(ctx, "c1", p.ID)
	must(t, err)
	if got.Status != action.ProposalFailed || got.Result != "timeout" || got.DecidedBy != "amy" || got.Args["address"] != "1 Harbour Street" ||
		got.DecidedAt == nil || !got.DecidedAt.Equal(now) || got.Request.Body == "" || got.CustomerText == "" {
		t.Errorf("decided proposal = %+v", got)
	}
	list, err := s.Proposals(ctx, "c1")
	must(t, err)
	if len(list) != 1 || list[0].ID != p.ID {
		t.Errorf("proposals = %+v", list)
	}
}

func testIntentRuns(t *testing.T, s ActionStore) {
	ctx := context.Background()
	must(t, s.PutIntent(ctx, chat.Intent{Name: "claim_status", Action: chat.ActionRun, Run: "claim_status", Examples: []string{"where is my claim"}, UpdatedAt: time.Now().UTC()}))
	ins, err := s.Intents(ctx)
	must(t, err)
	if len(ins) != 1 || ins[0].Action != chat.ActionRun || ins[0].Run != "claim_status" {
		t.Errorf("intents = %+v", ins)
	}
}

// eraser is a store that erases a customer's data.
type eraser interface {
	EraseCustomer(ctx context.Context, customerID string, at time.Time) (chat.EraseReport, error)
}

func testActionErase(t *testing.T, s ActionStore) {
	ctx := context.Background()
	now := time.Now().UTC()
	cu, err := s.UpsertCustomer(ctx, chat.Customer{ID: "cu-1", Channel: "web", ExternalID: "id:ann", CreatedAt: now})
	must(t, err)
	must(t, s.CreateConversation(ctx, chat.Conversation{ID: "cv-1", CustomerID: cu.ID, Channel: "web", Owner: chat.OwnerBot, CreatedAt: now, UpdatedAt: now}))
	other, err := s.UpsertCustomer(ctx, chat.Customer{ID: "cu-2", Channel: "web", ExternalID: "id:bo", CreatedAt: now})
	must(t, err)
	must(t, s.CreateConversation(ctx, chat.Conversation{ID: "cv-2", CustomerID: other.ID, Channel: "web", Owner: chat.OwnerBot, CreatedAt: now, UpdatedAt: now}))
	for _, conv := range []string{"cv-1", "cv-2"} {
		_, err := s.AddProposal(ctx, action.Proposal{ConversationID: conv, Action: "update_address", Args: map[string]string{"address": "1 Harbour Road"},
			CustomerText: "change my address to 1 Harbour Road", CreatedAt: now})
		must(t, err)
		must(t, s.AddActionCall(ctx, action.Call{Action: "update_address", ConversationID: conv, Status: "ok", At: now}))
	}
	e, ok := s.(eraser)
	if !ok {
		t.Fatal("the store cannot erase customers")
	}
	r, err := e.EraseCustomer(ctx, cu.ID, now)
	must(t, err)
	if r.Rows["action_proposals"] != 1 || r.Rows["action_calls"] != 1 {
		t.Errorf("erase report %v, want the customer's proposal and call", r.Rows)
	}
	if ps, _ := s.Proposals(ctx, "cv-1"); len(ps) != 0 {
		t.Errorf("the erased customer's proposals remain: %+v", ps)
	}
	if ps, _ := s.Proposals(ctx, "cv-2"); len(ps) != 1 {
		t.Errorf("another customer's proposals = %+v, want kept", ps)
	}
	calls, err := s.ActionCalls(ctx, now.Add(-time.Minute), now.Add(time.Minute))
	must(t, err)
	if len(calls) != 1 || calls[0].ConversationID != "cv-2" {
		t.Errorf("calls after the erasure = %+v, want only the other customer's", calls)
	}
}
