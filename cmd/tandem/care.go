package main

import (
	"context"
	"fmt"
	"time"

	"tandem/care"
	"tandem/config"
	"tandem/conversation"
)

// newCare puts the priority-care rules (TANDEM_CARE) in front of the bot and returns the check
// the widget uses to offer care customers their one-step "talk to a person" and larger text.
func newCare(cfg config.Config, st store, svc *conversation.Service, now func() time.Time) (func(ctx context.Context, customerID string) bool, error) {
	rules, err := care.ParseRules(cfg.Care)
	if err != nil {
		return nil, fmt.Errorf("TANDEM_CARE: %w", err)
	}
	if next, ok := svc.Bot.(care.DraftingBot); ok {
		svc.Bot = care.Bot{Next: next, Rules: rules, Customers: st, Now: now}
	}
	return func(ctx context.Context, customerID string) bool {
		cu, err := st.Customer(ctx, customerID)
		return err == nil && rules.Applies(cu, now())
	}, nil
}
