package main

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// pdfBomb is a small, valid PDF whose pages all share one content stream that inflates to
// inflated bytes of text: pages × inflated bytes of text for a naive extractor.
func pdfBomb(t *testing.T, pages, inflated int) []byte {
	t.Helper()
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	io.WriteString(zw, "BT /F1 12 Tf 72 720 Td (")
	chunk := strings.Repeat("A", 1<<16)
	for n := 0; n < inflated; n += len(chunk) {
		io.WriteString(zw, chunk)
	}
	io.WriteString(zw, ") Tj ET")
	zw.Close()
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n")
	kids := make([]string, pages)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", i+5)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	obj(fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.Bytes()))
	for range pages {
		obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 3 0 R >> >> >>")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// upload posts files to the knowledge import as a trainer's client would.
func upload(t *testing.T, in *instance, files map[string][]byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for name, data := range files {
		part, _ := w.CreateFormFile("file", name)
		part.Write(data)
	}
	w.Close()
	req, _ := http.NewRequest("POST", in.base+"/api/v1/kb/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+in.key)
	res, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		t.Fatal(err) // the old server spent minutes on a PDF bomb
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestPDFBombIsRefused uploads a PDF of a few kilobytes whose pages inflate to 800 MB of text:
// the import refuses it without allocating anything like that, and a normal PDF still imports.
func TestPDFBombIsRefused(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	bomb := pdfBomb(t, 100, 8<<20)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	code, out := upload(t, in, map[string][]byte{"bomb.pdf": bomb})
	runtime.ReadMemStats(&after)
	allocated := (after.TotalAlloc - before.TotalAlloc) >> 20
	t.Logf("a %d KB PDF bomb: the import allocated %d MB", len(bomb)>>10, allocated)
	if code != 200 || !strings.Contains(out, `"failed":1`) || !strings.Contains(out, "expand to over") {
		t.Fatalf("bomb upload = %d %.300s", code, out)
	}
	if allocated > 200 {
		t.Errorf("the bomb made the server allocate %d MB", allocated)
	}
	code, out = upload(t, in, map[string][]byte{"small.pdf": pdfBomb(t, 2, 1000)})
	if code != 200 || !strings.Contains(out, `"failed":0`) {
		t.Fatalf("a small PDF = %d %.300s", code, out)
	}
}

// TestSitemapPageCap: a sitemap index whose sitemaps list 1,800 pages in all cannot get past the
// 1,000-page import cap; the import is refused before any page is fetched.
func TestSitemapPageCap(t *testing.T) {
	var pageHits atomic.Int32
	var site *httptest.Server
	site = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/sitemap_index.xml":
			fmt.Fprint(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
			for i := range 3 {
				fmt.Fprintf(w, "<sitemap><loc>%s/sitemap-%d.xml</loc></sitemap>", site.URL, i)
			}
			fmt.Fprint(w, `</sitemapindex>`)
		case strings.HasPrefix(r.URL.Path, "/sitemap-"):
			fmt.Fprint(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
			for i := range 600 {
				fmt.Fprintf(w, "<url><loc>%s/page%s-%d</loc></url>", site.URL, r.URL.Path, i)
			}
			fmt.Fprint(w, `</urlset>`)
		default:
			pageHits.Add(1)
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "A help page about claims.")
		}
	}))
	defer site.Close()
	env := demoEnv(t, t.TempDir())
	env["TANDEM_OUTBOUND_ALLOW"] = allowed(site.URL)
	in := start(t, env, "demo")
	var res struct {
		Files     []struct{ Name, Error string }
		Documents int
	}
	body := fmt.Sprintf(`{"sitemap":%q,"collection":"site"}`, site.URL+"/sitemap_index.xml")
	if code := in.call(t, "POST", "/api/v1/kb/import", body, &res); code != 200 {
		t.Fatalf("import = %d", code)
	}
	if res.Documents != 0 || len(res.Files) != 1 || !strings.Contains(res.Files[0].Error, "over 1000 pages") {
		t.Fatalf("import of 1,800 sitemap pages: %d documents, %+v; want one error naming the 1000-page cap", res.Documents, res.Files)
	}
	if n := pageHits.Load(); n != 0 {
		t.Errorf("%d pages were fetched past the cap", n)
	}
	// Within the cap the same site imports, page by page.
	body = fmt.Sprintf(`{"sitemap":%q,"collection":"site"}`, site.URL+"/sitemap-0.xml")
	if code := in.call(t, "POST", "/api/v1/kb/import", body, &res); code != 200 || res.Documents != 600 {
		t.Fatalf("import of 600 pages = %d, %d documents", code, res.Documents)
	}
}

// postJSONL posts an intents file and decodes the answer.
func postJSONL(t *testing.T, in *instance, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest("POST", in.base+"/api/v1/intents/import", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/jsonl")
	req.Header.Set("Authorization", "Bearer "+in.key)
	res, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode
}

// TestIntentsImportBounded: an intents file over 2 MiB or a set over the intent cap is refused
// before anything is stored, and a good import answers at once (202) while training runs in the
// background, its progress visible until the new intents route.
func TestIntentsImportBounded(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	var big strings.Builder
	for i := 0; big.Len() < 5<<20; i++ {
		fmt.Fprintf(&big, `{"text":"please help me with request number %d about my policy","intent":"bulk_%d"}`+"\n", i, i%2000)
	}
	var e apiError
	if code := postJSONL(t, in, big.String(), &e); code != 413 {
		t.Fatalf("a 5 MB intents file = %d %+v, want 413", code, e)
	}
	var many strings.Builder
	for i := range 301 {
		fmt.Fprintf(&many, `{"text":"question %d","intent":"many_%d"}`+"\n", i, i)
	}
	if code := postJSONL(t, in, many.String(), &e); code != 400 || !strings.Contains(e.Error.Message, "at most 300 intents") {
		t.Fatalf("301 intents = %d %+v, want 400 naming the cap", code, e)
	}
	var list struct{ Intents []struct{ Name string } }
	in.call(t, "GET", "/api/v1/intents", "", &list)
	for _, it := range list.Intents {
		if strings.HasPrefix(it.Name, "many_") || strings.HasPrefix(it.Name, "bulk_") {
			t.Fatalf("a refused import stored %s", it.Name)
		}
	}
	var good strings.Builder
	for i := range 40 {
		for j := range 10 {
			fmt.Fprintf(&good, `{"text":"topic%d word%d question about topic%d","intent":"topic_%d"}`+"\n", i, j, i, i)
		}
	}
	var res struct {
		Intents  int
		Training struct{ Training, Queued bool }
	}
	began := time.Now()
	if code := postJSONL(t, in, good.String(), &res); code != 202 || res.Intents != 40 || !(res.Training.Training || res.Training.Queued) {
		t.Fatalf("import = %d %+v, want 202 with training under way", code, res)
	}
	t.Logf("the import answered in %s", time.Since(began).Round(time.Millisecond))
	var st struct {
		Training, Queued bool
		FinishedAt       time.Time `json:"finished_at"`
		Seconds          float64
		Error            string
	}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		in.call(t, "GET", "/api/v1/intents/training", "", &st)
		if !st.Training && !st.Queued && !st.FinishedAt.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("training did not finish: %+v", st)
		}
	}
	t.Logf("background training took %.1f s", st.Seconds)
	var try struct{ Intent string }
	in.call(t, "GET", "/api/v1/intents/try?text=topic7+word3+question+about+topic7", "", &try)
	if st.Error != "" || try.Intent != "topic_7" {
		t.Fatalf("after training: %+v, routed to %q", st, try.Intent)
	}
}
