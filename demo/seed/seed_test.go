package seed

import (
	"context"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"tandem/chat"
	"tandem/demo/backend"
	"tandem/httpapi"
	"tandem/sqlite/sqlitetest"
)

func TestLoadIsIdempotentAndKeepsTrainersWork(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.Open(t)
	n, changed, err := Load(ctx, st)
	if err != nil || n == 0 || changed != n {
		t.Fatalf("first load: %d articles, %d changed, %v", n, changed, err)
	}
	ins, _ := st.Intents(ctx)
	syn, _ := st.Synonyms(ctx)
	if len(ins) == 0 || len(syn) == 0 {
		t.Fatalf("loaded %d intents and %d synonym groups", len(ins), len(syn))
	}
	if err := st.DeleteIntent(ctx, ins[0].Name); err != nil { // a trainer's edit
		t.Fatal(err)
	}
	again, changed, err := Load(ctx, st)
	if err != nil || again != n || changed != 0 {
		t.Fatalf("second load: %d articles, %d changed, %v; want %d, 0", again, changed, err, n)
	}
	if now, _ := st.Intents(ctx); len(now) != len(ins)-1 {
		t.Errorf("reloading the demo restored a deleted intent: %d intents, want %d", len(now), len(ins)-1)
	}
}

func TestActionsPointAtTheBackend(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.Open(t)
	b, err := backend.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := Actions(ctx, st, b); err != nil {
		t.Fatal(err)
	}
	defs, err := st.Actions(ctx)
	if err != nil || len(defs) == 0 {
		t.Fatalf("%d actions, %v", len(defs), err)
	}
	for _, d := range defs {
		if !strings.HasPrefix(d.URL, b.URL+"/") {
			t.Errorf("action %s calls %s, not the back-end at %s", d.Name, d.URL, b.URL)
		}
	}
	ins, _ := st.Intents(ctx)
	if len(ins) == 0 {
		t.Error("no intents run the actions")
	}
}

func TestAccountsKeysAndIdentity(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.Open(t)
	if err := Accounts(ctx, st, []Login{{"agent", "agent", "agent-demo"}}); err != nil {
		t.Fatal(err)
	}
	a, err := st.Account(ctx, "agent")
	if err != nil || a.Role != "agent" || bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte("agent-demo")) != nil {
		t.Fatalf("account %+v, %v", a, err)
	}
	if err := Accounts(ctx, st, []Login{{"x", "agent", "short"}}); err == nil {
		t.Error("a short demo password was accepted")
	}
	for range 2 { // the second run finds the key created
		if err := APIKey(ctx, st, "demo", "tk_demo_key"); err != nil {
			t.Fatal(err)
		}
	}
	if k, err := st.APIKeyByHash(ctx, httpapi.HashKey("tk_demo_key")); err != nil || len(k.Scopes) != len(chat.Scopes) {
		t.Errorf("key %+v, %v", k, err)
	}
	token, err := Identity("identity-secret")
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return []byte("identity-secret"), nil }); err != nil || claims["sub"] != backend.CustomerAnn {
		t.Errorf("identity token: %v, claims %v", err, claims)
	}
}
