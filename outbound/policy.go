// Package outbound is the one policy for requests the server makes on its own: knowledge imports,
// channel APIs, the alert webhook and the LLM. It refuses addresses inside the server's own
// network (loopback, private, link-local, CGNAT, multicast, unspecified, cloud metadata) unless
// an admin allows that host, checks the address actually dialled (so DNS rebinding and other
// spellings of an address change nothing), re-checks every redirect and caps response bodies.
package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// ErrRefused is the error of a request to an address the policy does not allow.
var ErrRefused = errors.New("fetch refused: address not allowed")

// Limits of every outbound request.
const (
	// MaxRedirects is how many redirects one request follows.
	MaxRedirects = 5
	// MaxResponseBytes caps one response body; reading past it fails (ErrTooLarge).
	MaxResponseBytes = 32 << 20
	// dialTimeout bounds connecting to one address.
	dialTimeout = 10 * time.Second
)

// ErrTooLarge is the error of reading a response body past MaxResponseBytes.
var ErrTooLarge = errors.New("fetch failed: response too large")

// blocked are the ranges a request may not reach unless its host is allowed.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network", 0.0.0.0 reaches the local host
	netip.MustParsePrefix("10.0.0.0/8"),     // private
	netip.MustParsePrefix("100.64.0.0/10"),  // CGNAT (and Alibaba's metadata 100.100.100.200)
	netip.MustParsePrefix("127.0.0.0/8"),    // loopback
	netip.MustParsePrefix("169.254.0.0/16"), // link-local, cloud metadata 169.254.169.254
	netip.MustParsePrefix("172.16.0.0/12"),  // private
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments (Oracle metadata 192.0.0.192)
	netip.MustParsePrefix("192.168.0.0/16"), // private
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking, used inside data centres
	netip.MustParsePrefix("224.0.0.0/4"),    // multicast
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, broadcast
	netip.MustParsePrefix("::/128"),         // unspecified
	netip.MustParsePrefix("::1/128"),        // loopback
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64: an IPv4 address in disguise
	netip.MustParsePrefix("64:ff9b:1::/48"), // local NAT64
	netip.MustParsePrefix("2002::/16"),      // 6to4: an IPv4 address in disguise
	netip.MustParsePrefix("fc00::/7"),       // unique local (ULA), AWS metadata fd00:ec2::254
	netip.MustParsePrefix("fe80::/10"),      // link-local
	netip.MustParsePrefix("ff00::/8"),       // multicast
	netip.MustParsePrefix("100::/64"),       // discard
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
	netip.MustParsePrefix("2001::/32"),      // Teredo: tunnels to arbitrary IPv4
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
}

// Public reports whether ip is an address on the public internet, outside every blocked range.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() {
		return false
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// Policy decides which addresses outbound requests may reach. The zero Policy allows public
// addresses only.
type Policy struct {
	allow map[string]bool // normalized "host" or "host:port"
}

// Parse reads an allow-list such as "llm.internal,127.0.0.1:8081,[::1]:9000": hosts (any port)
// or host:port pairs that may be reached although they resolve to a blocked address.
func Parse(list string) (Policy, error) {
	p := Policy{allow: map[string]bool{}}
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if strings.Contains(e, "/") || strings.Contains(e, "://") {
			return Policy{}, fmt.Errorf("%q: want a host or host:port, not a URL or a range", e)
		}
		if host, port, err := net.SplitHostPort(e); err == nil {
			if host == "" || port == "" {
				return Policy{}, fmt.Errorf("%q: want a host or host:port", e)
			}
			p.allow[normalize(host)+":"+port] = true
			continue
		}
		p.allow[normalize(strings.Trim(e, "[]"))] = true
	}
	return p, nil
}

// normalize lower-cases a host and drops a trailing dot, so "LOCALHOST." matches "localhost".
func normalize(host string) string {
	return strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
}

// Allowed reports whether an admin allowed addr ("host:port" as written in the URL).
func (p Policy) Allowed(addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	h := normalize(host)
	return p.allow[h] || p.allow[h+":"+port]
}

// DialContext connects like net.Dialer, refusing (ErrRefused) a blocked address unless addr's
// host is allowed. The address is checked after resolution, on the socket about to connect.
func (p Policy) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	if !p.Allowed(addr) {
		d.Control = refuseBlocked
	}
	return d.DialContext(ctx, network, addr)
}

// refuseBlocked is a net.Dialer Control: it runs on each resolved address before connecting.
func refuseBlocked(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !Public(ap.Addr()) {
		return ErrRefused
	}
	return nil
}

// Transport is an http.Transport that dials through the policy and ignores proxy settings from
// the environment (a proxy would dial for us, unchecked).
func (p Policy) Transport() *http.Transport {
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           p.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// Client is an http.Client under the policy: dial-time address checks, at most MaxRedirects
// redirects and only to http(s), response bodies capped at MaxResponseBytes. timeout bounds a
// whole request (0: the request's context only).
func (p Policy) Client(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: capped{p.Transport()}, CheckRedirect: checkRedirect}
}

// checkRedirect follows at most MaxRedirects redirects, each to http or https; the address of
// every hop is checked again when it is dialled.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= MaxRedirects {
		return fmt.Errorf("fetch failed: more than %d redirects", MaxRedirects)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return ErrRefused
	}
	return nil
}

// capped refuses non-http(s) URLs and caps every response body.
type capped struct{ rt http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (c capped) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, ErrRefused
	}
	res, err := c.rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	res.Body = &limitedBody{body: res.Body, left: MaxResponseBytes}
	return res, nil
}

// limitedBody fails with ErrTooLarge once more than its limit has been read.
type limitedBody struct {
	body interface {
		Read([]byte) (int, error)
		Close() error
	}
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.body.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), ErrTooLarge
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.body.Close() }

// Message is what a client of the server may be told about a failed outbound request: whether
// the policy refused it, never the address, port or network error behind it.
func Message(err error) string {
	switch {
	case errors.Is(err, ErrRefused):
		return ErrRefused.Error()
	case errors.Is(err, ErrTooLarge):
		return ErrTooLarge.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return "fetch failed: timed out"
	}
	return "fetch failed"
}
