package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/action"
	"tandem/chat"
)

var _ action.Store = (*Store)(nil)

// PutAction creates or replaces an action definition.
func (s *Store) PutAction(ctx context.Context, d action.Definition) error {
	def, _ := json.Marshal(d)
	_, err := s.pool.Exec(ctx, `INSERT INTO actions (name, definition, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
		d.Name, string(def), d.UpdatedAt)
	if err != nil {
		return fmt.Errorf("put action: %w", err)
	}
	return nil
}

// Action returns one action definition.
func (s *Store) Action(ctx context.Context, name string) (action.Definition, error) {
	var def []byte
	err := s.pool.QueryRow(ctx, `SELECT definition FROM actions WHERE name = $1`, name).Scan(&def)
	if err != nil {
		return action.Definition{}, fmt.Errorf("action: %w", notFound(err, "action "+name))
	}
	var d action.Definition
	err = json.Unmarshal(def, &d)
	return d, err
}

// Actions lists every action definition by name.
func (s *Store) Actions(ctx context.Context) ([]action.Definition, error) {
	rows, err := s.pool.Query(ctx, `SELECT definition FROM actions ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("actions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (action.Definition, error) {
		var def []byte
		var d action.Definition
		if err := r.Scan(&def); err != nil {
			return d, err
		}
		return d, json.Unmarshal(def, &d)
	})
	if err != nil {
		return nil, fmt.Errorf("actions: %w", err)
	}
	return append([]action.Definition{}, out...), nil
}

// DeleteAction removes an action definition.
func (s *Store) DeleteAction(ctx context.Context, name string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM actions WHERE name = $1`, name)
	if err != nil {
		return fmt.Errorf("delete action: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return chat.Errorf(chat.ENOTFOUND, "action %s not found", name)
	}
	return nil
}

// AddActionCall records one call of an action.
func (s *Store) AddActionCall(ctx context.Context, c action.Call) error {
	args, _ := json.Marshal(nonNilMap(c.Args))
	_, err := s.pool.Exec(ctx, `INSERT INTO action_calls (action, conversation_id, args, status, http_status, latency_ms, error, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, c.Action, c.ConversationID, string(args), c.Status, c.HTTPStatus, c.LatencyMS, c.Error, c.At)
	if err != nil {
		return fmt.Errorf("add action call: %w", err)
	}
	return nil
}

// ActionCalls lists calls made in [from, to), oldest first.
func (s *Store) ActionCalls(ctx context.Context, from, to time.Time) ([]action.Call, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, action, conversation_id, args, status, http_status, latency_ms, error, at FROM action_calls
		WHERE at >= $1 AND at < $2 ORDER BY id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("action calls: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (action.Call, error) {
		var c action.Call
		var args []byte
		err := r.Scan(&c.ID, &c.Action, &c.ConversationID, &args, &c.Status, &c.HTTPStatus, &c.LatencyMS, &c.Error, &c.At)
		c.At = c.At.UTC()
		json.Unmarshal(args, &c.Args)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("action calls: %w", err)
	}
	return append([]action.Call{}, out...), nil
}

// AddProposal stores a pending proposal.
func (s *Store) AddProposal(ctx context.Context, p action.Proposal) (action.Proposal, error) {
	args, _ := json.Marshal(nonNilMap(p.Args))
	req, _ := json.Marshal(p.Request)
	p.Status = action.ProposalPending
	err := s.pool.QueryRow(ctx, `INSERT INTO action_proposals (conversation_id, action, args, customer_text, request, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, p.ConversationID, p.Action, string(args), p.CustomerText, string(req), p.Status, p.CreatedAt).Scan(&p.ID)
	if err != nil {
		return p, fmt.Errorf("add proposal: %w", err)
	}
	return p, nil
}

const proposalColumns = `id, conversation_id, action, args, customer_text, request, status, decided_by, result, created_at, decided_at`

func scanProposal(r pgx.Row) (action.Proposal, error) {
	var p action.Proposal
	var args, req []byte
	if err := r.Scan(&p.ID, &p.ConversationID, &p.Action, &args, &p.CustomerText, &req, &p.Status, &p.DecidedBy, &p.Result,
		&p.CreatedAt, &p.DecidedAt); err != nil {
		return p, err
	}
	p.CreatedAt = p.CreatedAt.UTC()
	if p.DecidedAt != nil {
		t := p.DecidedAt.UTC()
		p.DecidedAt = &t
	}
	json.Unmarshal(args, &p.Args)
	json.Unmarshal(req, &p.Request)
	return p, nil
}

// Proposal returns one proposal of a conversation.
func (s *Store) Proposal(ctx context.Context, conversationID string, id int64) (action.Proposal, error) {
	p, err := scanProposal(s.pool.QueryRow(ctx, `SELECT `+proposalColumns+` FROM action_proposals WHERE conversation_id = $1 AND id = $2`, conversationID, id))
	if err != nil {
		return p, fmt.Errorf("proposal: %w", notFound(err, "proposal"))
	}
	return p, nil
}

// Proposals lists a conversation's proposals, oldest first.
func (s *Store) Proposals(ctx context.Context, conversationID string) ([]action.Proposal, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+proposalColumns+` FROM action_proposals WHERE conversation_id = $1 ORDER BY id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("proposals: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (action.Proposal, error) { return scanProposal(r) })
	if err != nil {
		return nil, fmt.Errorf("proposals: %w", err)
	}
	return append([]action.Proposal{}, out...), nil
}

// DecideProposal records an agent's decision on a pending proposal.
func (s *Store) DecideProposal(ctx context.Context, p action.Proposal) error {
	args, _ := json.Marshal(nonNilMap(p.Args))
	req, _ := json.Marshal(p.Request)
	tag, err := s.pool.Exec(ctx, `UPDATE action_proposals SET status = $1, decided_by = $2, args = $3, request = $4, result = $5, decided_at = $6
		WHERE conversation_id = $7 AND id = $8 AND status = 'pending'`, p.Status, p.DecidedBy, string(args), string(req), p.Result, p.DecidedAt, p.ConversationID, p.ID)
	if err != nil {
		return fmt.Errorf("decide proposal: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return chat.Errorf(chat.ECONFLICT, "proposal %d is not pending", p.ID)
	}
	return nil
}

// SetProposalResult records how a decided proposal's call went.
func (s *Store) SetProposalResult(ctx context.Context, conversationID string, id int64, status, result string) error {
	_, err := s.pool.Exec(ctx, `UPDATE action_proposals SET status = $1, result = $2 WHERE conversation_id = $3 AND id = $4`, status, result, conversationID, id)
	if err != nil {
		return fmt.Errorf("set proposal result: %w", err)
	}
	return nil
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
