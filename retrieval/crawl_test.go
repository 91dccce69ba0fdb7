package retrieval

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// testSite is a small help center: a sitemap index, a sitemap, HTML, Markdown and PDF pages, a
// 404, a huge page, a slow one and a JSON file. Every page answers 403 to a client without
// Tandem's User-Agent.
func testSite(t *testing.T) *httptest.Server {
	pdf := testPDF(t, "Policy terms\nThe excess is 500 yuan per claim.", "")
	mux := http.NewServeMux()
	var srv *httptest.Server
	page := func(path, ctype, body string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			fmt.Fprint(w, body)
		})
	}
	mux.HandleFunc("/sitemap_index.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>%[1]s/sitemap.xml</loc></sitemap><sitemap><loc>%[1]s/sitemap.xml</loc></sitemap></sitemapindex>`, srv.URL)
	})
	mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>%[1]s/help/refunds</loc></url><url><loc>%[1]s/help/退款</loc></url><url><loc>%[1]s/gone</loc></url>
<url><loc>%[1]s/huge</loc></url><url><loc>%[1]s/notes.md</loc></url><url><loc>%[1]s/terms.pdf</loc></url>
<url><loc> %[1]s/help/refunds </loc></url></urlset>`, srv.URL)
	})
	page("/help/refunds", "text/html; charset=utf-8", `<html lang="en"><title>Refunds</title><body><nav>menu</nav>
<h2>Cooling-off</h2><p>Cancel within 15 days for a full refund.</p></body></html>`)
	page("/help/退款", "text/html", `<html lang="zh"><title>退款</title><body><p>犹豫期内全额退款。</p></body></html>`)
	page("/notes.md", "text/markdown", "# Notes\n\nPlain Markdown page.\n")
	page("/terms.pdf", "application/octet-stream", string(pdf)) // a PDF known by its extension
	page("/files/guide", "application/pdf", string(pdf))
	page("/huge", "text/html", strings.Repeat("<p>x</p>", 1000))
	page("/data.json", "application/json", `{"a":1}`)
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.UserAgent() != "Tandem/1 (+knowledge import)" {
			http.Error(w, "no user agent", http.StatusForbidden)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSitemapAndFetch(t *testing.T) {
	srv := testSite(t)
	ctx := context.Background()
	urls, err := Sitemap(ctx, srv.Client(), srv.URL+"/sitemap_index.xml", MaxImportPages)
	if err != nil || len(urls) != 6 {
		t.Fatalf("sitemap: %v %v, want 6 pages, each once", err, urls)
	}
	urls = append(urls, srv.URL+"/files/guide")
	res := Fetch(ctx, srv.Client(), urls, FetchOptions{MaxBytes: 4000, Concurrency: 2})
	if len(res) != len(urls) {
		t.Fatalf("%d results for %d URLs", len(res), len(urls))
	}
	ids := map[string]bool{}
	for _, i := range []int{0, 1, 4, 5, 6} {
		if res[i].Err != nil || len(res[i].Docs) != 1 || res[i].URL != urls[i] || res[i].Docs[0].URL != urls[i] {
			t.Fatalf("%s: %v %+v", urls[i], res[i].Err, res[i].Docs)
		}
		id := res[i].Docs[0].ID
		if ids[id] || !regexp.MustCompile(`^[A-Za-z0-9._-]+$`).MatchString(id) {
			t.Errorf("%s: id %q is a duplicate or not slug-safe", urls[i], id)
		}
		ids[id] = true
	}
	if d := res[0].Docs[0]; d.Title != "Refunds" || d.Lang != "en" || strings.Contains(d.Body, "menu") || !strings.Contains(d.Body, "## Cooling-off") {
		t.Fatalf("refunds page: %+v", d)
	}
	if d := res[1].Docs[0]; d.Lang != "zh" || d.Title != "退款" {
		t.Fatalf("Chinese page: %+v", d)
	}
	if d := res[5].Docs[0]; d.Title != "Policy terms" || !strings.Contains(d.Body, "500 yuan") {
		t.Fatalf("PDF page: %+v", d)
	}
	for i, want := range map[int]string{2: "HTTP 404", 3: "over the limit of 4000 bytes"} {
		if res[i].Err == nil || !strings.HasPrefix(res[i].Err.Error(), urls[i]+": ") || !strings.Contains(res[i].Err.Error(), want) {
			t.Errorf("%s: %v, want %q", urls[i], res[i].Err, want)
		}
	}
}

func TestFetchErrors(t *testing.T) {
	srv := testSite(t)
	urls := []string{"ftp://x/y", "::bad", "/relative", srv.URL + "/data.json", srv.URL + "/slow"}
	res := Fetch(context.Background(), srv.Client(), urls, FetchOptions{Timeout: 200 * time.Millisecond})
	for i, want := range []string{"not an http(s) URL", "not an http(s) URL", "not an http(s) URL",
		`unsupported content type "application/json"`, "fetch failed: timed out"} {
		if res[i].Err == nil || !strings.HasPrefix(res[i].Err.Error(), urls[i]+": ") || !strings.Contains(res[i].Err.Error(), want) {
			t.Errorf("%s: %v, want %q", urls[i], res[i].Err, want)
		}
	}
	if _, err := Sitemap(context.Background(), srv.Client(), srv.URL+"/help/refunds", MaxImportPages); err == nil || !strings.Contains(err.Error(), "not a sitemap") {
		t.Fatalf("HTML as sitemap: %v", err)
	}
}

func TestURLID(t *testing.T) {
	for _, tt := range []struct{ url, want string }{
		{"https://Help.Example.com/claims/how-to", "^help.example.com-claims-how-to$"},
		{"https://help.example.com/claims/how-to/", "^help.example.com-claims-how-to$"},
		{"https://help.example.com/faq?id=7", "^help.example.com-faq-[0-9a-f]{8}$"},
		{"https://help.example.com/帮助/退款", "^help.example.com-[0-9a-f]{8}$"},
		{"https://help.example.com/" + strings.Repeat("a", 300), "^help.example.com-a{103}-[0-9a-f]{8}$"},
	} {
		req, _ := http.NewRequest(http.MethodGet, tt.url, nil)
		if got := urlID(req.URL); !regexp.MustCompile(tt.want).MatchString(got) {
			t.Errorf("urlID(%s) = %q, want %s", tt.url, got, tt.want)
		}
	}
}
