package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"tandem/chat"
	"tandem/complaint"
)

// complaintRoutes registers the complaints API of the console (a: the console group).
func (s *Server) complaintRoutes(a *echo.Group) {
	a.GET("/complaints", s.complaintList)
	a.GET("/complaints/report", s.complaintReport)
	a.GET("/complaints/:id", s.complaintGet)
	a.POST("/complaints/:id/status", s.complaintStatus)
	a.POST("/complaints/:id/close", s.complaintClose)
	a.POST("/complaints/:id/reopen", s.complaintReopen)
	a.POST("/complaints/:id/extend", s.complaintExtend)
	a.POST("/complaints/:id/assign", s.complaintAssign)
	a.POST("/complaints/:id/pause", s.complaintPause)
	a.POST("/complaints/:id/resume", s.complaintResume)
	a.POST("/conversations/:id/complaint", s.complaintOpen, s.mayView)
	a.PUT("/conversations/:id/care", s.putCare, s.mayView)
}

type careRequest struct {
	Care bool `json:"care"`
}

// putCare handles PUT /api/console/conversations/:id/care {care}: an agent sets or clears the
// customer's care flag (priority care regardless of age).
func (s *Server) putCare(c echo.Context) error {
	var req careRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	conv, err := s.Desk.Store.Conversation(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	cu, err := s.Desk.Store.Customer(ctx, conv.CustomerID)
	if err != nil {
		return err
	}
	attrs := map[string]string{}
	for k, v := range cu.Attrs {
		attrs[k] = v
	}
	attrs["care"] = strconv.FormatBool(req.Care)
	cu.Attrs = attrs
	if cu, err = s.Desk.Store.UpsertCustomer(ctx, cu); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, customerView{ID: cu.ID, ExternalID: cu.ExternalID, Name: cu.Name, Attrs: cu.Attrs})
}

// complaints is the complaint service, or unavailable when none is configured.
func (s *Server) complaints() (*complaint.Service, error) {
	if s.Complaints == nil {
		return nil, chat.Errorf(chat.EUNAVAILABLE, "complaint cases are not configured")
	}
	return s.Complaints, nil
}

// caseRow is a case in the complaints list: whether it is past due, and the seconds left.
type caseRow struct {
	complaint.Case
	Breached   bool  `json:"breached"`
	DueSeconds int64 `json:"due_seconds"` // negative once overdue
}

// complaintList handles GET /api/console/complaints: open cases, due soonest first.
func (s *Server) complaintList(c echo.Context) error {
	cs, err := s.complaints()
	if err != nil {
		return err
	}
	cases, err := cs.OpenCases(c.Request().Context())
	if err != nil {
		return err
	}
	now := cs.Now()
	rows := make([]caseRow, len(cases))
	for i, k := range cases {
		rows[i] = caseRow{Case: k, Breached: k.Breached(now), DueSeconds: int64(k.DueAt.Sub(now).Seconds())}
	}
	return c.JSON(http.StatusOK, map[string]any{"cases": rows})
}

// complaintGet handles GET /api/console/complaints/:id (an id or a case number).
func (s *Server) complaintGet(c echo.Context) error {
	cs, err := s.complaints()
	if err != nil {
		return err
	}
	k, steps, err := cs.Case(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	now := cs.Now()
	return c.JSON(http.StatusOK, map[string]any{"case": caseRow{Case: k, Breached: k.Breached(now), DueSeconds: int64(k.DueAt.Sub(now).Seconds())},
		"steps": steps, "rule": cs.Config.Rule(k.Category)})
}

type complaintStepRequest struct {
	Status     complaint.Status `json:"status"`
	Note       string           `json:"note"`
	Resolution string           `json:"resolution"`
	RootCause  string           `json:"root_cause"`
	Level      int              `json:"level"`
	Owner      string           `json:"owner"`
}

// complaintStep binds a step request and runs fn with the service, the agent and the request.
func (s *Server) complaintStep(c echo.Context, fn func(cs *complaint.Service, actor string, req complaintStepRequest) (complaint.Case, error)) error {
	cs, err := s.complaints()
	if err != nil {
		return err
	}
	var req complaintStepRequest
	if c.Request().ContentLength != 0 {
		if err := s.bind(c, &req); err != nil {
			return err
		}
	}
	k, err := fn(cs, session(c).Username, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, k)
}

// complaintStatus handles POST /api/console/complaints/:id/status {status, note}.
func (s *Server) complaintStatus(c echo.Context) error {
	return s.complaintStep(c, func(cs *complaint.Service, actor string, req complaintStepRequest) (complaint.Case, error) {
		return cs.Move(c.Request().Context(), c.Param("id"), actor, req.Status, req.Note)
	})
}

// complaintClose handles POST /api/console/complaints/:id/close {resolution, root_cause}.
func (s *Server) complaintClose(c echo.Context) error {
	return s.complaintStep(c, func(cs *complaint.Service, actor string, req complaintStepRequest) (complaint.Case, error) {
		return cs.Close(c.Request().Context(), c.Param("id"), actor, req.Resolution, req.RootCause)
	})
}

// complaintReopen handles POST /api/console/complaints/:id/reopen {note}.
func (s *Server) complaintReopen(c echo.Context) error {
	return s.complaintStep(c, func(cs *complaint.Service, actor string, req complaintStepRequest) (complaint.Case, error) {
		return cs.Reopen(c.Request().Context(), c.Param("id"), actor, req.Note)
	})
}

// complaintExtend handles POST /api/console/complaints/:id/extend {level, note}: level 1 is
// the complex period; level 2, the further period, is approved by an admin's session.
func (s *Server) complaintExtend(c echo.Context) error {
	return s.complaintStep(c, func(cs *complaint.Service, actor string, req complaintStepRequest) (complaint.Case, error) {
		approver := ""
		if session(c).Role == "admin" {
			approver = actor
		}
		return cs.Extend(c.Request().Context(), c.Param("id"), actor, req.Level, req.Note, approver)
	})
}

// complaintAssign handles POST /api/console/complaints/:id/assign {owner}.
func (s *Server) complaintAssign(c echo.Context) error {
	return s.complaintStep(c, func(cs *complaint.Service, actor string, req complaintStepRequest) (complaint.Case, error) {
		return cs.Assign(c.Request().Context(), c.Param("id"), actor, req.Owner)
	})
}

// complaintPause handles POST /api/console/complaints/:id/pause {note}.
func (s *Server) complaintPause(c echo.Context) error {
	return s.complaintStep(c, func(cs *complaint.Service, actor string, req complaintStepRequest) (complaint.Case, error) {
		return cs.Pause(c.Request().Context(), c.Param("id"), actor, req.Note)
	})
}

// complaintResume handles POST /api/console/complaints/:id/resume.
func (s *Server) complaintResume(c echo.Context) error {
	return s.complaintStep(c, func(cs *complaint.Service, actor string, _ complaintStepRequest) (complaint.Case, error) {
		return cs.Resume(c.Request().Context(), c.Param("id"), actor)
	})
}

// complaintOpen handles POST /api/console/conversations/:id/complaint {category, severity,
// summary}: an agent opens a case from any conversation they may see.
func (s *Server) complaintOpen(c echo.Context) error {
	return s.openComplaint(c, session(c).Username)
}

// appComplaintOpen handles POST /api/v1/conversations/:id/complaint.
func (s *Server) appComplaintOpen(c echo.Context) error { return s.openComplaint(c, "api") }

func (s *Server) openComplaint(c echo.Context, actor string) error {
	cs, err := s.complaints()
	if err != nil {
		return err
	}
	var req complaint.OpenRequest
	if c.Request().ContentLength != 0 {
		if err := s.bind(c, &req); err != nil {
			return err
		}
	}
	k, err := cs.Open(c.Request().Context(), c.Param("id"), actor, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, k)
}

// appComplaintGet handles GET /api/v1/conversations/:id/complaint: the conversation's case.
func (s *Server) appComplaintGet(c echo.Context) error {
	cs, err := s.complaints()
	if err != nil {
		return err
	}
	k, err := cs.Store.ConversationCase(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, k)
}

// complaintReport handles GET /api/console/complaints/report?days=N: the analytics of cases
// received in the last N days (default 90, at most 730).
func (s *Server) complaintReport(c echo.Context) error {
	cs, err := s.complaints()
	if err != nil {
		return err
	}
	d, err := queryInt(c, "days", complaintReportDays, 1, maxComplaintReportDays)
	if err != nil {
		return err
	}
	now := cs.Now()
	r, err := cs.Report(c.Request().Context(), now.AddDate(0, 0, -d), now.Add(time.Second))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// The complaints report's default and longest period, in days.
const (
	complaintReportDays    = 90
	maxComplaintReportDays = 730
)

// queryInt reads an optional whole-number query parameter within [lo, hi].
func queryInt(c echo.Context, name string, def, lo, hi int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, chat.Errorf(chat.EINVALID, "%s must be a whole number from %d to %d", name, lo, hi)
	}
	return n, nil
}
