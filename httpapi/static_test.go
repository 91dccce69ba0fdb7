package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"tandem/conversation"
)

// TestConsoleModules: both consoles' pages load their ES modules from this origin, every module
// they import (relative or from /shared/) is served as JavaScript, and a module the browser has
// is revalidated with its ETag for a 304.
func TestConsoleModules(t *testing.T) {
	s := &Server{Desk: &conversation.Service{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h := s.Handler()
	get := func(path, etag string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	entry := regexp.MustCompile(`<script type="module" src="([^"]+)"></script>`)
	imports := regexp.MustCompile(`(?m)^import (?:[^"]* from )?"([^"]+)";`)
	for _, dir := range []string{"console", "trainer"} {
		page := get("/"+dir+"/", "")
		if page.Code != 200 || !strings.Contains(page.Header().Get("Content-Security-Policy"), "script-src 'self';") {
			t.Fatalf("/%s/: %d %v, want the page with scripts from this origin only", dir, page.Code, page.Header())
		}
		m := entry.FindStringSubmatch(page.Body.String())
		if m == nil {
			t.Fatalf("/%s/ loads no module", dir)
		}
		seen := map[string]bool{}
		todo := []string{resolve("/"+dir+"/", m[1])}
		for len(todo) > 0 {
			path := todo[0]
			todo = todo[1:]
			if seen[path] {
				continue
			}
			seen[path] = true
			res := get(path, "")
			if res.Code != 200 || res.Header().Get("Content-Type") != "text/javascript; charset=utf-8" {
				t.Fatalf("%s = %d %q, want a JavaScript module", path, res.Code, res.Header().Get("Content-Type"))
			}
			for _, imp := range imports.FindAllStringSubmatch(res.Body.String(), -1) {
				todo = append(todo, resolve(path, imp[1]))
			}
		}
		if !seen["/shared/tandem.js"] {
			t.Errorf("/%s/ does not use /shared/tandem.js: %v", dir, seen)
		}
	}
	first := get("/shared/tandem.js", "")
	tag := first.Header().Get("ETag")
	if tag == "" || first.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("/shared/tandem.js headers %v, want an ETag and no-cache", first.Header())
	}
	if again := get("/shared/tandem.js", tag); again.Code != http.StatusNotModified || again.Body.Len() != 0 {
		t.Fatalf("revalidated with its ETag: %d with %d bytes, want 304 and no body", again.Code, again.Body.Len())
	}
	if changed := get("/shared/tandem.js", `"another"`); changed.Code != 200 {
		t.Fatalf("with a stale ETag: %d, want 200", changed.Code)
	}
	for _, path := range []string{"/shared/missing.js", "/shared/web.go", "/console/..", "/trainer/index.go"} {
		if res := get(path, ""); res.Code != http.StatusNotFound {
			t.Errorf("%s = %d, want 404", path, res.Code)
		}
	}
}

// resolve resolves a module specifier against the path of the module importing it.
func resolve(from, spec string) string {
	if strings.HasPrefix(spec, "/") {
		return spec
	}
	dir := from[:strings.LastIndex(from, "/")+1]
	return dir + strings.TrimPrefix(spec, "./")
}
