package backend

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server is a running fake: its base URL, its listen address and the credentials it wants.
type Server struct {
	URL, Addr     string
	Token, Secret string
	*Backend
}

// readHeaderTimeout bounds reading a request's headers.
const readHeaderTimeout = 5 * time.Second

// Start serves a fake with fresh random credentials on a loopback port until ctx ends.
func Start(ctx context.Context) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo back-end: %w", err)
	}
	s := &Server{Addr: ln.Addr().String(), Token: randomHex(16), Secret: randomHex(16)}
	s.URL, s.Backend = "http://"+s.Addr, New(s.Token, s.Secret)
	srv := &http.Server{Handler: s.Backend, ReadHeaderTimeout: readHeaderTimeout}
	go srv.Serve(ln)
	context.AfterFunc(ctx, func() { srv.Close() })
	return s, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
