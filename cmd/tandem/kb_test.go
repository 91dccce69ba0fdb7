package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tandem/llm/llmtest"
)

// TestReimportChangesAnswer: a running server answers from a changed article after
// `tandem kb import`, without a restart.
func TestReimportChangesAnswer(t *testing.T) {
	dir := t.TempDir()
	in := start(t, demoEnv(t, dir), "demo")
	var conv apiConversation
	in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"c1"}}`, &conv)
	ask := func() apiMessage {
		var tr turn
		if code := in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":"How do I file a claim?"}`, &tr); len(tr.Replies) == 0 {
			t.Fatalf("ask: %d %+v", code, tr)
		}
		return tr.Replies[0]
	}
	if r := ask(); !strings.Contains(r.Text, "400-800-1234") {
		t.Fatalf("before: %q", r.Text)
	}
	article := filepath.Join(t.TempDir(), "claims.md")
	os.WriteFile(article, []byte("---\nid: en-claims-file-a-claim\ntitle: How do I file a claim?\ncategory: claims\nlang: en\n---\n\n"+
		"You can file a claim by calling our new claims line 400-999-0000, day and night.\n"), 0o644)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"kb", "import", article}, func(k string) string { return map[string]string{"TANDEM_DATA_DIR": dir}[k] }, &out, &errb); code != 0 {
		t.Fatalf("kb import exit %d: %s %s", code, out.String(), errb.String())
	}
	deadline := time.Now().Add(15 * time.Second)
	for r := ask(); !strings.Contains(r.Text, "400-999-0000"); r = ask() {
		if time.Now().After(deadline) {
			t.Fatalf("answer did not change within 15s: %q", r.Text)
		}
		time.Sleep(200 * time.Millisecond) // the server polls the store's knowledge version
	}
}

func TestKBCommands(t *testing.T) {
	dir, files := t.TempDir(), t.TempDir()
	env := func(k string) string { return map[string]string{"TANDEM_DATA_DIR": dir}[k] }
	write := func(name string, data []byte) string {
		p := filepath.Join(files, name)
		os.WriteFile(p, data, 0o644)
		return p
	}
	good := write("good.md", []byte("# Pet insurance\n\nWe cover cats and dogs up to 10 years old.\n"))
	bad := []string{
		write("empty.md", nil),
		write("binary.md", []byte{0x89, 'P', 'N', 'G', 0, 1, 2}),
		write("latin1.txt", []byte("caf\xe9 cr\xe8me")),
		write("sheet.xlsx", []byte("PK\x03\x04")),
		write("broken.jsonl", []byte(`{"id":"p1","title":"t","text":"fine"}`+"\n"+`{"id":"p2",`+"\n")),
		write("corrupt.pdf", []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer garbage")),
		write("nocolumn.csv", []byte("question,reply\nq,a\n")),
		write("huge.md", nil),
	}
	os.Truncate(bad[len(bad)-1], 50<<20) // a 50 MB file, refused before it is read
	page := write("page.html", []byte(`<html lang="en"><head><title>Travel cover</title><script>x()</script></head>
<body><nav>Home</nav><h2>Lost luggage</h2><p>We pay up to 5,000 CNY for lost luggage.</p></body></html>`))
	runKB := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), append([]string{"kb"}, args...), env, &out, &errb)
		return code, out.String() + errb.String()
	}
	code, out := runKB(append([]string{"import", good, page}, bad...)...)
	if code != 1 || !strings.Contains(out, "2 imported, 8 failed") || !strings.Contains(out, "the limit is") ||
		!strings.Contains(out, "corrupt.pdf: not a readable PDF") || !strings.Contains(out, `missing the "answer" column`) || !strings.Contains(out, "empty file") ||
		!strings.Contains(out, "not UTF-8") || !strings.Contains(out, "unsupported file type") || !strings.Contains(out, "broken.jsonl: line 2") {
		t.Fatalf("import with bad files: exit %d\n%s", code, out)
	}
	code, out = runKB("list", "--json")
	var docs []struct{ ID, Title string }
	json.Unmarshal([]byte(out[:strings.LastIndex(out, "]")+1]), &docs)
	if code != 0 || len(docs) != 2 || docs[0].ID != "good" || docs[0].Title != "Pet insurance" || docs[1].Title != "Travel cover" {
		t.Fatalf("list after import = %d %s; want only the good files (the broken JSONL wrote nothing)", code, out)
	}
	if code, out = runKB("search", "--json", "lost luggage"); code != 0 || !strings.Contains(out, `"chunk_id":"page#0"`) ||
		!strings.Contains(out, `"lexical":{"rank":1`) || strings.Contains(out, "Home") {
		t.Fatalf("search the HTML page = %d %s", code, out)
	}
	if code, out = runKB("status"); code != 0 || !strings.Contains(out, "2 documents, 2 chunks, 2 embedded with local-256") {
		t.Fatalf("status = %d %s", code, out)
	}
	if code, out = runKB("search", "are cats covered"); code != 0 || !strings.Contains(out, "good") {
		t.Fatalf("search = %d %s", code, out)
	}
	if code, out = runKB("delete", "good"); code != 0 {
		t.Fatalf("delete = %d %s", code, out)
	}
	if code, out = runKB("delete", "good"); code == 0 || !strings.Contains(out, "not found") {
		t.Fatalf("second delete = %d %s", code, out)
	}
	if code, out = runKB("bogus"); code == 0 || !strings.Contains(out, "unknown kb command") {
		t.Fatalf("bogus = %d %s", code, out)
	}
}

// TestOpenAIEmbedder: with an OpenAI-compatible embedder the server embeds the knowledge base in
// the background (through the fake server's /v1/embeddings), search shows the vector leg, and
// when the embedder goes down search still answers from the lexical leg.
func TestOpenAIEmbedder(t *testing.T) {
	fake := llmtest.New()
	env := demoEnv(t, t.TempDir())
	env["TANDEM_EMBEDDER"], env["TANDEM_EMBED_BASE_URL"], env["TANDEM_EMBED_API_KEY"] = "openai", fake.BaseURL(), "sk-test"
	env["TANDEM_OUTBOUND_ALLOW"] = allowed(fake.BaseURL())
	env["TANDEM_EMBED_MODEL"], env["TANDEM_EMBED_DIM"] = "fake-embed", "64"
	in := start(t, env, "demo")
	var st struct {
		Chunks, Embedded int
		Embedder         struct{ Model string }
	}
	deadline := time.Now().Add(20 * time.Second)
	for in.call(t, "GET", "/api/v1/kb/status", "", &st); st.Embedded < st.Chunks || st.Chunks == 0; in.call(t, "GET", "/api/v1/kb/status", "", &st) {
		if time.Now().After(deadline) {
			t.Fatalf("not embedded within 20s: %+v", st)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if st.Embedder.Model != "openai:fake-embed:64" {
		t.Fatalf("model %q", st.Embedder.Model)
	}
	var res struct {
		Hits []struct {
			DocID  string `json:"doc_id"`
			Vector *struct{ Rank int }
		}
	}
	deadline = time.Now().Add(10 * time.Second)
	for in.call(t, "GET", "/api/v1/kb/search?q=file+a+claim", "", &res); len(res.Hits) == 0 || res.Hits[0].Vector == nil; in.call(t, "GET", "/api/v1/kb/search?q=file+a+claim", "", &res) {
		if time.Now().After(deadline) {
			t.Fatalf("no vector leg: %+v", res)
		}
		time.Sleep(200 * time.Millisecond)
	}
	fake.Close() // the embedder goes down
	in.call(t, "GET", "/api/v1/kb/search?q=file+a+claim", "", &res)
	if len(res.Hits) == 0 || res.Hits[0].DocID != "en-claims-file-a-claim" || res.Hits[0].Vector != nil {
		t.Fatalf("search with the embedder down: %+v", res)
	}
}

// TestKnowledgeAPIErrors: bad requests to the knowledge API get clear errors.
func TestKnowledgeAPIErrors(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	var e apiError
	for _, tt := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/api/v1/kb/search", "", 400, "q is required"},
		{"GET", "/api/v1/kb/search?q=x&k=0", "", 400, "k must be"},
		{"GET", "/api/v1/kb/documents/nope/chunks", "", 404, "not found"},
		{"DELETE", "/api/v1/kb/documents/nope", "", 404, "not found"},
		{"POST", "/api/v1/kb/import", `{"urls":[]}`, 400, "give urls or a sitemap"},
		{"POST", "/api/v1/kb/import", `not json`, 400, "malformed JSON"},
	} {
		e = apiError{}
		if got := in.call(t, tt.method, tt.path, tt.body, &e); got != tt.status || !strings.Contains(e.Error.Message, tt.want) {
			t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.path, got, e.Error.Message, tt.status, tt.want)
		}
	}
	if got := in.callKey(t, "wrong", "GET", "/api/v1/kb/status", "", nil); got != 401 {
		t.Errorf("wrong key: %d", got)
	}
}

// TestSearchReadsTypos: the playground searches a misspelt question as the bot reads it, and
// says how it read it; a question spelt right is not rewritten.
func TestSearchReadsTypos(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	var res struct {
		ReadAs *string `json:"read_as"`
		Hits   []struct {
			DocID string `json:"doc_id"`
		} `json:"hits"`
	}
	in.call(t, "GET", "/api/v1/kb/search?q=how+do+i+file+a+cliam", "", &res)
	if res.ReadAs == nil || *res.ReadAs != "how do i file a claim" || len(res.Hits) == 0 || res.Hits[0].DocID != "en-claims-file-a-claim" {
		t.Fatalf("misspelt search: read as %v, hits %+v", res.ReadAs, res.Hits)
	}
	res.ReadAs = nil
	in.call(t, "GET", "/api/v1/kb/search?q=how+do+i+file+a+claim", "", &res)
	if res.ReadAs != nil {
		t.Errorf("a question spelt right was read as %q", *res.ReadAs)
	}
}

// TestKnowledgeUploadLimits: an oversized file in an upload gets its own error line while the
// others import; a request over the upload limit is refused before it is read.
func TestKnowledgeUploadLimits(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	upload := func(files map[string][]byte) (int, string) {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		for name, data := range files {
			part, _ := w.CreateFormFile("file", name)
			part.Write(data)
		}
		w.WriteField("collection", "uploads")
		w.Close()
		req, _ := http.NewRequest("POST", in.base+"/api/v1/kb/import", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+in.key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, out := upload(map[string][]byte{
		"ok.md":  []byte("# Boat insurance\n\nWe insure boats up to 12 metres."),
		"big.md": bytes.Repeat([]byte("a"), 21<<20),
	})
	if code != 200 || !strings.Contains(out, `"failed":1`) || !strings.Contains(out, "the limit is 20971520") || !strings.Contains(out, `"name":"ok.md","documents":1`) {
		t.Fatalf("upload with an oversized file: %d %s", code, out)
	}
	code, out = upload(map[string][]byte{"huge.md": bytes.Repeat([]byte("a"), 65<<20)})
	if code != 413 {
		t.Fatalf("upload over 64 MiB: %d %.200s", code, out)
	}
}
