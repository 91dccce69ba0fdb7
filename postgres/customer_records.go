package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"tandem/chat"
	"tandem/complaint"
	"tandem/followup"
)

// customerRecords adds a customer's complaint cases (with linked conversations and steps),
// consent ledger and follow-ups to their export.
func customerRecords(ctx context.Context, tx pgx.Tx, customerID string, x *chat.CustomerExport) error {
	cases, err := rowsOf(ctx, tx, scanCase, `SELECT `+caseColumns+` FROM complaint_cases WHERE customer_id = $1 ORDER BY received_at, id`, customerID)
	if err != nil {
		return fmt.Errorf("complaint cases: %w", err)
	}
	x.Complaints = []chat.CustomerComplaint{}
	for _, c := range cases {
		if c.Conversations, err = rowsOf(ctx, tx, scanString, `SELECT conversation_id FROM complaint_conversations
			WHERE case_id = $1 ORDER BY linked_at, conversation_id`, c.ID); err != nil {
			return fmt.Errorf("complaint conversations: %w", err)
		}
		steps, err := rowsOf(ctx, tx, scanStep, `SELECT case_id, kind, from_status, to_status, actor, note, at FROM complaint_steps
			WHERE case_id = $1 ORDER BY id`, c.ID)
		if err != nil {
			return fmt.Errorf("complaint steps: %w", err)
		}
		x.Complaints = append(x.Complaints, chat.CustomerComplaint{Case: mustJSON(c), Steps: jsonEach(steps)})
	}
	consents, err := rowsOf(ctx, tx, scanConsent, `SELECT id, customer_id, channel, purpose, granted, text, source, evidence, at
		FROM consents WHERE customer_id = $1 ORDER BY id`, customerID)
	if err != nil {
		return fmt.Errorf("consents: %w", err)
	}
	fus, err := rowsOf(ctx, tx, scanFollowUp, `SELECT `+followUpColumns+` FROM followups
		WHERE customer_id = $1 OR conversation_id IN (`+ownConversations+`) ORDER BY created_at, id`, customerID)
	if err != nil {
		return fmt.Errorf("follow-ups: %w", err)
	}
	x.Consents, x.FollowUps = jsonEach(consents), jsonEach(fus)
	return nil
}

func scanString(r pgx.Row) (string, error) {
	var s string
	err := r.Scan(&s)
	return s, err
}

func scanStep(r pgx.Row) (complaint.Step, error) {
	var st complaint.Step
	err := r.Scan(&st.CaseID, &st.Kind, &st.From, &st.To, &st.Actor, &st.Note, &st.At)
	st.At = st.At.UTC()
	return st, err
}

func scanConsent(r pgx.Row) (followup.Consent, error) {
	var c followup.Consent
	err := r.Scan(&c.ID, &c.CustomerID, &c.Channel, &c.Purpose, &c.Granted, &c.Text, &c.Source, &c.Evidence, &c.At)
	c.At = c.At.UTC()
	return c, err
}

func scanFollowUp(r pgx.Row) (followup.FollowUp, error) {
	var f followup.FollowUp
	err := r.Scan(&f.ID, &f.CustomerID, &f.ConversationID, &f.Channel, &f.Kind, &f.Text, &f.DueAt, &f.Status, &f.Reason,
		&f.MessageID, &f.CreatedBy, &f.CreatedAt, &f.DoneAt)
	f.DueAt, f.CreatedAt = f.DueAt.UTC(), f.CreatedAt.UTC()
	if f.DoneAt != nil {
		d := f.DoneAt.UTC()
		f.DoneAt = &d
	}
	return f, err
}

// jsonEach encodes each value; the values are the store's own types, which always encode.
func jsonEach[T any](vs []T) []json.RawMessage {
	out := make([]json.RawMessage, 0, len(vs))
	for _, v := range vs {
		out = append(out, mustJSON(v))
	}
	return out
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err))
	}
	return b
}
