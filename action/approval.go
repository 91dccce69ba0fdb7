package action

import (
	"context"
	"time"

	"tandem/chat"
)

// Approvals is how an agent decides a proposed write: approved (as proposed, or with edited
// arguments) it is checked again and sent once; rejected it is never sent.
type Approvals struct {
	Store     Store
	Exec      *Executor
	Customers Customers
	Trusted   map[string]bool
	Now       func() time.Time
}

// Approve sends a pending proposal of the conversation, with edited arguments when given, and
// returns the reply for the customer in their language. A failed call leaves the proposal
// failed and returns the failure for the agent.
func (a *Approvals) Approve(ctx context.Context, conv chat.Conversation, id int64, agent string, edited map[string]string) (Proposal, string, error) {
	p, err := a.Store.Proposal(ctx, conv.ID, id)
	if err != nil {
		return p, "", err
	}
	if p.Status != ProposalPending {
		return p, "", chat.Errorf(chat.ECONFLICT, "proposal %d is already %s", id, p.Status)
	}
	d, err := a.Store.Action(ctx, p.Action)
	if err != nil {
		return p, "", err
	}
	if edited != nil {
		p.Args = edited
	}
	if missing, err := CheckArgs(d, p.Args); err != nil {
		return p, "", err
	} else if len(missing) > 0 {
		return p, "", chat.Errorf(chat.EINVALID, "action %s: missing %v", d.Name, missing)
	}
	cu, err := a.Customers.Customer(ctx, conv.CustomerID)
	if err != nil {
		return p, "", err
	}
	who, ok := Verify(cu, a.Trusted)
	if !ok {
		return p, "", chat.Errorf(chat.EFORBIDDEN, "the customer is not verified; an action cannot run for them")
	}
	if p.Request, err = Build(d, p.Args, who); err != nil {
		return p, "", err
	}
	at := a.now().UTC()
	p.Status, p.DecidedBy, p.DecidedAt = ProposalApproved, agent, &at
	if err := a.Store.DecideProposal(ctx, p); err != nil { // claims it: another agent's approval gets a conflict
		return p, "", err
	}
	res, err := a.Exec.Run(ctx, d, p.Args, who, conv.ID)
	if err != nil {
		p.Status, p.Result = ProposalFailed, err.Error()
		a.Store.SetProposalResult(context.WithoutCancel(ctx), conv.ID, p.ID, p.Status, p.Result)
		return p, "", chat.Errorf(chat.EUNAVAILABLE, "the call failed (%v); nothing was confirmed to the customer", err)
	}
	p.Result = pick(res.Reply, lang(p.CustomerText))
	if err := a.Store.SetProposalResult(ctx, conv.ID, p.ID, p.Status, p.Result); err != nil {
		return p, p.Result, err
	}
	return p, p.Result, nil
}

// Reject records that the agent turned a proposal down; it is never sent.
func (a *Approvals) Reject(ctx context.Context, conversationID string, id int64, agent string) (Proposal, error) {
	p, err := a.Store.Proposal(ctx, conversationID, id)
	if err != nil {
		return p, err
	}
	at := a.now().UTC()
	p.Status, p.DecidedBy, p.DecidedAt = ProposalRejected, agent, &at
	return p, a.Store.DecideProposal(ctx, p)
}

func (a *Approvals) now() time.Time {
	if a.Now == nil {
		return time.Now()
	}
	return a.Now()
}
