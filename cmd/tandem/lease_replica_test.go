package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// alertHook is a fake alert webhook receiver that counts deliveries per rule.
type alertHook struct {
	mu    sync.Mutex
	rules []string
	srv   *httptest.Server
}

func newAlertHook(t *testing.T) *alertHook {
	h := &alertHook{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			Alert struct {
				Rule struct {
					Metric string `json:"metric"`
					Op     string `json:"op"`
				} `json:"rule"`
			} `json:"alert"`
		}
		json.NewDecoder(r.Body).Decode(&b)
		h.mu.Lock()
		h.rules = append(h.rules, b.Alert.Rule.Metric+b.Alert.Rule.Op)
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// count is how many deliveries rule has had.
func (h *alertHook) count(rule string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.rules {
		if r == rule {
			n++
		}
	}
	return n
}

// waitCount waits up to d for rule to reach n deliveries and returns the count then.
func (h *alertHook) waitCount(rule string, n int, d time.Duration) int {
	deadline := time.Now().Add(d)
	for h.count(rule) < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	return h.count(rule)
}

// holdsLease reads the replica's /metrics for tandem_lease_held{lease="name"} 1.
func (in *instance) holdsLease(t *testing.T, name string) bool {
	t.Helper()
	res, err := http.Get(in.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return strings.Contains(string(body), `tandem_lease_held{lease="`+name+`"} 1`)
}

// TestReplicasOneAlertPerRuleAndFailover runs two replicas on one Postgres with an alert rule
// that is breached: the rule's webhook is sent once, by the replica holding the alerts lease,
// not once per replica. When that replica stops, the other takes the lease and sends it within
// a minute.
func TestReplicasOneAlertPerRuleAndFailover(t *testing.T) {
	hook := newAlertHook(t)
	const rule = "handoff_rate<"
	db := pgSchemaURL(t)
	env := demoEnv(t, t.TempDir())
	env["DATABASE_URL"] = db
	env["TANDEM_VISITOR_SECRET"] = strings.Repeat("s", 40)
	env["TANDEM_ALERT_RULES"], env["TANDEM_ALERT_WEBHOOK"] = "handoff_rate<1", hook.srv.URL
	env["TANDEM_OUTBOUND_ALLOW"] = allowed(hook.srv.URL) // the fake receiver is on loopback
	seed := start(t, env, "demo")
	// A conversation the bot keeps: its handoff rate 0 breaches "handoff_rate<1".
	if code := seed.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"c1"}}`, nil); code != 201 {
		t.Fatalf("create conversation = %d", code)
	}
	seed.stop()
	before := hook.count(rule) // the seed's startup check may or may not have seen it

	envB := map[string]string{}
	for k, v := range env {
		envB[k] = v
	}
	envB["TANDEM_DATA_DIR"] = t.TempDir()
	a := start(t, env, "serve")
	b := start(t, envB, "serve")
	if got := hook.waitCount(rule, before+1, 30*time.Second); got != before+1 {
		t.Fatalf("%d webhooks after both replicas started, want 1", got-before)
	}
	// Both replicas check at start; only the holder of the lease may, so no second one comes.
	time.Sleep(3 * time.Second)
	if got := hook.count(rule); got != before+1 {
		t.Fatalf("%d webhooks for one breached rule from two replicas, want 1", got-before)
	}
	holder, other := a, b
	if b.holdsLease(t, "alerts") {
		holder, other = b, a
	}
	if !holder.holdsLease(t, "alerts") || other.holdsLease(t, "alerts") {
		t.Fatalf("want exactly one replica holding the alerts lease (a %v, b %v)", a.holdsLease(t, "alerts"), b.holdsLease(t, "alerts"))
	}

	stopped := time.Now()
	holder.stop()
	if got := hook.waitCount(rule, before+2, time.Minute); got != before+2 {
		t.Fatalf("the other replica did not take the alerts within a minute of the holder stopping (%d webhooks)", got-before)
	}
	t.Logf("alerts failed over in %v", time.Since(stopped).Round(100*time.Millisecond))
	if !other.holdsLease(t, "alerts") || !other.holdsLease(t, "recovery") {
		t.Fatal("the surviving replica does not hold the alerts and recovery leases")
	}
}

// TestReplicasShareWidgetLimit: a widget visitor sending messages through two replicas on one
// Postgres is limited at the configured burst once, not once per replica.
func TestReplicasShareWidgetLimit(t *testing.T) {
	db := pgSchemaURL(t)
	env := demoEnv(t, t.TempDir())
	env["DATABASE_URL"] = db
	env["TANDEM_VISITOR_SECRET"] = strings.Repeat("s", 40)
	const burst = 4
	env["TANDEM_WIDGET_RATE"], env["TANDEM_WIDGET_BURST"] = "0.01", "4" // no refill within the test
	a := start(t, env, "demo")
	envB := map[string]string{}
	for k, v := range env {
		envB[k] = v
	}
	envB["TANDEM_DATA_DIR"] = t.TempDir()
	b := start(t, envB, "serve")

	var s widgetSession
	if code := a.callKey(t, "", "POST", "/api/widget/session", `{}`, &s); code != 200 {
		t.Fatalf("widget session = %d", code)
	}
	codes := map[int]int{}
	for i := range 2 * burst {
		in := a
		if i%2 == 1 {
			in = b
		}
		codes[in.callKey(t, s.VisitorToken, "POST", "/api/widget/messages", `{"text":"hello"}`, nil)]++
	}
	if codes[201] != burst || codes[429] != burst {
		t.Fatalf("through two replicas: %v, want %d × 201 then 429s (a burst of %d in all)", codes, burst, burst)
	}
}

// TestReplicasShareSocketCap: a widget visitor allowed 2 live sockets gets 2 across two
// replicas, not 2 on each; closing one lets another open on either replica.
func TestReplicasShareSocketCap(t *testing.T) {
	db := pgSchemaURL(t)
	env := demoEnv(t, t.TempDir())
	env["DATABASE_URL"] = db
	env["TANDEM_VISITOR_SECRET"] = strings.Repeat("s", 40)
	env["TANDEM_VISITOR_SOCKETS"] = "2"
	a := start(t, env, "demo")
	envB := map[string]string{}
	for k, v := range env {
		envB[k] = v
	}
	envB["TANDEM_DATA_DIR"] = t.TempDir()
	b := start(t, envB, "serve")

	var s widgetSession
	if code := a.callKey(t, "", "POST", "/api/widget/session", `{}`, &s); code != 200 {
		t.Fatalf("widget session = %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws := func(in *instance) string {
		return strings.Replace(in.base, "http://", "ws://", 1) + "/api/widget/ws?token=" + s.VisitorToken
	}
	first, _, err := websocket.Dial(ctx, ws(a), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.CloseNow()
	second, _, err := websocket.Dial(ctx, ws(b), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer second.CloseNow()
	for name, in := range map[string]*instance{"a": a, "b": b} {
		c, resp, err := websocket.Dial(ctx, ws(in), nil)
		if err == nil {
			c.CloseNow()
			t.Fatalf("a third socket through replica %s was accepted; the cap of 2 holds per replica only", name)
		}
		if resp == nil || resp.StatusCode != 429 {
			t.Fatalf("a third socket through %s: %v %+v, want 429", name, err, resp)
		}
	}
	first.Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, _, err := websocket.Dial(ctx, ws(b), nil)
		if err == nil {
			c.CloseNow()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after closing one socket, another is still refused: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
