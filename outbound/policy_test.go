package outbound_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tandem/outbound"
)

// secretServer is a loopback service the policy must keep requests away from.
func secretServer(t *testing.T) (*httptest.Server, *atomic.Int32, string) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, "internal metrics")
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return srv, &hits, port
}

func TestClientRefusesInternalSpellings(t *testing.T) {
	_, hits, port := secretServer(t)
	client := outbound.Policy{}.Client(5 * time.Second)
	for _, host := range []string{"127.0.0.1", "localhost", "localhost.", "LOCALHOST", "127.1", "127.0.0.2", "0.0.0.0", "0", "[::1]", "[::]",
		"[::ffff:127.0.0.1]", "2130706433", "0x7f000001", "017700000001"} {
		t.Run(host, func(t *testing.T) {
			res, err := client.Get("http://" + host + ":" + port + "/metrics")
			if err == nil {
				res.Body.Close()
				t.Fatalf("got %d, want an error", res.StatusCode)
			}
			if msg := outbound.Message(err); strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, port) {
				t.Errorf("client message %q reveals the network", msg)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback service got %d requests, want 0", n)
	}
}

func TestClientRefusedErrorIsNamed(t *testing.T) {
	_, _, port := secretServer(t)
	_, err := outbound.Policy{}.Client(5 * time.Second).Get("http://127.0.0.1:" + port + "/")
	if !errors.Is(err, outbound.ErrRefused) {
		t.Fatalf("err = %v, want ErrRefused", err)
	}
	if got, want := outbound.Message(err), "fetch refused: address not allowed"; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
}

func TestAllowListAndRedirects(t *testing.T) {
	inner, hits, innerPort := secretServer(t)
	var front *httptest.Server
	front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-inner":
			http.Redirect(w, r, inner.URL+"/metrics", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, front.URL+"/loop", http.StatusFound)
		case "/file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		default:
			fmt.Fprint(w, "public page")
		}
	}))
	defer front.Close()
	p, err := outbound.Parse(front.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	client := p.Client(5 * time.Second)
	res, err := client.Get(front.URL + "/page")
	if err != nil {
		t.Fatalf("allowed host: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != "public page" {
		t.Errorf("allowed host body = %q", body)
	}
	for path, want := range map[string]error{"/to-inner": outbound.ErrRefused, "/file": outbound.ErrRefused, "/loop": nil} {
		res, err := client.Get(front.URL + path)
		if err == nil {
			res.Body.Close()
			t.Errorf("%s: got %d, want an error", path, res.StatusCode)
			continue
		}
		if want != nil && !errors.Is(err, want) {
			t.Errorf("%s: err = %v, want %v", path, err, want)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("a redirect reached the unlisted loopback service %d times (port %s)", n, innerPort)
	}
	// The same loopback address under another spelling is not the allowed host.
	_, port, _ := net.SplitHostPort(front.Listener.Addr().String())
	if res, err := client.Get("http://127.1:" + port + "/page"); err == nil {
		res.Body.Close()
		t.Error("127.1 reached a host allowed only as 127.0.0.1")
	}
}

func TestResponseCap(t *testing.T) {
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := strings.Repeat("x", 1<<20)
		for range outbound.MaxResponseBytes>>20 + 2 {
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	}))
	defer big.Close()
	p, _ := outbound.Parse(big.Listener.Addr().String())
	res, err := p.Client(30 * time.Second).Get(big.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	n, err := io.Copy(io.Discard, res.Body)
	if !errors.Is(err, outbound.ErrTooLarge) || n != outbound.MaxResponseBytes {
		t.Errorf("read %d bytes, err %v; want %d and ErrTooLarge", n, err, outbound.MaxResponseBytes)
	}
}

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14": true, "2606:4700::6810:85e5": true, "8.8.8.8": true,
		"10.1.2.3": false, "172.31.0.1": false, "192.168.1.1": false, "100.64.0.1": false, "169.254.169.254": false,
		"fd00:ec2::254": false, "fe80::1": false, "224.0.0.1": false, "ff02::1": false, "::": false, "0.0.0.0": false,
		"::ffff:10.0.0.1": false, "64:ff9b::7f00:1": false, "255.255.255.255": false, "100.100.100.200": false,
	} {
		if got := outbound.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	p, err := outbound.Parse(" llm.internal , 127.0.0.1:8081,[::1]:9000,Metrics.Local.")
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]bool{"llm.internal:443": true, "LLM.internal.:80": true, "127.0.0.1:8081": true,
		"127.0.0.1:8082": false, "[::1]:9000": true, "[::1]:9001": false, "metrics.local:1": true, "other:80": false} {
		if got := p.Allowed(addr); got != want {
			t.Errorf("Allowed(%s) = %v, want %v", addr, got, want)
		}
	}
	for _, bad := range []string{"http://x", "10.0.0.0/8", ":80"} {
		if _, err := outbound.Parse(bad); err == nil {
			t.Errorf("Parse(%q) = nil error", bad)
		}
	}
}
