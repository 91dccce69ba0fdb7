package main

import (
	"fmt"
	"log/slog"
	"time"

	"tandem/complaint"
	"tandem/config"
	"tandem/conversation"
)

// newComplaints builds the complaint service from TANDEM_COMPLAINTS and hooks it to the bot's
// handoffs, so the complaint intent opens a case.
func newComplaints(cfg config.Config, st store, svc *conversation.Service, log *slog.Logger, now func() time.Time) (*complaint.Service, error) {
	conf, err := complaint.ParseConfig(cfg.Complaints)
	if err != nil {
		return nil, fmt.Errorf("TANDEM_COMPLAINTS: %w", err)
	}
	cs := &complaint.Service{Store: st, Directory: st, Notifier: svc, Config: conf, Log: log, Now: now}
	svc.Handed = cs.FromTurn
	if next, ok := svc.Bot.(complaint.DraftingBot); ok {
		svc.Bot = complaint.Bot{Next: next, Cases: cs}
	}
	return cs, nil
}
