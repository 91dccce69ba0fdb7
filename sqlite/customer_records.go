package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"tandem/chat"
	"tandem/complaint"
	"tandem/followup"
)

// customerRecords adds a customer's complaint cases (with linked conversations and steps),
// consent ledger and follow-ups to their export.
func customerRecords(ctx context.Context, tx *sql.Tx, customerID string, x *chat.CustomerExport) error {
	cases, err := rowsOf(ctx, tx, scanCase, `SELECT `+caseColumns+` FROM complaint_cases WHERE customer_id = ? ORDER BY received_at, id`, customerID)
	if err != nil {
		return fmt.Errorf("complaint cases: %w", err)
	}
	x.Complaints = []chat.CustomerComplaint{}
	for _, c := range cases {
		if c.Conversations, err = rowsOf(ctx, tx, scanString, `SELECT conversation_id FROM complaint_conversations
			WHERE case_id = ? ORDER BY linked_at, rowid`, c.ID); err != nil {
			return fmt.Errorf("complaint conversations: %w", err)
		}
		steps, err := rowsOf(ctx, tx, scanStep, `SELECT case_id, kind, from_status, to_status, actor, note, at FROM complaint_steps
			WHERE case_id = ? ORDER BY id`, c.ID)
		if err != nil {
			return fmt.Errorf("complaint steps: %w", err)
		}
		x.Complaints = append(x.Complaints, chat.CustomerComplaint{Case: mustJSON(c), Steps: jsonEach(steps)})
	}
	consents, err := rowsOf(ctx, tx, scanConsent, `SELECT id, customer_id, channel, purpose, granted, text, source, evidence, at
		FROM consents WHERE customer_id = ? ORDER BY id`, customerID)
	if err != nil {
		return fmt.Errorf("consents: %w", err)
	}
	fus, err := rowsOf(ctx, tx, scanFollowUp, `SELECT `+followUpColumns+` FROM followups
		WHERE customer_id = ?1 OR conversation_id IN (`+ownConversations+`) ORDER BY created_at, id`, customerID)
	if err != nil {
		return fmt.Errorf("follow-ups: %w", err)
	}
	x.Consents, x.FollowUps = jsonEach(consents), jsonEach(fus)
	return nil
}

func scanString(sc rowScanner) (string, error) {
	var s string
	err := sc.Scan(&s)
	return s, err
}

func scanStep(sc rowScanner) (complaint.Step, error) {
	var st complaint.Step
	err := sc.Scan(&st.CaseID, &st.Kind, &st.From, &st.To, &st.Actor, &st.Note, (*microTime)(&st.At))
	return st, err
}

func scanConsent(sc rowScanner) (followup.Consent, error) {
	var c followup.Consent
	err := sc.Scan(&c.ID, &c.CustomerID, &c.Channel, &c.Purpose, &c.Granted, &c.Text, &c.Source, &c.Evidence, (*microTime)(&c.At))
	return c, err
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
