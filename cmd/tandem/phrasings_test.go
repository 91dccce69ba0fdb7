package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tandem/llm/llmtest"
)

type phrasingsResp struct {
	ID        string   `json:"id"`
	Phrasings []string `json:"phrasings"`
}

type searchResp struct {
	Hits []struct {
		DocID  string `json:"doc_id"`
		Phrase *struct {
			Text string `json:"text"`
		} `json:"phrase"`
	} `json:"hits"`
}

// topPhrase searches through the trainer API and returns the first hit's document and matched phrasing.
func topPhrase(t *testing.T, in *instance, q string) (doc, phrase string) {
	t.Helper()
	var r searchResp
	in.call(t, "GET", "/api/v1/kb/search?lang=en&k=3&q="+url.QueryEscape(q), "", &r)
	if len(r.Hits) == 0 {
		return "", ""
	}
	if r.Hits[0].Phrase != nil {
		phrase = r.Hits[0].Phrase.Text
	}
	return r.Hits[0].DocID, phrase
}

// TestPhrasingsThroughTrainerAPI: a trainer's similar question is searchable at once and answers
// the customer's next question; an empty, oversized or duplicate phrasing, a one-word synonym group
// and a malformed synonym file are refused with an error naming them, and nothing of them is stored.
func TestPhrasingsThroughTrainerAPI(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	const doc = "/api/v1/kb/documents/en-payments-failed-payment/phrasings"
	var before phrasingsResp
	if in.call(t, "GET", doc, "", &before); len(before.Phrasings) < 6 {
		t.Fatalf("demo article has %d phrasings, want at least 6", len(before.Phrasings))
	}
	list := func(extra ...string) string {
		b, _ := json.Marshal(map[string]any{"phrasings": append(append([]string{}, before.Phrasings...), extra...)})
		return string(b)
	}
	n := len(before.Phrasings) + 1
	bad := []struct{ body, want string }{
		{list("  "), fmt.Sprintf("phrasing %d is empty", n)},
		{list(strings.Repeat("why ", 60)), fmt.Sprintf("phrasing %d (", n)},
		{list(before.Phrasings[0]), fmt.Sprintf("phrasing %d %q repeats phrasing 1", n, before.Phrasings[0])},
		{list("WHAT happens if my payment fails?!"), "repeats the title"},
	}
	for _, b := range bad {
		var e apiError
		if code := in.call(t, "PUT", doc, b.body, &e); code != http.StatusBadRequest || !strings.Contains(e.Error.Message, b.want) {
			t.Errorf("PUT %.60s…: %d %q, want 400 naming %q", b.body, code, e.Error.Message, b.want)
		}
		var now phrasingsResp
		if in.call(t, "GET", doc, "", &now); strings.Join(now.Phrasings, "|") != strings.Join(before.Phrasings, "|") {
			t.Fatalf("a refused change was half-stored: %q", now.Phrasings)
		}
	}

	// A new phrasing: matched question to question by the next search and the next customer question.
	const q = "zebra stripes appeared on my statement"
	if d, _ := topPhrase(t, in, q); d == "en-payments-failed-payment" {
		t.Fatal("the phrasing is found before it was added")
	}
	var added phrasingsResp
	if code := in.call(t, "POST", doc, `{"text":"zebra stripes on my statement"}`, &added); code != http.StatusCreated || len(added.Phrasings) != n {
		t.Fatalf("add: %d %+v", code, added)
	}
	if d, p := topPhrase(t, in, q); d != "en-payments-failed-payment" || p != "zebra stripes on my statement" {
		t.Fatalf("after adding, top hit %s matched %q", d, p)
	}
	var conv apiConversation
	in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"p1"}}`, &conv)
	var tr turn
	in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":"`+q+`"}`, &tr)
	if len(tr.Replies) != 1 || len(tr.Replies[0].Sources) == 0 || !strings.HasSuffix(tr.Replies[0].Sources[0].URL, "/en-payments-failed-payment") {
		t.Fatalf("the next question's reply = %+v", tr.Replies)
	}
	if code := in.call(t, "DELETE", doc+fmt.Sprint("/", n), "", &added); code != http.StatusOK || len(added.Phrasings) != n-1 {
		t.Fatalf("delete: %d %+v", code, added)
	}

	// Synonyms: bad groups and bad files are refused whole; the demo's groups stay.
	var syn struct {
		Languages map[string][][]string `json:"languages"`
	}
	in.call(t, "GET", "/api/v1/kb/synonyms", "", &syn)
	enGroups := len(syn.Languages["en"])
	if enGroups == 0 || len(syn.Languages["zh"]) == 0 {
		t.Fatalf("demo synonyms: %+v", syn.Languages)
	}
	var e apiError
	if code := in.call(t, "PUT", "/api/v1/kb/synonyms/en", `{"groups":[["excess","deductible"],["premium"]]}`, &e); code != 400 ||
		!strings.Contains(e.Error.Message, "synonym group 2 (premium) has only one word") {
		t.Errorf("one-word group: %d %q", code, e.Error.Message)
	}
	if code := in.call(t, "POST", "/api/v1/kb/synonyms/import", "{\"lang\":\"en\",\"words\":[\"a\",\"b\"]}\n{\"lang\":\"en\",\"words\":", &e); code != 400 ||
		!strings.Contains(e.Error.Message, "line 2") {
		t.Errorf("malformed import: %d %q", code, e.Error.Message)
	}
	in.call(t, "GET", "/api/v1/kb/synonyms", "", &syn)
	if len(syn.Languages["en"]) != enGroups {
		t.Fatalf("a refused synonym change was stored: %d groups, had %d", len(syn.Languages["en"]), enGroups)
	}
	// A synonym group takes effect for the lexical leg at once.
	if code := in.call(t, "PUT", "/api/v1/kb/synonyms/en", `{"groups":[["quokka","deductible"]]}`, nil); code != 200 {
		t.Fatalf("put synonyms: %d", code)
	}
	if d, _ := topPhrase(t, in, "how big is the quokka"); d != "en-policies-deductible" {
		t.Fatalf("synonym quokka ~ deductible: top hit %s", d)
	}
}

// TestPhrasingReachesReplica: a phrasing added through one Postgres replica is searchable on the
// other within 2 s.
func TestPhrasingReachesReplica(t *testing.T) {
	db := pgSchemaURL(t)
	envA := demoEnv(t, t.TempDir())
	envA["DATABASE_URL"] = db
	a := start(t, envA, "demo")
	envB := map[string]string{"DATABASE_URL": db, "TANDEM_ADDR": "127.0.0.1:0", "TANDEM_DATA_DIR": t.TempDir(), "TANDEM_LOG_LEVEL": "warn"}
	b := start(t, envB, "serve")
	b.key = a.key
	const q = "okapi sighting near my garage"
	if d, _ := topPhrase(t, b, q); d == "en-claims-file-a-claim" {
		t.Fatal("found before it was added")
	}
	if code := a.call(t, "POST", "/api/v1/kb/documents/en-claims-file-a-claim/phrasings", `{"text":"okapi sighting at my garage"}`, nil); code != http.StatusCreated {
		t.Fatalf("add through A: %d", code)
	}
	added := time.Now()
	for {
		if d, p := topPhrase(t, b, q); d == "en-claims-file-a-claim" && p == "okapi sighting at my garage" {
			break
		}
		if time.Since(added) > 2*time.Second {
			t.Fatalf("replica B does not find the new phrasing 2 s after it was added")
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("replica B found the phrasing after %v", time.Since(added).Round(time.Millisecond))
}

var addrLogRE = regexp.MustCompile(`"msg":"listening","addr":"([0-9.:]+)"`)

// TestReadyWaitsForFullQuality: with an embedder that has not answered yet, the server listens but
// /readyz is 503 naming what it waits for and the demo prints no URLs; once vectors arrive the
// calibrator is fitted, /readyz is 200 and the URLs are printed.
func TestReadyWaitsForFullQuality(t *testing.T) {
	fake := llmtest.New()
	t.Cleanup(fake.Close)
	target, _ := url.Parse(fake.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	gate := make(chan struct{})
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	env := demoEnv(t, t.TempDir())
	env["TANDEM_EMBEDDER"], env["TANDEM_EMBED_BASE_URL"], env["TANDEM_EMBED_API_KEY"] = "openai", front.URL+"/v1", "k"
	env["TANDEM_LOG_LEVEL"], env["TANDEM_LOG_FORMAT"] = "info", "json"
	env["TANDEM_OUTBOUND_ALLOW"] = allowed(front.URL)
	in := &instance{key: env["TANDEM_DEMO_API_KEY"]}
	in = startUnready(t, env, in)
	get := func() (int, string) {
		resp, err := http.Get(in.base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	time.Sleep(300 * time.Millisecond)
	if code, body := get(); code != http.StatusServiceUnavailable || !strings.Contains(body, "vectors are being computed") {
		t.Fatalf("/readyz before vectors: %d %s", code, body)
	}
	if strings.Contains(in.out.String(), "Demo page") {
		t.Fatalf("the demo printed its URLs before it was ready:\n%s", in.out)
	}
	close(gate)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(in.out.String(), "Demo page") {
		if time.Now().After(deadline) {
			t.Fatalf("not ready 30 s after vectors were available:\n%s", in.errs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, body := get(); code != http.StatusOK {
		t.Fatalf("/readyz once URLs are printed: %d %s", code, body)
	}
	var st struct {
		Embedded    int `json:"embedded"`
		Chunks      int `json:"chunks"`
		Calibration struct {
			State string `json:"state"`
			Fit   struct {
				Langs map[string]struct {
					ECE float64 `json:"ece"`
				} `json:"langs"`
			} `json:"fit"`
		} `json:"calibration"`
	}
	in.call(t, "GET", "/api/v1/kb/status", "", &st)
	if st.Embedded != st.Chunks || st.Calibration.State != "done" || len(st.Calibration.Fit.Langs) != 2 {
		t.Fatalf("status when ready: %+v", st)
	}
}

// startUnready runs tandem and returns as soon as it listens (from its log), before it is ready.
func startUnready(t *testing.T, env map[string]string, in *instance) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	in.cancel, in.done, in.out, in.errs = cancel, make(chan int, 1), &syncBuffer{}, &syncBuffer{}
	go func() {
		in.done <- run(ctx, []string{"demo"}, func(k string) string { return env[k] }, in.out, in.errs)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := addrLogRE.FindStringSubmatch(in.errs.String()); m != nil {
			in.base = "http://" + m[1]
			t.Cleanup(in.stop)
			return in
		}
		select {
		case code := <-in.done:
			t.Fatalf("tandem exited with %d before listening:\n%s", code, in.errs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("tandem did not listen within 30s:\n%s", in.errs)
	return nil
}
