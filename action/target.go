package action

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// Resolver looks up a host's addresses (net.DefaultResolver).
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// permit is the outbound-URL policy of actions, in one place so it can be swapped for a shared
// guarded client: a target whose host resolves to a loopback, private, link-local, unspecified
// or multicast address is refused unless an admin allowed that host (Allow).
func (e *Executor) permit(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return &Failure{Kind: FailRefused, Detail: "not an http(s) URL"}
	}
	if slices.ContainsFunc(e.Allow, func(h string) bool { return strings.EqualFold(h, u.Host) || strings.EqualFold(h, u.Hostname()) }) {
		return nil
	}
	var r Resolver = net.DefaultResolver
	if e.Resolver != nil {
		r = e.Resolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", u.Hostname())
	if err != nil || len(addrs) == 0 {
		return &Failure{Kind: FailDown, Detail: "cannot resolve " + u.Hostname()}
	}
	for _, a := range addrs {
		a = a.Unmap()
		if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsUnspecified() || a.IsMulticast() || cgnat.Contains(a) {
			return &Failure{Kind: FailRefused, Detail: u.Hostname() + " is on a local or private address; an admin must allow it (TANDEM_ACTION_ALLOW_HOSTS)"}
		}
	}
	return nil
}

// cgnat is the shared address space (RFC 6598), private in practice.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")
