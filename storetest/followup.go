package storetest

import (
	"context"
	"testing"
	"time"

	"tandem/followup"
)

// FollowUpStore is a Store that keeps the consent ledger and follow-ups.
type FollowUpStore interface {
	Store
	followup.Store
}

// RunFollowUps runs the consent and follow-up suite; open returns a fresh, migrated, empty store.
func RunFollowUps(t *testing.T, open func(t *testing.T) FollowUpStore) {
	t.Run("Ledger", func(t *testing.T) { testConsentLedger(t, open(t)) })
	t.Run("FollowUps", func(t *testing.T) { testFollowUps(t, open(t)) })
}

// testConsentLedger: entries come back in order with every field; customers are apart.
func testConsentLedger(t *testing.T, s FollowUpStore) {
	ctx := context.Background()
	must(t, s.AddConsent(ctx, followup.Consent{CustomerID: "cu-a", Channel: "whatsapp", Purpose: followup.PurposeFollowUp, Granted: true,
		Text: "Satisfaction checks on WhatsApp", Source: "api", At: t0}))
	must(t, s.AddConsent(ctx, followup.Consent{CustomerID: "cu-b", Channel: "web", Purpose: followup.PurposeFollowUp, Granted: true, Text: "x", Source: "api", At: t0}))
	must(t, s.AddConsent(ctx, followup.Consent{CustomerID: "cu-a", Channel: "whatsapp", Purpose: followup.PurposeFollowUp, Granted: false,
		Source: "opt_out_word", Evidence: "STOP", At: t0.Add(time.Hour)}))
	got, err := s.Consents(ctx, "cu-a")
	must(t, err)
	if len(got) != 2 || !got[0].Granted || got[0].Text != "Satisfaction checks on WhatsApp" || !got[0].At.Equal(t0) ||
		got[1].Granted || got[1].Evidence != "STOP" || got[1].Source != "opt_out_word" || !got[1].At.Equal(t0.Add(time.Hour)) {
		t.Fatalf("ledger = %+v", got)
	}
}

// testFollowUps: only scheduled, due follow-ups are due; finishing one twice counts once.
func testFollowUps(t *testing.T, s FollowUpStore) {
	ctx := context.Background()
	for i, due := range []time.Time{t0.Add(2 * time.Hour), t0.Add(time.Hour), t0.Add(48 * time.Hour)} {
		must(t, s.CreateFollowUp(ctx, followup.FollowUp{ID: string(rune('a' + i)), CustomerID: "cu-a", ConversationID: "c1", Channel: "whatsapp",
			Kind: "satisfaction", Text: "How did we do?", DueAt: due, Status: followup.StatusScheduled, CreatedBy: "amy", CreatedAt: t0}))
	}
	due, err := s.DueFollowUps(ctx, t0.Add(3*time.Hour), 10)
	must(t, err)
	if len(due) != 2 || due[0].ID != "b" || due[1].ID != "a" || due[0].Text != "How did we do?" || !due[0].DueAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("due = %+v", due)
	}
	at := t0.Add(3 * time.Hour)
	f := due[0]
	f.Status, f.Reason, f.DoneAt = followup.StatusSkipped, followup.ReasonNoConsent, &at
	ok, err := s.FinishFollowUp(ctx, f)
	must(t, err)
	again, err := s.FinishFollowUp(ctx, f)
	must(t, err)
	if !ok || again {
		t.Fatalf("finish = %v then %v, want true then false", ok, again)
	}
	all, err := s.ConversationFollowUps(ctx, "c1")
	must(t, err)
	if len(all) != 3 || all[1].Status != followup.StatusSkipped || all[1].Reason != followup.ReasonNoConsent || all[1].DoneAt == nil || !all[1].DoneAt.Equal(at) {
		t.Fatalf("follow-ups = %+v", all)
	}
}
