package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"
)

// fuzzRoute is a JSON API route the fuzzer posts bodies to, and how it authenticates.
type fuzzRoute struct {
	method, path string
	auth         string // "key", "visitor" or "session"
	seed         string
}

// FuzzAPI posts any body to the JSON API's routes on a running demo (the app, widget, console
// and trainer APIs): every answer must be a success or a client error, never a 5xx, and the
// server must keep serving.
func FuzzAPI(f *testing.F) {
	env := demoEnv(f, f.TempDir())
	env["TANDEM_IP_RATE"], env["TANDEM_WIDGET_RATE"], env["TANDEM_WIDGET_BURST"] = "1000000", "1000000", "1000000"
	env["TANDEM_LOG_LEVEL"] = "error"
	in := start(f, env, "demo")
	conv, visitor := fuzzFixtures(f, in)
	routes := []fuzzRoute{
		{"POST", "/api/v1/conversations", "key", `{"customer":{"id":"c1","name":"Ann","tier":"vip","attributes":{"plan":"gold"}},"lang":"zh"}`},
		{"POST", "/api/v1/conversations/" + conv + "/messages", "key", `{"text":"How do I file a claim?"}`},
		{"POST", "/api/v1/conversations/" + conv + "/handoff", "key", `{"reason":"customer_request"}`},
		{"POST", "/api/v1/conversations/" + conv + "/rating", "key", `{"score":5,"comment":"great"}`},
		{"POST", "/api/v1/conversations/" + conv + "/feedback", "key", `{"message_id":1,"helpful":false}`},
		{"POST", "/api/widget/session", "visitor", `{"visitor_token":"","lang":"en"}`},
		{"POST", "/api/widget/messages", "visitor", `{"text":"我的保单什么时候续保？"}`},
		{"POST", "/api/widget/rating", "visitor", `{"score":1}`},
		{"POST", "/api/console/login", "", `{"username":"agent","password":"x"}`},
		{"PUT", "/api/console/presence", "session", `{"status":"online"}`},
		{"POST", "/api/console/conversations/" + conv + "/messages", "session", `{"text":"hello","draft_id":1}`},
		{"POST", "/api/console/conversations/" + conv + "/notes", "session", `{"text":"note"}`},
		{"POST", "/api/console/conversations/" + conv + "/transfer", "session", `{"to":"agent2","team":"billing"}`},
		{"PUT", "/api/v1/intents/fuzz_intent", "session", `{"examples":["a","b"],"action":"answer","answer":"hi"}`},
		{"PUT", "/api/v1/settings", "session", `{"target_precision":0.8}`},
		{"POST", "/api/trainer/review/accept", "session", `{"ids":[1],"set":"regressions"}`},
		{"POST", "/api/trainer/intents/preview", "session", `{"intents":[{"name":"x","examples":["a"]}]}`},
	}
	for i, r := range routes {
		f.Add(uint8(i), r.seed)
	}
	jar, _ := cookiejar.New(nil)
	admin := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	if code, _ := fuzzDo(f, admin, in.base, "POST", "/api/console/login", "", `{"username":"admin","password":"`+demoAdminPassword+`"}`); code != 200 {
		f.Fatalf("admin sign-in = %d", code)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	f.Fuzz(func(t *testing.T, pick uint8, body string) {
		r := routes[int(pick)%len(routes)]
		c, bearer := client, ""
		switch r.auth {
		case "key":
			bearer = in.key
		case "visitor":
			bearer = visitor
		case "session":
			c = admin
		}
		if code, data := fuzzDo(t, c, in.base, r.method, r.path, bearer, body); code >= 500 {
			t.Fatalf("%s %s with %q = %d %s", r.method, r.path, body, code, data)
		}
	})
}

// fuzzFixtures makes a conversation over the app API and a widget visitor.
func fuzzFixtures(t testing.TB, in *instance) (conv, visitor string) {
	var c struct{ ID string }
	if code, data := fuzzDo(t, http.DefaultClient, in.base, "POST", "/api/v1/conversations", in.key, `{"customer":{"id":"fuzz"}}`); code != 201 || json.Unmarshal(data, &c) != nil {
		t.Fatalf("create conversation = %d %s", code, data)
	}
	var w widgetSession
	if code, data := fuzzDo(t, http.DefaultClient, in.base, "POST", "/api/widget/session", "", `{}`); code != 200 || json.Unmarshal(data, &w) != nil {
		t.Fatalf("widget session = %d %s", code, data)
	}
	return c.ID, w.VisitorToken
}

// fuzzDo sends one request and returns its status and body.
func fuzzDo(t testing.TB, c *http.Client, base, method, path, bearer, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", base)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v (did the server die?)", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, data
}
