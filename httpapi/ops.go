package httpapi

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"tandem/channels"
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

// readyWriteTimeout bounds readiness's test write: a store that cannot write within it is not
// ready (a probe gives up after a second or so anyway).
const readyWriteTimeout = 3 * time.Second

// readyz handles GET /readyz: the store is reachable, fully migrated and takes a write, and (with
// Ready set) the bot answers at full quality.
func (s *Server) readyz(c echo.Context) error {
	ctx := c.Request().Context()
	if err := s.Store.Ping(ctx); err != nil {
		return chat.Errorf(chat.EUNAVAILABLE, "store unreachable")
	}
	ok, err := s.Store.Migrated(ctx)
	if err != nil || !ok {
		return chat.Errorf(chat.EUNAVAILABLE, "migrations not applied")
	}
	wctx, cancel := context.WithTimeout(ctx, readyWriteTimeout)
	defer cancel()
	if err := s.Store.Heartbeat(wctx, time.Now().UTC()); err != nil {
		s.Log.Warn("readiness write failed", "err", err)
		return chat.Errorf(chat.EUNAVAILABLE, "store writes fail: %s", writeFailure(err))
	}
	if s.Ready != nil {
		if err := s.Ready(ctx); err != nil {
			return chat.Errorf(chat.EUNAVAILABLE, "not ready: %v", err)
		}
	}
	body := readiness{Status: "ready"}
	if s.LLM != nil {
		st := s.LLM.Status()
		body.LLM = &st
	}
	return c.JSON(http.StatusOK, body)
}

// writeFailure names why a write failed in words safe for an unauthenticated probe.
func writeFailure(err error) string {
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "full") || strings.Contains(msg, "no space"):
		return "disk full"
	case strings.Contains(msg, "read-only") || strings.Contains(msg, "readonly"):
		return "read-only"
	case strings.Contains(msg, "locked") || strings.Contains(msg, "busy") || errors.Is(err, context.DeadlineExceeded):
		return "timed out waiting for the database"
	}
	return "write error"
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

// webhook handles /webhooks/:channel with the channel's own handler; a channel that is not
// enabled is 404 before anything is remembered about it. A delivery whose signature checks out
// counts against the channel's rate (ChannelLimit); one that does not counts against its client
// IP's (UnsignedLimit) and is then refused by the channel, so junk never starves real deliveries.
func (s *Server) webhook(c echo.Context) error {
	name := c.Param("channel")
	var h http.Handler
	ok := false
	if s.Webhooks != nil {
		h, ok = s.Webhooks.Webhook(name)
	}
	if !ok {
		return chat.Errorf(chat.ENOTFOUND, "channel %q is not enabled", truncate(name, 64))
	}
	r := c.Request()
	limit := s.bodyLimit(webhookPath)
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, limit))
	if err != nil {
		return chat.Errorf(chat.ETOOLARGE, "delivery is over the limit of %d bytes", limit)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if a, ok := h.(channels.Authenticator); ok && !a.Authentic(r, body) {
		if err := s.UnsignedLimit.take(clientIP(c), "too many unauthenticated deliveries from this address; retry later"); err != nil {
			return err
		}
	} else if err := s.ChannelLimit.take(name, "too many deliveries for this channel; retry later"); err != nil {
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	h.ServeHTTP(c.Response(), r)
	return nil
}

// truncate cuts s to at most n bytes for a message.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
