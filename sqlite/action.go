package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"tandem/action"
	"tandem/chat"
)

var _ action.Store = (*Store)(nil)

// PutAction creates or replaces an action definition.
func (s *Store) PutAction(ctx context.Context, d action.Definition) error {
	def, _ := json.Marshal(d)
	_, err := s.db.ExecContext(ctx, `INSERT INTO actions (name, definition, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
		d.Name, string(def), micros(d.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put action: %w", err)
	}
	return nil
}

// Action returns one action definition.
func (s *Store) Action(ctx context.Context, name string) (action.Definition, error) {
	var def string
	err := s.db.QueryRowContext(ctx, `SELECT definition FROM actions WHERE name = ?`, name).Scan(&def)
	if err != nil {
		return action.Definition{}, fmt.Errorf("action: %w", notFound(err, "action "+name))
	}
	var d action.Definition
	err = json.Unmarshal([]byte(def), &d)
	return d, err
}

// Actions lists every action definition by name.
func (s *Store) Actions(ctx context.Context) ([]action.Definition, error) {
	return collect(ctx, s.db, "actions", func(sc rowScanner) (action.Definition, error) {
		var def string
		var d action.Definition
		if err := sc.Scan(&def); err != nil {
			return d, err
		}
		err := json.Unmarshal([]byte(def), &d)
		return d, err
	}, `SELECT definition FROM actions ORDER BY name`)
}

// DeleteAction removes an action definition.
func (s *Store) DeleteAction(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM actions WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("delete action: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chat.Errorf(chat.ENOTFOUND, "action %s not found", name)
	}
	return nil
}

// AddActionCall records one call of an action.
func (s *Store) AddActionCall(ctx context.Context, c action.Call) error {
	args, _ := json.Marshal(nonNilAttrs(c.Args))
	_, err := s.db.ExecContext(ctx, `INSERT INTO action_calls (action, conversation_id, args, status, http_status, latency_ms, error, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.Action, c.ConversationID, string(args), c.Status, c.HTTPStatus, c.LatencyMS, c.Error, micros(c.At))
	if err != nil {
		return fmt.Errorf("add action call: %w", err)
	}
	return nil
}

// ActionCalls lists calls made in [from, to), oldest first.
func (s *Store) ActionCalls(ctx context.Context, from, to time.Time) ([]action.Call, error) {
	return collect(ctx, s.db, "action calls", func(sc rowScanner) (action.Call, error) {
		var c action.Call
		var args string
		err := sc.Scan(&c.ID, &c.Action, &c.ConversationID, &args, &c.Status, &c.HTTPStatus, &c.LatencyMS, &c.Error, (*microTime)(&c.At))
		json.Unmarshal([]byte(args), &c.Args)
		return c, err
	}, `SELECT id, action, conversation_id, args, status, http_status, latency_ms, error, at FROM action_calls
		WHERE at >= ? AND at < ? ORDER BY id`, micros(from), micros(to))
}

// AddProposal stores a pending proposal.
func (s *Store) AddProposal(ctx context.Context, p action.Proposal) (action.Proposal, error) {
	args, _ := json.Marshal(nonNilAttrs(p.Args))
	req, _ := json.Marshal(p.Request)
	p.Status = action.ProposalPending
	err := s.db.QueryRowContext(ctx, `INSERT INTO action_proposals (conversation_id, action, args, customer_text, request, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.ConversationID, p.Action, string(args), p.CustomerText, string(req), p.Status, micros(p.CreatedAt)).Scan(&p.ID)
	if err != nil {
		return p, fmt.Errorf("add proposal: %w", err)
	}
	return p, nil
}

const proposalColumns = `id, conversation_id, action, args, customer_text, request, status, decided_by, result, created_at, decided_at`

func scanProposal(sc rowScanner) (action.Proposal, error) {
	var p action.Proposal
	var args, req string
	var decided sql.NullInt64
	if err := sc.Scan(&p.ID, &p.ConversationID, &p.Action, &args, &p.CustomerText, &req, &p.Status, &p.DecidedBy, &p.Result,
		(*microTime)(&p.CreatedAt), &decided); err != nil {
		return p, err
	}
	json.Unmarshal([]byte(args), &p.Args)
	json.Unmarshal([]byte(req), &p.Request)
	if decided.Valid {
		t := fromMicros(decided.Int64)
		p.DecidedAt = &t
	}
	return p, nil
}

// Proposal returns one proposal of a conversation.
func (s *Store) Proposal(ctx context.Context, conversationID string, id int64) (action.Proposal, error) {
	p, err := scanProposal(s.db.QueryRowContext(ctx, `SELECT `+proposalColumns+` FROM action_proposals WHERE conversation_id = ? AND id = ?`, conversationID, id))
	if err != nil {
		return p, fmt.Errorf("proposal: %w", notFound(err, "proposal"))
	}
	return p, nil
}

// Proposals lists a conversation's proposals, oldest first.
func (s *Store) Proposals(ctx context.Context, conversationID string) ([]action.Proposal, error) {
	return collect(ctx, s.db, "proposals", scanProposal, `SELECT `+proposalColumns+` FROM action_proposals WHERE conversation_id = ? ORDER BY id`, conversationID)
}

// DecideProposal records an agent's decision on a pending proposal.
func (s *Store) DecideProposal(ctx context.Context, p action.Proposal) error {
	args, _ := json.Marshal(nonNilAttrs(p.Args))
	req, _ := json.Marshal(p.Request)
	var at int64
	if p.DecidedAt != nil {
		at = micros(*p.DecidedAt)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE action_proposals SET status = ?, decided_by = ?, args = ?, request = ?, result = ?, decided_at = ?
		WHERE conversation_id = ? AND id = ? AND status = 'pending'`, p.Status, p.DecidedBy, string(args), string(req), p.Result, at, p.ConversationID, p.ID)
	if err != nil {
		return fmt.Errorf("decide proposal: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chat.Errorf(chat.ECONFLICT, "proposal %d is not pending", p.ID)
	}
	return nil
}

// SetProposalResult records how a decided proposal's call went.
func (s *Store) SetProposalResult(ctx context.Context, conversationID string, id int64, status, result string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE action_proposals SET status = ?, result = ? WHERE conversation_id = ? AND id = ?`, status, result, conversationID, id)
	if err != nil {
		return fmt.Errorf("set proposal result: %w", err)
	}
	return nil
}
