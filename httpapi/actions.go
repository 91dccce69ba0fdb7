package httpapi

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"tandem/action"
	"tandem/chat"
)

// ActionsAPI serves bot actions: their definitions (admin), their call figures (trainer and
// admin) and the proposals agents approve (console).
type ActionsAPI struct {
	Store     action.Store
	Approvals *action.Approvals
}

// actionAdminRoutes registers /api/admin/actions on the admin group.
func (s *Server) actionAdminRoutes(g *echo.Group) {
	g.GET("/actions", s.actionsList)
	g.GET("/actions/export", s.actionsExport)
	g.POST("/actions/import", s.actionsImport)
	g.GET("/actions/stats", s.actionStats)
	g.GET("/actions/:name", s.actionGet)
	g.PUT("/actions/:name", s.actionPut)
	g.DELETE("/actions/:name", s.actionDelete)
}

// actionConsoleRoutes registers the proposals of a conversation on the console group.
func (s *Server) actionConsoleRoutes(a *echo.Group) {
	a.GET("/conversations/:id/proposals", s.proposalsList, s.mayView)
	a.POST("/conversations/:id/proposals/:proposal/approve", s.proposalApprove, s.mayView)
	a.POST("/conversations/:id/proposals/:proposal/reject", s.proposalReject, s.mayView)
}

// actionsList handles GET /api/admin/actions: every definition, secrets masked.
func (s *Server) actionsList(c echo.Context) error {
	defs, err := s.Actions.Store.Actions(c.Request().Context())
	if err != nil {
		return err
	}
	for i := range defs {
		defs[i] = defs[i].Masked()
	}
	return c.JSON(http.StatusOK, map[string]any{"actions": defs})
}

// actionsExport handles GET /api/admin/actions/export: a file import reads back (secrets masked;
// importing it keeps the stored ones).
func (s *Server) actionsExport(c echo.Context) error {
	c.Response().Header().Set("Content-Disposition", `attachment; filename="actions.json"`)
	return s.actionsList(c)
}

// actionGet handles GET /api/admin/actions/:name.
func (s *Server) actionGet(c echo.Context) error {
	d, err := s.Actions.Store.Action(c.Request().Context(), c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d.Masked())
}

// actionPut handles PUT /api/admin/actions/:name with a definition: validated, secrets left
// masked keep their stored value.
func (s *Server) actionPut(c echo.Context) error {
	var d action.Definition
	if err := s.bind(c, &d); err != nil {
		return err
	}
	d.Name = c.Param("name")
	d, err := s.saveAction(c.Request().Context(), d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d.Masked())
}

// saveAction validates and stores one definition.
func (s *Server) saveAction(ctx context.Context, d action.Definition) (action.Definition, error) {
	old, err := s.Actions.Store.Action(ctx, d.Name)
	if err == nil {
		d = d.KeepSecrets(old)
	} else if chat.ErrorCode(err) != chat.ENOTFOUND {
		return d, err
	}
	if err := action.Validate(d); err != nil {
		return d, err
	}
	d.UpdatedAt = time.Now().UTC()
	return d, s.Actions.Store.PutAction(ctx, d)
}

// actionsImport handles POST /api/admin/actions/import with an export file: all definitions are
// checked before any is stored.
func (s *Server) actionsImport(c echo.Context) error {
	data, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, s.MaxBodyBytes))
	if err != nil {
		return chat.Errorf(chat.ETOOLARGE, "the file is over the limit of %d bytes", s.MaxBodyBytes)
	}
	ctx := c.Request().Context()
	defs, err := action.ParseFileLoose(data)
	if err != nil {
		return err
	}
	for i, d := range defs { // secrets left masked in an export keep their stored values
		if old, err := s.Actions.Store.Action(ctx, d.Name); err == nil {
			defs[i] = d.KeepSecrets(old)
		}
		if err := action.Validate(defs[i]); err != nil {
			return err
		}
	}
	for _, d := range defs {
		if _, err := s.saveAction(ctx, d); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"imported": len(defs)})
}

// actionDelete handles DELETE /api/admin/actions/:name.
func (s *Server) actionDelete(c echo.Context) error {
	if err := s.Actions.Store.DeleteAction(c.Request().Context(), c.Param("name")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// actionStats handles GET /api/admin/actions/stats and /api/trainer/actions/stats?from=&to=
// (default: the last 7 days): calls, success rate and p95 latency per action.
func (s *Server) actionStats(c echo.Context) error {
	return s.overRange(c, 7, func(ctx context.Context, from, to time.Time) (any, error) {
		calls, err := s.Actions.Store.ActionCalls(ctx, from, to)
		if err != nil {
			return nil, err
		}
		return map[string]any{"from": from, "to": to, "actions": action.Stats(calls)}, nil
	})
}

// proposalsList handles GET /api/console/conversations/:id/proposals.
func (s *Server) proposalsList(c echo.Context) error {
	ps, err := s.Actions.Store.Proposals(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"proposals": ps})
}

type approveRequest struct {
	Args map[string]string `json:"args"` // edited arguments; empty: as proposed
}

// proposalApprove handles POST /api/console/conversations/:id/proposals/:proposal/approve: the
// agent who holds the conversation sends the write, and its result goes to the customer as
// their reply.
func (s *Server) proposalApprove(c echo.Context) error {
	var req approveRequest
	if c.Request().ContentLength != 0 {
		if err := s.bind(c, &req); err != nil {
			return err
		}
	}
	ctx := c.Request().Context()
	conv, id, err := s.heldProposal(c)
	if err != nil {
		return err
	}
	if len(req.Args) == 0 {
		req.Args = nil
	}
	p, text, err := s.Actions.Approvals.Approve(ctx, conv, id, session(c).Username, req.Args)
	if err != nil {
		return err
	}
	// noDraft: the result is not a bot draft the agent edited.
	const noDraft = -1
	m, err := s.Desk.AgentReply(ctx, session(c).Username, conv.ID, text, noDraft)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"proposal": p, "message": m})
}

// proposalReject handles POST /api/console/conversations/:id/proposals/:proposal/reject.
func (s *Server) proposalReject(c echo.Context) error {
	conv, id, err := s.heldProposal(c)
	if err != nil {
		return err
	}
	p, err := s.Actions.Approvals.Reject(c.Request().Context(), conv.ID, id, session(c).Username)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"proposal": p})
}

// heldProposal reads the proposal id and checks the agent holds the conversation: only the
// person talking to the customer decides what is sent for them.
func (s *Server) heldProposal(c echo.Context) (chat.Conversation, int64, error) {
	id, err := strconv.ParseInt(c.Param("proposal"), 10, 64)
	if err != nil {
		return chat.Conversation{}, 0, chat.Errorf(chat.EINVALID, "proposal must be a number")
	}
	conv, err := s.Desk.Store.Conversation(c.Request().Context(), c.Param("id"))
	if err != nil {
		return conv, 0, err
	}
	if conv.Owner != chat.OwnerHuman || conv.Assignee != session(c).Username {
		return conv, 0, chat.Errorf(chat.EFORBIDDEN, "accept the conversation before deciding its proposals")
	}
	return conv, id, nil
}
