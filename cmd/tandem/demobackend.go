package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"tandem/action"
	"tandem/chat"
	"tandem/config"
	"tandem/demo"
	"tandem/intent"
)

// demoIdentityTTL is how long the printed signed-in demo link works.
const demoIdentityTTL = 24 * time.Hour

// startDemoBackend serves the fake Harbor Mutual back-end on its own loopback listener until ctx
// ends, stores the demo actions pointing at it with fresh credentials, and allows actions to
// call that one loopback address. It returns the back-end's base URL.
func startDemoBackend(ctx context.Context, st store, cfg *config.Config) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("demo back-end: %w", err)
	}
	token, secret := randomHex(16), randomHex(16)
	srv := &http.Server{Handler: demo.NewBackend(token, secret), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	context.AfterFunc(ctx, func() { srv.Close() })
	base := "http://" + ln.Addr().String()
	text := strings.NewReplacer("http://harbor-mutual.demo", base, "DEMO_TOKEN", token, "DEMO_SECRET", secret).Replace(string(demo.Actions))
	defs, err := action.ParseFile([]byte(text))
	if err != nil {
		return "", fmt.Errorf("demo actions: %w", err)
	}
	for _, d := range defs {
		d.UpdatedAt = time.Now().UTC()
		if err := st.PutAction(ctx, d); err != nil {
			return "", err
		}
	}
	if err := loadActionIntents(ctx, st); err != nil {
		return "", fmt.Errorf("demo action intents: %w", err)
	}
	cfg.ActionAllowHosts = append(cfg.ActionAllowHosts, ln.Addr().String())
	return base, nil
}

// loadActionIntents stores the intents that run the demo's actions, those not stored yet (a
// trainer's changes stay).
func loadActionIntents(ctx context.Context, st store) error {
	ins, err := intent.ParseJSONL(bytes.NewReader(demo.ActionIntents), time.Now().UTC())
	if err != nil {
		return err
	}
	stored, err := st.Intents(ctx)
	if err != nil {
		return err
	}
	for _, in := range ins {
		if !slices.ContainsFunc(stored, func(s chat.Intent) bool { return s.Name == in.Name }) {
			if err := st.PutIntent(ctx, in); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoIdentity signs the demo site's identity token for its customer Ann, as a real site would
// for a customer signed in to it; the demo's identity secret is random per run unless
// TANDEM_WIDGET_IDENTITY_SECRET is set.
func demoIdentity(cfg *config.Config) (string, error) {
	if cfg.WidgetIdentitySecret == "" {
		cfg.WidgetIdentitySecret = randomHex(32)
	}
	claims := jwt.MapClaims{"sub": demo.CustomerAnn, "name": "Ann Lee", "phone": "+852 9123 4567",
		"policies": []string{"HM-CAR-1001", "HM-TRV-1002"}, "exp": time.Now().Add(demoIdentityTTL).Unix()}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(cfg.WidgetIdentitySecret))
}
