package action

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"tandem/outbound"
)

// clientTimeout bounds a whole call on the actions' client (each attempt has its own, shorter,
// timeout from its definition).
const clientTimeout = MaxTimeout + 5*time.Second

// RunnerStore is what a Runner needs: the definitions, calls and proposals, and the customers and
// notes the bot layer reads and writes.
type RunnerStore interface {
	Store
	Customers
	Notes
}

// Runner is this process's bot actions: one executor (with this process's circuit breakers)
// shared by the bot layer (Bot) and the agents' approvals (Approvals).
type Runner struct {
	store   RunnerStore
	exec    *Executor
	trusted map[string]bool
	log     *slog.Logger
	// Chooser, when set (the LLM), may choose actions too.
	Chooser Chooser
}

// NewRunner wires actions. Their calls go through the server's outbound-URL policy, checked again
// when each connection is dialled, with the actions' own allow-list allowHosts
// (TANDEM_ACTION_ALLOW_HOSTS, not TANDEM_OUTBOUND_ALLOW: allowing a local model must not open it
// to actions); customers on trustedChannels count as verified.
func NewRunner(allowHosts, trustedChannels []string, st RunnerStore, log *slog.Logger) (*Runner, error) {
	trusted := map[string]bool{}
	for _, ch := range trustedChannels {
		trusted[ch] = true
	}
	policy, err := outbound.Parse(strings.Join(allowHosts, ","))
	if err != nil {
		return nil, fmt.Errorf("TANDEM_ACTION_ALLOW_HOSTS: %w", err)
	}
	exec := &Executor{Client: policy.Client(clientTimeout), Allow: allowHosts, Record: st, Log: log,
		Now: time.Now, Breakers: &Breakers{}}
	return &Runner{store: st, exec: exec, trusted: trusted, log: log}, nil
}

// Bot wraps the bot so intents can run actions.
func (r *Runner) Bot(next Turner) *Bot {
	return &Bot{Next: next, Defs: r.store, Exec: r.exec, Customers: r.store, Notes: r.store, Proposals: r.store,
		Chooser: r.Chooser, Trusted: r.trusted, Now: time.Now, Log: r.log}
}

// Approvals sends the proposals agents approve, through the same executor.
func (r *Runner) Approvals() *Approvals {
	return &Approvals{Store: r.store, Exec: r.exec, Customers: r.store, Trusted: r.trusted, Now: time.Now}
}
