package main

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"tandem/action"
	"tandem/config"
	"tandem/httpapi"
	"tandem/outbound"
)

// actionClientTimeout bounds a whole call on the actions' client (each attempt has its own,
// shorter, timeout from its definition).
const actionClientTimeout = action.MaxTimeout + 5*time.Second

// actionSet wires bot actions: one executor (with this process's circuit breakers) shared by the
// bot layer and the agents' approvals.
type actionSet struct {
	store   store
	exec    *action.Executor
	trusted map[string]bool
	chooser action.Chooser // the LLM, when one is configured: it may choose actions too
	log     *slog.Logger
}

// newActionSet wires actions. Their calls go through the server's outbound-URL policy, checked
// again when each connection is dialled, with the actions' own allow-list (not
// TANDEM_OUTBOUND_ALLOW: allowing a local model must not open it to actions).
func newActionSet(cfg config.Config, st store, log *slog.Logger) (*actionSet, error) {
	trusted := map[string]bool{}
	for _, ch := range cfg.ActionTrustedChannels {
		trusted[ch] = true
	}
	policy, err := outbound.Parse(strings.Join(cfg.ActionAllowHosts, ","))
	if err != nil {
		return nil, fmt.Errorf("TANDEM_ACTION_ALLOW_HOSTS: %w", err)
	}
	exec := &action.Executor{Client: policy.Client(actionClientTimeout), Allow: cfg.ActionAllowHosts, Record: st, Log: log,
		Now: time.Now, Breakers: &action.Breakers{}}
	return &actionSet{store: st, exec: exec, trusted: trusted, log: log}, nil
}

// bot wraps the bot so intents can run actions.
func (a *actionSet) bot(next action.Turner) *action.Bot {
	return &action.Bot{Next: next, Defs: a.store, Exec: a.exec, Customers: a.store, Notes: a.store, Proposals: a.store,
		Chooser: a.chooser, Trusted: a.trusted, Now: time.Now, Log: a.log}
}

// api serves the definitions, figures and proposals.
func (a *actionSet) api() *httpapi.ActionsAPI {
	return &httpapi.ActionsAPI{Store: a.store, Approvals: &action.Approvals{Store: a.store, Exec: a.exec, Customers: a.store,
		Trusted: a.trusted, Now: time.Now}}
}
