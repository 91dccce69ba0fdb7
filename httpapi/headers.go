package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"

	"tandem/chat"
)

// pagePolicy is the Content-Security-Policy of Tandem's own pages: scripts and connections to this
// origin only, inline styles (the widget's Shadow DOM carries its stylesheet), never framed.
// Inline scripts of an embedded page are allowed by their hash (see inlineScriptHashes).
const pagePolicy = "default-src 'self'; script-src 'self'%s; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries: no MIME sniffing, no referrer to other
// origins, no framing, and the page policy (a handler may set a stricter one). widget.js is a
// script that other sites embed with a <script> tag, which none of these prevent.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", strings.Replace(pagePolicy, "%s", "", 1))
		return next(c)
	}
}

var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// pageCSP is the page policy allowing exactly the inline scripts of page by their SHA-256.
func pageCSP(page []byte) string {
	var hashes strings.Builder
	for _, m := range inlineScript.FindAllSubmatch(page, -1) {
		sum := sha256.Sum256(m[1])
		hashes.WriteString(" 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'")
	}
	return strings.Replace(pagePolicy, "%s", hashes.String(), 1)
}

// allowedOrigin reports whether a browser Origin may use the widget API: this server itself, or
// one of the origins an admin listed.
func (s *Server) allowedOrigin(r *http.Request, origin string) bool {
	if u, err := url.Parse(origin); err == nil && u.Host == r.Host {
		return true
	}
	return s.Origins.allowed(origin)
}

// widgetCORS is the widget API's cross-origin policy. A request from a listed origin gets
// Access-Control-Allow-Origin for that origin (no credentials: the widget authenticates with its
// visitor token, never a cookie); a browser request from any other site is refused with 403 —
// sockets included, since a browser always sends Origin on a WebSocket handshake. Requests
// without Origin (apps, curl) are not browsers' and pass.
func (s *Server) widgetCORS(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r, h := c.Request(), c.Response().Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if origin == "" {
			return next(c)
		}
		if !s.allowedOrigin(r, origin) {
			return chat.Errorf(chat.EFORBIDDEN, "origin %s may not use this widget; an admin lists widget sites in TANDEM_WIDGET_ORIGINS or the admin console", truncate(origin, 200))
		}
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", "Retry-After")
		return next(c)
	}
}

// widgetPreflight answers a CORS preflight (OPTIONS) for the widget API of an allowed origin.
func (s *Server) widgetPreflight(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Methods", "GET, POST")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Max-Age", "600")
	return c.NoContent(http.StatusNoContent)
}

// requireMetricsAccess guards /metrics: with a metrics token, a matching Bearer token; without
// one, only a client on this machine connecting directly (not through a proxy).
func (s *Server) requireMetricsAccess(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if s.MetricsToken != "" {
			if !secretEqual(bearer(c), s.MetricsToken) {
				return chat.Errorf(chat.EUNAUTHORIZED, "metrics need Authorization: Bearer <TANDEM_METRICS_TOKEN>")
			}
			return next(c)
		}
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		ip := net.ParseIP(host)
		proxied := r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-Ip") != ""
		if ip == nil || !ip.IsLoopback() || proxied {
			return chat.Errorf(chat.EFORBIDDEN, "metrics are served to this machine only; set TANDEM_METRICS_TOKEN to scrape from elsewhere")
		}
		return next(c)
	}
}

// secretEqual compares a presented secret with the configured one in constant time.
func secretEqual(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
