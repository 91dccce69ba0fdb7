package cli

import (
	"context"
	"time"

	"tandem/action"
	"tandem/analytics"
	"tandem/chat"
	"tandem/complaint"
	"tandem/conversation"
	"tandem/evals"
	"tandem/followup"
	"tandem/httpapi"
	"tandem/intent"
	"tandem/knowledge"
	"tandem/settings"
)

// Store is everything Tandem needs of a store; Postgres and SQLite provide it.
type Store interface {
	conversation.Store
	httpapi.Store
	Migrate(ctx context.Context) error
	Close() error
	knowledge.Store
	intent.SyncStore
	intent.Putter
	DeleteIntent(ctx context.Context, name string) error
	settings.Store
	CreateAPIKey(ctx context.Context, k chat.APIKey) error
	APIKeys(ctx context.Context) ([]chat.APIKey, error)
	RevokeAPIKey(ctx context.Context, id string, at time.Time) error
	PutAccount(ctx context.Context, a chat.Account) error
	httpapi.Accounts
	httpapi.SessionStore
	analytics.FactsStore
	analytics.AlertStore
	evals.Store
	httpapi.AdminStore
	complaint.Store
	followup.Store
	action.Store
}
