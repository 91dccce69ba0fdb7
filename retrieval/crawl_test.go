package retrieval

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// testSite is a small help center: a sitemap index, a sitemap, pages, a 404 and a huge page.
func testSite(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/sitemap_index.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>%s/sitemap.xml</loc></sitemap></sitemapindex>`, srv.URL)
	})
	mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>%[1]s/help/refunds</loc></url><url><loc>%[1]s/help/退款</loc></url><url><loc>%[1]s/gone</loc></url>
<url><loc>%[1]s/huge</loc></url><url><loc>%[1]s/notes.md</loc></url></urlset>`, srv.URL)
	})
	mux.HandleFunc("/help/refunds", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html lang="en"><title>Refunds</title><body><nav>menu</nav><h2>Cooling-off</h2><p>Cancel within 15 days for a full refund.</p></body></html>`)
	})
	mux.HandleFunc("/help/退款", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html lang="zh"><title>退款</title><body><p>犹豫期内全额退款。</p></body></html>`)
	})
	mux.HandleFunc("/notes.md", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/markdown")
		fmt.Fprint(w, "# Notes\n\nPlain Markdown page.\n")
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, strings.Repeat("<p>x</p>", 1000))
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestSitemapAndFetch(t *testing.T) {
	srv := testSite(t)
	ctx := context.Background()
	urls, err := Sitemap(ctx, srv.Client(), srv.URL+"/sitemap_index.xml")
	if err != nil || len(urls) != 5 {
		t.Fatalf("sitemap: %v %v", err, urls)
	}
	res := Fetch(ctx, srv.Client(), append(urls, "ftp://x/y", "::bad"), FetchOptions{MaxBytes: 4000})
	if len(res) != 7 {
		t.Fatalf("%d results", len(res))
	}
	ok := func(i int) {
		t.Helper()
		if res[i].Err != nil || len(res[i].Docs) != 1 || res[i].Docs[0].URL != urls[i] {
			t.Fatalf("%s: %v %+v", urls[i], res[i].Err, res[i].Docs)
		}
	}
	ok(0)
	ok(1)
	ok(4)
	if d := res[0].Docs[0]; d.Title != "Refunds" || d.Lang != "en" || strings.Contains(d.Body, "menu") || !strings.Contains(d.Body, "## Cooling-off") {
		t.Fatalf("refunds page: %+v", d)
	}
	if d := res[1].Docs[0]; d.Lang != "zh" || d.ID == "" {
		t.Fatalf("Chinese page: %+v", d)
	}
	for i, want := range map[int]string{2: "HTTP 404", 3: "over the limit of 4000 bytes", 5: "not an http(s) URL", 6: "not an http(s) URL"} {
		if res[i].Err == nil || !strings.Contains(res[i].Err.Error(), want) {
			t.Errorf("result %d: %v, want %q", i, res[i].Err, want)
		}
	}
	if _, err := Sitemap(ctx, srv.Client(), srv.URL+"/help/refunds"); err == nil || !strings.Contains(err.Error(), "not a sitemap") {
		t.Fatalf("HTML as sitemap: %v", err)
	}
}
