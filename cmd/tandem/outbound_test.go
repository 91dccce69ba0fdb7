package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"tandem/llm/llmtest"
)

// TestImportRefusesInternalAddresses attacks URL import the way the review did: the server's own
// /metrics, a loopback service under every spelling, a closed port (to scan), a redirect from an
// allowed host into the loopback service, and a sitemap listing internal pages. Nothing internal
// is fetched, nothing is stored or published at /kb/<id>, and every error reads the same.
func TestImportRefusesInternalAddresses(t *testing.T) {
	var hits atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><title>Internal</title><body><p>db_password=hunter2 internal only</p></body></html>")
	}))
	defer internal.Close()
	_, port, _ := net.SplitHostPort(internal.Listener.Addr().String())
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/sitemap.xml":
			fmt.Fprintf(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>%s/a</loc></url></urlset>`, internal.URL)
		default:
			http.Redirect(w, r, internal.URL+"/secret", http.StatusFound)
		}
	}))
	defer redirector.Close()
	env := demoEnv(t, t.TempDir())
	env["TANDEM_OUTBOUND_ALLOW"] = allowed(redirector.URL) // an admin allowed this one host only
	in := start(t, env, "demo")
	urls := []string{internal.URL + "/secret", in.base + "/metrics"}
	for _, host := range []string{"localhost", "localhost.", "0.0.0.0", "127.1", "2130706433", "[::1]", "[::ffff:127.0.0.1]"} {
		urls = append(urls, "http://"+host+":"+port+"/secret")
	}
	closed := "http://127.0.0.1:1/"
	urls = append(urls, closed, redirector.URL+"/go")
	body, _ := json.Marshal(map[string]any{"urls": urls, "sitemap": redirector.URL + "/sitemap.xml", "collection": "probe"})
	var res struct {
		Files             []struct{ Name, Error string }
		Documents, Failed int
	}
	if code := in.call(t, "POST", "/api/v1/kb/import", string(body), &res); code != 200 {
		t.Fatalf("import = %d", code)
	}
	if res.Documents != 0 || res.Failed != len(res.Files) || len(res.Files) < len(urls) {
		t.Fatalf("import stored %d documents, %d of %d failed: %+v", res.Documents, res.Failed, len(res.Files), res.Files)
	}
	for _, f := range res.Files {
		msg := strings.TrimPrefix(f.Error, f.Name+": ")
		if msg != "fetch refused: address not allowed" && msg != "fetch failed" {
			t.Errorf("%s: error %q, want the policy's refusal and nothing about the network", f.Name, f.Error)
		}
		if f.Name == closed && msg != "fetch refused: address not allowed" {
			t.Errorf("a closed loopback port reads %q, unlike an open one: ports can be scanned", f.Error)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback service answered %d import requests", n)
	}
	var docs struct{ Documents []struct{ ID string } }
	in.call(t, "GET", "/api/v1/kb/documents?collection=probe", "", &docs)
	if len(docs.Documents) != 0 {
		t.Errorf("internal pages were stored: %+v", docs.Documents)
	}
}

// TestLLMBaseURLUnderPolicy: an LLM base URL on an internal address is not called unless an admin
// allowed its host (the bot answers extractively instead); allowed, the same fake answers.
func TestLLMBaseURLUnderPolicy(t *testing.T) {
	fake := llmtest.New()
	defer fake.Close()
	fake.SetChat(func(llmtest.ChatRequest) llmtest.Script {
		return llmtest.Script{Text: "You can file a claim in the app, online or by phone. [1]"}
	})
	ask := func(in *instance) turn {
		var conv apiConversation
		in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"ann"}}`, &conv)
		var tr turn
		if code := in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":"How do I file a claim?"}`, &tr); code != 201 {
			t.Fatalf("message = %d", code)
		}
		return tr
	}
	env := demoEnv(t, t.TempDir())
	env["TANDEM_LLM_BASE_URL"], env["TANDEM_LLM_MODEL"], env["TANDEM_LLM_API_KEY"] = fake.BaseURL(), "fake-model", "sk-test"
	in := start(t, env, "demo")
	tr := ask(in)
	if n := fake.Chats(); n != 0 || len(tr.Replies) == 0 {
		t.Fatalf("unlisted loopback LLM got %d calls; replies %+v", n, tr.Replies)
	}
	in.stop()
	env = demoEnv(t, t.TempDir())
	env["TANDEM_LLM_BASE_URL"], env["TANDEM_LLM_MODEL"], env["TANDEM_LLM_API_KEY"] = fake.BaseURL(), "fake-model", "sk-test"
	env["TANDEM_OUTBOUND_ALLOW"] = allowed(fake.BaseURL())
	ask(start(t, env, "demo"))
	if fake.Chats() == 0 {
		t.Fatal("the allowed LLM was not called")
	}
}
