package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"tandem/chat"
	"tandem/llm"
)

//go:embed openapi.json
var openAPISpec []byte

// healthz handles GET /healthz: the process is up.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// LLMStatus reports whether the LLM is being used (llm.Chat).
type LLMStatus interface {
	Status() llm.Status
}

// readiness is the body of GET /readyz. LLM says whether generated answers are in use and, if
// not, why (the bot answers extractively meanwhile, so it does not make the replica unready).
type readiness struct {
	Status string      `json:"status"`
	LLM    *llm.Status `json:"llm,omitempty"`
}

// readyz handles GET /readyz: the store is reachable and fully migrated.
func (s *Server) readyz(c echo.Context) error {
	ctx := c.Request().Context()
	if err := s.Store.Ping(ctx); err != nil {
		return chat.Errorf(chat.EUNAVAILABLE, "store unreachable")
	}
	ok, err := s.Store.Migrated(ctx)
	if err != nil || !ok {
		return chat.Errorf(chat.EUNAVAILABLE, "migrations not applied")
	}
	body := readiness{Status: "ready"}
	if s.LLM != nil {
		st := s.LLM.Status()
		body.LLM = &st
	}
	return c.JSON(http.StatusOK, body)
}

// metrics handles GET /metrics in the Prometheus text format.
func (s *Server) metrics(c echo.Context) error {
	promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}).ServeHTTP(c.Response(), c.Request())
	return nil
}

// openAPI handles GET /api/openapi.json.
func (s *Server) openAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/json", openAPISpec)
}

// webhook handles POST /webhooks/:channel with the channel's own handler; a channel that is not
// enabled is 404.
func (s *Server) webhook(c echo.Context) error {
	var h http.Handler
	ok := false
	if s.Webhooks != nil {
		h, ok = s.Webhooks.Webhook(c.Param("channel"))
	}
	if !ok {
		return chat.Errorf(chat.ENOTFOUND, "channel %q is not enabled", c.Param("channel"))
	}
	h.ServeHTTP(c.Response(), c.Request())
	return nil
}
