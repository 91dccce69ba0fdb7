package httpapi

import (
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"tandem/conversation"
	"tandem/web"
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
	for _, dir := range []string{"console", "trainer"} {
		page := get("/"+dir+"/", "")
		if page.Code != 200 || !strings.Contains(page.Header().Get("Content-Security-Policy"), "script-src 'self';") {
			t.Fatalf("/%s/: %d %v, want the page with scripts from this origin only", dir, page.Code, page.Header())
		}
		m := entry.FindStringSubmatch(page.Body.String())
		if m == nil {
			t.Fatalf("/%s/ loads no module", dir)
		}
		seen := moduleGraph(t, func(path string) *httptest.ResponseRecorder { return get(path, "") }, resolve("/"+dir+"/", m[1]))
		if seen["/shared/tandem.js"] == nil {
			t.Errorf("/%s/ does not use /shared/tandem.js: %v", dir, slices.Sorted(maps.Keys(seen)))
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

// imports finds a module's static imports.
var imports = regexp.MustCompile(`(?m)^import (?:[^"]* from )?"([^"]+)";`)

// moduleGraph fetches the module at entry and every module it imports, directly or not, failing
// unless each is served as JavaScript; it returns the responses by path.
func moduleGraph(t *testing.T, get func(path string) *httptest.ResponseRecorder, entry string) map[string]*httptest.ResponseRecorder {
	t.Helper()
	seen := map[string]*httptest.ResponseRecorder{}
	for todo := []string{entry}; len(todo) > 0; todo = todo[1:] {
		path := todo[0]
		if seen[path] != nil {
			continue
		}
		res := get(path)
		seen[path] = res
		if res.Code != 200 || res.Header().Get("Content-Type") != "text/javascript; charset=utf-8" {
			t.Fatalf("%s = %d %q, want a JavaScript module", path, res.Code, res.Header().Get("Content-Type"))
		}
		for _, imp := range imports.FindAllStringSubmatch(res.Body.String(), -1) {
			todo = append(todo, resolve(path, imp[1]))
		}
	}
	return seen
}

// resolve resolves a module specifier against the path of the module importing it.
func resolve(from, spec string) string {
	base, err := url.Parse(from)
	if err != nil {
		panic(err)
	}
	ref, err := url.Parse(spec)
	if err != nil {
		panic(err)
	}
	return base.ResolveReference(ref).Path
}

// TestWidgetModules: widget.js, the classic script sites embed, imports its modules from beside
// it (/widget/), all at once, and they and everything they import are served as JavaScript any
// origin may read, without credentials, since a customer's site fetches them with CORS. Every
// module in web/widget/ is part of that graph, and the entry is not served again under /widget/.
func TestWidgetModules(t *testing.T) {
	s := &Server{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h := s.Handler()
	get := func(path string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Origin", "https://shop.example.com")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	entry := get("/widget.js")
	if entry.Code != 200 || entry.Header().Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Fatalf("/widget.js = %d %v", entry.Code, entry.Header())
	}
	if strings.Contains(entry.Body.String(), "\nimport ") || strings.HasPrefix(entry.Body.String(), "import ") {
		t.Fatalf("/widget.js has a static import: it must stay a classic script for a plain <script> tag")
	}
	m := regexp.MustCompile(`var modules = \[([^\]]*)\];`).FindStringSubmatch(entry.Body.String())
	if m == nil || !strings.Contains(entry.Body.String(), `import(new URL("widget/" + m, src).href)`) {
		t.Fatal("/widget.js imports no modules relative to its own URL")
	}
	var listed []string
	for _, q := range regexp.MustCompile(`"([^"]+)"`).FindAllStringSubmatch(m[1], -1) {
		listed = append(listed, resolve("/widget.js", "widget/"+q[1]))
	}
	graph := moduleGraph(t, get, listed[0])
	if got, want := slices.Sorted(slices.Values(listed)), slices.Sorted(maps.Keys(graph)); !slices.Equal(got, want) {
		t.Errorf("widget.js fetches %v at once, want the whole module graph %v", got, want)
	}
	for path, res := range graph {
		if got := res.Header().Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("%s: Access-Control-Allow-Origin %q, want *", path, got)
		}
		if got := res.Header().Get("Access-Control-Allow-Credentials"); got != "" {
			t.Errorf("%s: Access-Control-Allow-Credentials %q, want none", path, got)
		}
	}
	files, err := fs.Glob(web.FS, "widget/*.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f != "widget/widget.js" && graph["/"+f] == nil {
			t.Errorf("%s is not imported by widget.js's modules", f)
		}
	}
	if graph["/shared/tandem.js"] == nil {
		t.Errorf("the widget does not use /shared/tandem.js: %v", slices.Sorted(maps.Keys(graph)))
	}
	for _, path := range []string{"/widget/widget.js", "/widget/missing.js", "/widget/view.go"} {
		if res := get(path); res.Code != http.StatusNotFound {
			t.Errorf("%s = %d, want 404", path, res.Code)
		}
	}
}
