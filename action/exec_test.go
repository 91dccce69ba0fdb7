package action_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"tandem/action"
	"tandem/chat"
	"tandem/outbound"
)

// fakeResolver answers every host with one address, like a DNS record an attacker controls.
type fakeResolver struct{ addr string }

func (f fakeResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr(f.addr)}, nil
}

func executor(srv *httptest.Server) *action.Executor {
	u, _ := url.Parse(srv.URL)
	return &action.Executor{Client: srv.Client(), Allow: []string{u.Host}}
}

// TestRequestIsBuiltSafely: values are escaped for where they stand, so a parameter cannot add a
// path segment or a query parameter; the body is signed with HMAC-SHA256; customer fields come
// from the verified identity only.
func TestRequestIsBuiltSafely(t *testing.T) {
	var got struct {
		path, rawQuery, sig, body string
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.path, got.rawQuery, got.sig, got.body = r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("X-Signature"), string(b)
		w.Write([]byte(`{"customer":"cust-1","ok":true}`))
	}))
	defer srv.Close()
	d := action.Definition{Name: "note", Description: map[string]string{"en": "Leave a note"}, Method: "POST",
		URL:      srv.URL + "/customers/{customer_id}/notes/{topic}?lang={lang}",
		Auth:     action.Auth{Type: "hmac", Secret: "k3y"},
		Params:   []action.Param{{Name: "topic", Required: true}, {Name: "lang", Enum: []string{"en", "zh"}}, {Name: "text", MaxLen: 100}},
		Customer: []string{"customer_id", "policies"}, Risk: action.RiskWrite,
		Response: action.Response{Owner: "customer", Fields: map[string]string{"ok": "ok"}, Reply: map[string]string{"en": "Saved: {ok}"}}}
	if err := action.Validate(d); err != nil {
		t.Fatal(err)
	}
	args := map[string]string{"topic": "../../admin?x=1#", "lang": "en", "text": "hello & goodbye"}
	res, err := executor(srv).Run(context.Background(), d, args, action.Identity{CustomerID: "cust-1", Policies: []string{"P1", "P2"}}, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if got.path != "/customers/cust-1/notes/..%2F..%2Fadmin%3Fx=1%23" || got.rawQuery != "lang=en" {
		t.Errorf("request went to %s?%s", got.path, got.rawQuery)
	}
	m := hmac.New(sha256.New, []byte("k3y"))
	m.Write([]byte(got.body))
	if got.sig != "sha256="+hex.EncodeToString(m.Sum(nil)) || got.body != `{"policies":["P1","P2"],"text":"hello \u0026 goodbye"}` {
		t.Errorf("body %s signed %s", got.body, got.sig)
	}
	if res.Reply["en"] != "Saved: true" {
		t.Errorf("reply = %v", res.Reply)
	}
	for _, bad := range []map[string]string{{"lang": "fr", "topic": "x"}, {"topic": "x", "admin": "1"}, {"topic": strings.Repeat("x", 501)}, {"topic": "a\nb"}} {
		if _, err := action.Build(d, bad, action.Identity{CustomerID: "cust-1"}); chat.ErrorCode(err) != chat.EINVALID {
			t.Errorf("args %v built: %v", bad, err)
		}
	}
}

// TestTargetPolicy: a host that resolves to a loopback, private, link-local or metadata address
// is refused before anything is sent unless it is allowed; redirects are not followed.
func TestTargetPolicy(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
			return
		}
		w.Write([]byte(`{"v":"x"}`))
	}))
	defer srv.Close()
	def := func(u string) action.Definition {
		return action.Definition{Name: "probe", Description: map[string]string{"en": "Probe"}, Method: "GET", URL: u, Risk: action.RiskRead,
			Response: action.Response{Fields: map[string]string{"v": "v"}, Reply: map[string]string{"en": "{v}"}}}
	}
	u, _ := url.Parse(srv.URL)
	for _, addr := range []string{"127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.5.4", "169.254.169.254", "::1", "fd00::1", "100.64.0.1", "0.0.0.0"} {
		e := &action.Executor{Client: srv.Client(), Resolver: fakeResolver{addr}}
		_, err := e.Run(context.Background(), def("http://backend.example:"+u.Port()+"/v"), nil, action.Identity{}, "")
		if f, ok := err.(*action.Failure); !ok || f.Kind != action.FailRefused {
			t.Errorf("a host on %s: %v, want refused", addr, err)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("%d requests reached a refused target", hits.Load())
	}
	e := executor(srv)
	if _, err := e.Run(context.Background(), def(srv.URL+"/v"), nil, action.Identity{}, ""); err != nil {
		t.Errorf("an allowed host: %v", err)
	}
	_, err := e.Run(context.Background(), def(srv.URL+"/moved"), nil, action.Identity{}, "")
	if f, ok := err.(*action.Failure); !ok || f.Kind != action.FailStatus || !strings.HasPrefix(f.Detail, "302") {
		t.Errorf("a redirect to the metadata address: %v, want the 302 as a failure", err)
	}
}

// TestValidateNamesTheField: a definition with a mistake is refused with the field to fix.
func TestValidateNamesTheField(t *testing.T) {
	good := action.Definition{Name: "claim_status", Description: map[string]string{"en": "Claim"}, Method: "GET",
		URL: "https://hm.example/claims/{claim}", Params: []action.Param{{Name: "claim", Pattern: `CL\d{8}`, Owned: true}},
		Response: action.Response{Owner: "customer", Fields: map[string]string{"s": "status"}, Reply: map[string]string{"en": "{s}"}}, Risk: action.RiskRead}
	if err := action.Validate(good); err != nil {
		t.Fatal(err)
	}
	for want, change := range map[string]func(*action.Definition){
		"action name":             func(d *action.Definition) { d.Name = "Claim Status" },
		"method":                  func(d *action.Definition) { d.Method = "TRACE" },
		"risk: a POST call":       func(d *action.Definition) { d.Method = "POST" },
		"url: placeholder {x}":    func(d *action.Definition) { d.URL += "?x={x}" },
		"url: put credentials":    func(d *action.Definition) { d.URL = "https://u:p@hm.example/claims/{claim}" },
		"auth.type":               func(d *action.Definition) { d.Auth.Type = "oauth" },
		"params.claim.pattern":    func(d *action.Definition) { d.Params[0].Pattern = "(" },
		"response.owner":          func(d *action.Definition) { d.Response.Owner = "" },
		"response.reply":          func(d *action.Definition) { d.Response.Reply = nil },
		"timeout_ms":              func(d *action.Definition) { d.TimeoutMS = 60000 },
		"customer: \"email\"":     func(d *action.Definition) { d.Customer = []string{"email"} },
		"description.fr":          func(d *action.Definition) { d.Description["fr"] = "x" },
		"retries: only reads":     func(d *action.Definition) { d.Method, d.Risk, d.Retries = "POST", action.RiskWrite, 1 },
		"params.claim.max_length": func(d *action.Definition) { d.Params[0].MaxLen = 9999 },
	} {
		d := good
		d.Description = map[string]string{"en": "Claim"}
		d.Params = append([]action.Param(nil), good.Params...)
		change(&d)
		if err := action.Validate(d); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", want, err)
		}
	}
}

// TestDialTimeRefusal: with the server's outbound policy as the client, an address that turns
// out private when dialled is refused even if the first check let it through (a DNS answer that
// changed, a pre-check that was wrong).
func TestDialTimeRefusal(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1); w.Write([]byte(`{"v":"x"}`)) }))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	e := &action.Executor{Client: outbound.Policy{}.Client(0), Allow: []string{u.Host}} // the pre-check passes; the dial does not
	d := action.Definition{Name: "probe", Description: map[string]string{"en": "Probe"}, Method: "GET", URL: srv.URL + "/v", Risk: action.RiskRead,
		Response: action.Response{Fields: map[string]string{"v": "v"}, Reply: map[string]string{"en": "{v}"}}}
	_, err := e.Run(context.Background(), d, nil, action.Identity{}, "")
	if f, ok := err.(*action.Failure); !ok || f.Kind != action.FailRefused || hits.Load() != 0 {
		t.Fatalf("dial to loopback under the policy: %v (%d requests), want refused and nothing sent", err, hits.Load())
	}
}
