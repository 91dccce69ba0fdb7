package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"tandem/chat"
)

// HTTPMetrics counts requests by route and status.
type HTTPMetrics struct {
	Requests *prometheus.CounterVec
	Seconds  *prometheus.HistogramVec
}

// NewHTTPMetrics registers the HTTP metrics on reg.
func NewHTTPMetrics(reg prometheus.Registerer) *HTTPMetrics {
	m := &HTTPMetrics{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tandem_http_requests_total", Help: "HTTP requests by route and status."}, []string{"method", "route", "status"}),
		Seconds:  prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tandem_http_request_seconds", Help: "HTTP request time by route.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}, []string{"route"}),
	}
	reg.MustRegister(m.Requests, m.Seconds)
	return m
}

func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		if s.HTTP != nil {
			s.HTTP.Requests.WithLabelValues(c.Request().Method, route, strconv.Itoa(c.Response().Status)).Inc()
			s.HTTP.Seconds.WithLabelValues(route).Observe(time.Since(start).Seconds())
		}
		return nil
	}
}

// recover turns a handler panic into a 500 instead of a crashed process.
func (s *Server) recover(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

// limitBody refuses a declared oversized body before reading it.
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		limit := s.bodyLimit(c.Path())
		if c.Request().ContentLength > limit {
			return chat.Errorf(chat.ETOOLARGE, "request body is %d bytes; the limit is %d", c.Request().ContentLength, limit)
		}
		return next(c)
	}
}

// bodyLimit is the largest body a route takes: uploads and webhooks take more than JSON APIs.
func (s *Server) bodyLimit(route string) int64 {
	switch route {
	case kbImportPath, intentsImportPath:
		return s.maxUpload()
	case webhookPath:
		return max(s.MaxBodyBytes, maxWebhookBytes)
	}
	return s.MaxBodyBytes
}

// slowRoutes take large uploads or work for long inside the request. (WebSockets need no entry:
// net/http clears a connection's deadlines when it is hijacked, and sockets have their own pings
// and idle limit.)
var slowRoutes = map[string]bool{kbImportPath: true, intentsImportPath: true, "/api/trainer/intents/preview": true}

// slowRouteTimeout is how long a slow route's request and response may take.
const slowRouteTimeout = 10 * time.Minute

// deadlines extends the server's read and write timeouts (http.Server ReadTimeout, WriteTimeout)
// to slowRouteTimeout for slow routes.
func (s *Server) deadlines(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if slowRoutes[c.Path()] {
			until := time.Now().Add(slowRouteTimeout)
			rc := http.NewResponseController(c.Response())
			rc.SetReadDeadline(until) // not supported by a test recorder: then there is nothing to extend
			rc.SetWriteDeadline(until)
		}
		return next(c)
	}
}
