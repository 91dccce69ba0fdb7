package action

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"tandem/outbound"
)

// Resolver looks up a host's addresses (net.DefaultResolver).
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// permit checks a target before anything is built for it, to fail clearly: a host that resolves
// to a loopback, private, link-local, unspecified or multicast address is refused unless an admin
// allowed that host (Allow). The client given to the Executor (outbound.Policy's, in tandem
// serve) checks the address again when it dials, so a changed DNS answer is refused too.
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
		if !outbound.Public(a) {
			return &Failure{Kind: FailRefused, Detail: u.Hostname() + " is on a local or private address; an admin must allow it (TANDEM_ACTION_ALLOW_HOSTS)"}
		}
	}
	return nil
}
