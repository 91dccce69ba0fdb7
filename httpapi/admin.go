package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"tandem/channels"
	"tandem/chat"
)

// ChannelAdmin configures channels at run time.
type ChannelAdmin interface {
	Channels(ctx context.Context) ([]channels.View, error)
	// PutChannel stores settings for a channel (a secret left masked or empty keeps its value),
	// validates them and enables the channel on every replica.
	PutChannel(ctx context.Context, name string, fields map[string]string) (channels.View, error)
	// DeleteChannel removes a channel's stored settings.
	DeleteChannel(ctx context.Context, name string) error
}

// AdminStore keeps the accounts and the audit log, and exports and erases customers' data.
type AdminStore interface {
	CustomerAdmin
	Accounts(ctx context.Context) ([]chat.Account, error)
	DisableAccount(ctx context.Context, username string, at time.Time) error
	AddAudit(ctx context.Context, e chat.AuditEntry) error
	Audit(ctx context.Context, actor string, limit int) ([]chat.AuditEntry, error)
}

// adminRoutes registers the admin API (admin sessions only).
func (s *Server) adminRoutes(e *echo.Echo) {
	g := e.Group("/api/admin", s.requireSession("admin"), s.audit)
	if s.Channels != nil {
		g.GET("/channels", s.adminChannels)
		g.PUT("/channels/:name", s.adminPutChannel)
		g.DELETE("/channels/:name", s.adminDeleteChannel)
	}
	g.GET("/widget-origins", s.adminWidgetOrigins)
	g.PUT("/widget-origins", s.adminPutWidgetOrigins)
	if s.Admin != nil {
		g.GET("/users", s.adminUsers)
		g.POST("/users/:username/disable", s.adminDisableUser)
		g.GET("/audit", s.adminAudit)
		g.GET("/customers", s.customerLookup)
		g.GET("/customers/:id/export", s.customerExport, s.auditRead)
		g.DELETE("/customers/:id", s.customerErase)
	}
	if s.Actions != nil {
		s.actionAdminRoutes(g)
	}
}

// unaudited are the writes that change nothing anyone audits: an agent's presence (set at every
// sign-in and on every status change, and already in the agents list) and typing notices.
var unaudited = map[string]bool{
	"PUT /api/console/presence":                  true,
	"POST /api/console/conversations/:id/typing": true,
}

// audit records every change made with a console session or an API key: who, what, on what, and
// the outcome.
func (s *Server) audit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if c.Request().Method != http.MethodGet && !unaudited[c.Request().Method+" "+c.Path()] {
			s.record(c, err)
		}
		return err
	}
}

// record adds the request to the audit log: who, what, on what, and the outcome.
func (s *Server) record(c echo.Context, err error) {
	if s.Admin == nil {
		return
	}
	status := c.Response().Status
	if err != nil {
		status = statusForCode(chat.ErrorCode(err))
	}
	actor, role := auditActor(c)
	target := c.Param("id")
	for _, p := range []string{"name", "username"} {
		if v := c.Param(p); v != "" && target == "" {
			target = v
		}
	}
	e := chat.AuditEntry{At: time.Now().UTC(), Actor: actor, Role: role, Action: c.Request().Method + " " + c.Path(),
		Target: target, Status: status}
	if aerr := s.Admin.AddAudit(context.WithoutCancel(c.Request().Context()), e); aerr != nil {
		s.Log.Error("audit log write failed", "actor", e.Actor, "action", e.Action, "err", aerr)
	}
}

// auditActor names who made the request: the session's user and role, or "key:ID" for an API key.
func auditActor(c echo.Context) (actor, role string) {
	if k, ok := c.Get("api_key").(chat.APIKey); ok {
		return "key:" + k.ID, "api_key"
	}
	sess := session(c)
	return sess.Username, sess.Role
}

// adminUsers handles GET /api/admin/users.
func (s *Server) adminUsers(c echo.Context) error {
	users, err := s.Admin.Accounts(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"users": users})
}

// adminDisableUser handles POST /api/admin/users/:username/disable.
func (s *Server) adminDisableUser(c echo.Context) error {
	if c.Param("username") == session(c).Username {
		return chat.Errorf(chat.EINVALID, "you cannot disable your own account")
	}
	if err := s.Admin.DisableAccount(c.Request().Context(), c.Param("username"), time.Now().UTC()); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// adminAudit handles GET /api/admin/audit?actor=&limit=.
func (s *Server) adminAudit(c echo.Context) error {
	limit := 500
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5000 {
			return chat.Errorf(chat.EINVALID, "limit is 1 to 5000")
		}
		limit = n
	}
	entries, err := s.Admin.Audit(c.Request().Context(), c.QueryParam("actor"), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": entries})
}

// adminChannels handles GET /api/admin/channels.
func (s *Server) adminChannels(c echo.Context) error {
	chs, err := s.Channels.Channels(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"channels": chs})
}

type channelRequest struct {
	Fields map[string]string `json:"fields"`
}

// adminPutChannel handles PUT /api/admin/channels/:name {"fields":{…}}.
func (s *Server) adminPutChannel(c echo.Context) error {
	var req channelRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	ch, err := s.Channels.PutChannel(c.Request().Context(), c.Param("name"), req.Fields)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ch)
}

// adminDeleteChannel handles DELETE /api/admin/channels/:name.
func (s *Server) adminDeleteChannel(c echo.Context) error {
	if err := s.Channels.DeleteChannel(c.Request().Context(), c.Param("name")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
