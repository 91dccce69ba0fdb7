package httpapi

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
)

// ChannelField is one setting of a channel as admins see it: secrets masked.
type ChannelField struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Secret   bool   `json:"secret"`
	Required bool   `json:"required"`
	Value    string `json:"value"` // a secret's last 4 characters after "••••", or ""
}

// Channel is a messaging channel's configuration as admins see it.
type Channel struct {
	Name    string         `json:"name"`
	Enabled bool           `json:"enabled"`
	Source  string         `json:"source"` // "admin" (stored settings), "env" (environment) or ""
	Webhook string         `json:"webhook"`
	Fields  []ChannelField `json:"fields"`
}

// ChannelAdmin configures channels at run time.
type ChannelAdmin interface {
	Channels(ctx context.Context) ([]Channel, error)
	// PutChannel stores settings for a channel (a secret left masked or empty keeps its value),
	// validates them and enables the channel on every replica.
	PutChannel(ctx context.Context, name string, fields map[string]string) (Channel, error)
	// DeleteChannel removes a channel's stored settings.
	DeleteChannel(ctx context.Context, name string) error
}

// adminRoutes registers the admin API (admin sessions only).
func (s *Server) adminRoutes(e *echo.Echo) {
	g := e.Group("/api/admin", s.requireSession("admin"))
	g.GET("/channels", s.adminChannels)
	g.PUT("/channels/:name", s.adminPutChannel)
	g.DELETE("/channels/:name", s.adminDeleteChannel)
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
