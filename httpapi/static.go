package httpapi

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"tandem/chat"
	"tandem/web"
)

// home handles GET /: the demo page is the front door.
func (s *Server) home(c echo.Context) error {
	return c.Redirect(http.StatusFound, "/demo/")
}

// widgetJS handles GET /widget.js, loaded cross-origin by customers' sites.
func (s *Server) widgetJS(c echo.Context) error {
	return s.asset(c, "widget/widget.js", "text/javascript; charset=utf-8")
}

// favicon handles GET /favicon.ico and /favicon.svg: every page's icon, so no page logs a 404.
func (s *Server) favicon(c echo.Context) error {
	return s.asset(c, "icon/favicon.svg", "image/svg+xml")
}

// demoPage handles GET /demo/.
func (s *Server) demoPage(c echo.Context) error {
	return s.asset(c, "demo/index.html", "text/html; charset=utf-8")
}

func (s *Server) asset(c echo.Context, name, contentType string) error {
	data, err := web.FS.ReadFile(name)
	if err != nil {
		return chat.Errorf(chat.ENOTFOUND, "%s not found", name)
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	if strings.HasPrefix(contentType, "text/html") {
		c.Response().Header().Set("Content-Security-Policy", pageCSP(data))
	}
	return c.Blob(http.StatusOK, contentType, data)
}

var articlePage = template.Must(template.New("article").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title><link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1d2733}
h1{font-size:1.6rem}a{color:#0b5cad}</style></head>
<body><p><a href="/demo/">← Harbor Mutual help center</a></p><h1>{{.Title}}</h1>
{{range .Blocks}}{{if .Heading}}<h2>{{.Text}}</h2>{{else}}<p>{{.Text}}</p>{{end}}{{end}}
<script src="/widget.js" data-lang="{{.Lang}}" async></script></body></html>`))

type block struct {
	Heading bool
	Text    string
}

// article handles GET /kb/:id: a knowledge article as a page, so cited sources open.
func (s *Server) article(c echo.Context) error {
	d, ok := s.Articles.Doc(c.Param("id"))
	if !ok {
		return chat.Errorf(chat.ENOTFOUND, "article not found")
	}
	var blocks []block
	for _, para := range strings.Split(d.Body, "\n\n") {
		para = strings.TrimSpace(para)
		if h, ok := strings.CutPrefix(para, "#"); ok {
			blocks = append(blocks, block{true, strings.TrimLeft(h, "# ")})
		} else if para != "" {
			blocks = append(blocks, block{false, para})
		}
	}
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	return articlePage.Execute(c.Response(), map[string]any{"Title": d.Title, "Lang": d.Lang, "Blocks": blocks})
}

// pageAssets are the files of the embedded consoles (trainer/, console/) and their content types.
var pageAssets = map[string]string{
	"index.html":       "text/html; charset=utf-8",
	"trainer.js":       "text/javascript; charset=utf-8",
	"trainer.css":      "text/css; charset=utf-8",
	"console.js":       "text/javascript; charset=utf-8",
	"console.css":      "text/css; charset=utf-8",
	"complaints.js":    "text/javascript; charset=utf-8",
	"proposals.js":     "text/javascript; charset=utf-8",
	"followups.js":     "text/javascript; charset=utf-8",
	"actions-admin.js": "text/javascript; charset=utf-8",
}

// page serves an embedded console's index page (GET /trainer/, /console/).
func (s *Server) page(dir string) echo.HandlerFunc {
	return func(c echo.Context) error { return s.asset(c, dir+"/index.html", pageAssets["index.html"]) }
}

// pageFile serves one of an embedded console's files (GET /trainer/:file, /console/:file).
func (s *Server) pageFile(dir string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ct, ok := pageAssets[c.Param("file")]
		if !ok {
			return chat.Errorf(chat.ENOTFOUND, "%s not found", c.Param("file"))
		}
		return s.asset(c, dir+"/"+c.Param("file"), ct)
	}
}
