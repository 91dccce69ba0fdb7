// Package seed stores what `tandem demo` runs on: the demo knowledge base, intents and synonyms,
// the bot actions on the fake back-end, the demo logins and API key, and the signed-in
// customer's identity token.
package seed

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"tandem/action"
	"tandem/chat"
	"tandem/conversation"
	"tandem/demo"
	"tandem/demo/backend"
	"tandem/httpapi"
	"tandem/intent"
	"tandem/retrieval"
)

// Store is what the demo's data is stored in.
type Store interface {
	PutDocument(ctx context.Context, d chat.Document, chunks []chat.Chunk) (bool, error)
	Synonyms(ctx context.Context) ([]chat.SynonymGroup, error)
	PutSynonyms(ctx context.Context, byLang map[string][]chat.SynonymGroup, at time.Time) error
	Intents(ctx context.Context) ([]chat.Intent, error)
	PutIntent(ctx context.Context, in chat.Intent) error
	PutAction(ctx context.Context, d action.Definition) error
	CreateAPIKey(ctx context.Context, k chat.APIKey) error
	PutAccount(ctx context.Context, a chat.Account) error
}

// Load stores what the demo answers with: the demo knowledge base, intents and synonyms.
// `tandem demo` and `tandem eval answers` both start from it.
func Load(ctx context.Context, st Store) (articles, changed int, err error) {
	if articles, changed, err = KB(ctx, st); err != nil {
		return articles, changed, err
	}
	if err := Intents(ctx, st); err != nil {
		return articles, changed, fmt.Errorf("demo intents: %w", err)
	}
	if err := Synonyms(ctx, st); err != nil {
		return articles, changed, fmt.Errorf("demo synonyms: %w", err)
	}
	return articles, changed, nil
}

// KB stores the embedded demo articles; unchanged ones are skipped by content hash.
func KB(ctx context.Context, st Store) (total, changed int, err error) {
	docs, err := demo.Documents(time.Now().UTC())
	if err != nil {
		return 0, 0, err
	}
	for _, doc := range docs {
		doc.Collection = "demo"
		ok, err := st.PutDocument(ctx, doc, retrieval.Chunks(doc, retrieval.DefaultChunkOptions))
		if err != nil {
			return total, changed, fmt.Errorf("load demo knowledge base: %w", err)
		}
		total++
		if ok {
			changed++
		}
	}
	return total, changed, nil
}

// Synonyms stores the demo's synonym groups for each language that has none yet (a trainer's
// own groups are kept).
func Synonyms(ctx context.Context, st Store) error {
	byLang, _, err := retrieval.ParseSynonyms(demo.Synonyms)
	if err != nil {
		return err
	}
	have, err := st.Synonyms(ctx)
	if err != nil {
		return err
	}
	for _, g := range have {
		delete(byLang, g.Lang)
	}
	if len(byLang) == 0 {
		return nil
	}
	return st.PutSynonyms(ctx, byLang, time.Now().UTC())
}

// Intents stores the demo intents unless the store has intents already (a trainer's).
func Intents(ctx context.Context, st Store) error {
	ins, err := st.Intents(ctx)
	if err != nil || len(ins) > 0 {
		return err
	}
	_, err = intent.Import(ctx, st, demo.Intents)
	return err
}

// Actions stores the demo actions pointing at the running fake back-end with its credentials,
// and the intents that run them that are not stored yet (a trainer's changes stay).
func Actions(ctx context.Context, st Store, b *backend.Server) error {
	text := strings.NewReplacer("http://harbor-mutual.demo", b.URL, "DEMO_TOKEN", b.Token, "DEMO_SECRET", b.Secret).Replace(string(demo.Actions))
	defs, err := action.ParseFile([]byte(text))
	if err != nil {
		return fmt.Errorf("demo actions: %w", err)
	}
	for _, d := range defs {
		d.UpdatedAt = time.Now().UTC()
		if err := st.PutAction(ctx, d); err != nil {
			return err
		}
	}
	if err := actionIntents(ctx, st); err != nil {
		return fmt.Errorf("demo action intents: %w", err)
	}
	return nil
}

func actionIntents(ctx context.Context, st Store) error {
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

// APIKey creates an API key with every scope, unless an earlier run created the same one.
func APIKey(ctx context.Context, st Store, name, key string) error {
	err := st.CreateAPIKey(ctx, chat.APIKey{ID: conversation.NewID(), Name: name, Hash: httpapi.HashKey(key), Scopes: chat.Scopes, CreatedAt: time.Now().UTC()})
	if chat.ErrorCode(err) == chat.ECONFLICT {
		return nil // the same key was created by an earlier run
	}
	return err
}

// Login is a demo console account.
type Login struct{ User, Role, Password string }

// Accounts creates or updates the demo's console accounts.
func Accounts(ctx context.Context, st Store, logins []Login) error {
	for _, l := range logins {
		a, err := httpapi.NewAccount(l.User, l.Role, l.Password, time.Now().UTC())
		if err != nil {
			return err
		}
		if err := st.PutAccount(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// IdentityTTL is how long the printed signed-in demo link works.
const IdentityTTL = 24 * time.Hour

// Identity signs the demo site's identity token for its customer Ann with the widget identity
// secret, as a real site would for a customer signed in to it.
func Identity(secret string) (string, error) {
	claims := jwt.MapClaims{"sub": backend.CustomerAnn, "name": "Ann Lee", "phone": "+852 9123 4567",
		"policies": []string{"HM-CAR-1001", "HM-TRV-1002"}, "exp": time.Now().Add(IdentityTTL).Unix()}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
}
