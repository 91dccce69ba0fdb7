package httpapi

import (
	"net"
	"sync"
)

// PerIPListener caps the connections open at once from one client IP: a connection over the cap
// is closed as soon as it is accepted, so one address holding many idle connections cannot use
// up the server for everyone else. Behind a reverse proxy every connection comes from the proxy:
// raise the cap (TANDEM_MAX_CONNS_PER_IP) to what the proxy keeps open.
type PerIPListener struct {
	net.Listener
	Max int

	mu   sync.Mutex
	open map[string]int
}

// LimitPerIP wraps ln so that at most max connections per client IP are open (0: no cap).
func LimitPerIP(ln net.Listener, max int) net.Listener {
	if max <= 0 {
		return ln
	}
	return &PerIPListener{Listener: ln, Max: max, open: map[string]int{}}
}

// Accept returns the next connection whose address is under the cap, closing those over it.
func (l *PerIPListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := remoteIP(c)
		l.mu.Lock()
		over := l.open[ip] >= l.Max
		if !over {
			l.open[ip]++
		}
		l.mu.Unlock()
		if over {
			c.Close()
			continue
		}
		return &countedConn{Conn: c, release: func() { l.release(ip) }}, nil
	}
}

func (l *PerIPListener) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[ip]--; l.open[ip] <= 0 {
		delete(l.open, ip)
	}
}

func remoteIP(c net.Conn) string {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	host, _, _ := net.SplitHostPort(c.RemoteAddr().String())
	return host
}

// countedConn gives its slot back once, when closed.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
