package channels

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"tandem/chat"
	"tandem/config"
	"tandem/conversation"
	"tandem/vault"
)

// SettingsKey is the setting holding admins' channel settings: {"telegram": {"bot_token": …}}.
const SettingsKey = "channels"

// Adapter is a channel: a webhook in and an outbox sender out.
type Adapter interface {
	Authenticator
	conversation.Sender
}

// Store keeps the stored channel settings.
type Store interface {
	Setting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string, at time.Time) error
}

// Field is one setting of a channel as admins see it: secrets masked.
type Field struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Secret   bool   `json:"secret"`
	Required bool   `json:"required"`
	Value    string `json:"value"` // a secret's last 4 characters after "••••", or ""
}

// View is a messaging channel's configuration as admins see it.
type View struct {
	Name    string  `json:"name"`
	Enabled bool    `json:"enabled"`
	Source  string  `json:"source"` // "admin" (stored settings), "env" (environment) or ""
	Webhook string  `json:"webhook"`
	Fields  []Field `json:"fields"`
}

// Registry is the enabled channels, rebuilt when admins change settings: webhooks for the HTTP
// server and senders for the outbox. Environment settings are the base; stored admin settings
// override them per channel. Secrets are stored sealed and shown masked.
type Registry struct {
	Env   config.Config
	Store Store
	// Build makes the adapters of the channels whose settings cfg holds.
	Build func(cfg config.Config) (map[string]Adapter, error)
	Log   *slog.Logger
	Vault *vault.Vault // seals the secrets in the stored settings

	mu       sync.RWMutex
	adapters map[string]Adapter
	stored   stored
	raw      string
}

// stored is the admins' settings per channel, as JSON-decoded from the store.
type stored map[string]map[string]string

func (s stored) clone() stored {
	out := stored{}
	for k, v := range s {
		out[k] = maps.Clone(v)
	}
	return out
}

// Webhook implements httpapi.Webhooks.
func (r *Registry) Webhook(name string) (http.Handler, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, ok := r.adapters[name]
	return a, ok
}

// Sender implements conversation.SenderSet.
func (r *Registry) Sender(name string) (conversation.Sender, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, ok := r.adapters[name]
	return a, ok
}

// effective is the environment's configuration with the stored settings laid over it.
func (r *Registry) effective(st stored) config.Config {
	cfg := r.Env
	for name, values := range st {
		for _, f := range specs[name] {
			if v, ok := values[f.key]; ok && v != "" {
				*f.at(&cfg) = v
			}
		}
	}
	return cfg
}

// apply validates and builds the channels for stored settings and swaps them in.
func (r *Registry) apply(st stored, raw string) error {
	cfg := r.effective(st)
	if err := cfg.Validate(); err != nil {
		return chat.Errorf(chat.EINVALID, "%v", err)
	}
	adapters, err := r.Build(cfg)
	if err != nil {
		return chat.Errorf(chat.EINVALID, "%v", err)
	}
	r.mu.Lock()
	old := slices.Sorted(maps.Keys(r.adapters))
	r.adapters, r.stored, r.raw = adapters, st, raw
	r.mu.Unlock()
	if now := slices.Sorted(maps.Keys(adapters)); !slices.Equal(old, now) || raw != "" {
		r.Log.Info("channels enabled", "channels", strings.Join(now, ","))
	}
	return nil
}

// Load reads the stored settings and applies them when they changed (other replicas' edits
// arrive this way within a poll interval).
func (r *Registry) Load(ctx context.Context) error {
	raw, err := r.Store.Setting(ctx, SettingsKey)
	if err != nil {
		return err
	}
	r.mu.RLock()
	same := raw == r.raw && r.adapters != nil
	r.mu.RUnlock()
	if same {
		return nil
	}
	st := stored{}
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &st); err != nil {
			return fmt.Errorf("stored %s: %w", SettingsKey, err)
		}
	}
	if plain := r.open(st); !plain {
		return r.apply(st, raw)
	}
	// Settings stored before secrets were sealed: seal them now.
	if err := r.persist(ctx, st); err != nil {
		return fmt.Errorf("sealing stored channel secrets: %w", err)
	}
	r.Log.Info("stored channel secrets sealed")
	return nil
}

// open replaces the sealed secrets in st with their plaintext; plain reports whether some secret
// was stored in plaintext (from before sealing). A channel whose secrets do not open (the server
// secret changed) is left out, as if never configured, so an admin can enter it again.
func (r *Registry) open(st stored) (plain bool) {
	for name, values := range st {
		for _, f := range specs[name] {
			v := values[f.key]
			if !f.secret || v == "" {
				continue
			}
			opened, err := r.Vault.Open(v)
			if err != nil {
				r.Log.Error("stored channel settings cannot be unsealed with this server secret; enter them again in the admin console",
					"channel", name, "setting", f.key, "err", err)
				delete(st, name)
				break
			}
			plain = plain || !vault.Sealed(v)
			values[f.key] = opened
		}
	}
	return plain
}

// sealed is st as written to the database: every secret sealed.
func (r *Registry) sealed(st stored) stored {
	out := st.clone()
	for name, values := range out {
		for _, f := range specs[name] {
			if f.secret && values[f.key] != "" {
				values[f.key] = r.Vault.Seal(values[f.key])
			}
		}
	}
	return out
}

// Channels implements httpapi.ChannelAdmin.
func (r *Registry) Channels(ctx context.Context) ([]View, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := []View{}
	for _, name := range slices.Sorted(maps.Keys(specs)) {
		out = append(out, r.view(name))
	}
	return out, nil
}

// view is one channel as admins see it; the caller holds r.mu.
func (r *Registry) view(name string) View {
	cfg := r.effective(r.stored)
	_, enabled := r.adapters[name]
	ch := View{Name: name, Enabled: enabled, Webhook: "/webhooks/" + name, Fields: []Field{}}
	switch {
	case r.stored[name] != nil:
		ch.Source = "admin"
	case *specs[name][0].at(&r.Env) != "":
		ch.Source = "env"
	}
	for _, f := range specs[name] {
		v := *f.at(&cfg)
		if f.secret {
			v = Mask(v)
		}
		ch.Fields = append(ch.Fields, Field{Key: f.key, Label: f.label, Secret: f.secret, Required: f.required, Value: v})
	}
	return ch
}

// masked starts a masked secret (see Mask).
const masked = "••••"

// Mask shows that a secret is set and its last 4 characters, never the rest (nothing of a
// secret of 8 characters or fewer).
func Mask(secret string) string {
	if secret == "" {
		return ""
	}
	r := []rune(secret)
	if len(r) <= 8 {
		return masked
	}
	return masked + string(r[len(r)-4:])
}

// unchanged reports whether a secret sent back by the console is left as it was: empty, or
// still masked.
func unchanged(v string) bool { return v == "" || strings.HasPrefix(v, masked) }

// PutChannel implements httpapi.ChannelAdmin.
func (r *Registry) PutChannel(ctx context.Context, name string, fields map[string]string) (View, error) {
	spec, ok := specs[name]
	if !ok {
		return View{}, chat.Errorf(chat.ENOTFOUND, "no channel %q; channels are %s", name, strings.Join(slices.Sorted(maps.Keys(specs)), ", "))
	}
	r.mu.RLock()
	st := r.stored.clone()
	r.mu.RUnlock()
	values := maps.Clone(st[name])
	if values == nil {
		values = map[string]string{}
	}
	known := map[string]bool{}
	for _, f := range spec {
		known[f.key] = true
		v, ok := fields[f.key]
		if !ok || (f.secret && unchanged(v)) {
			continue // not sent, or a secret left as it was
		}
		values[f.key] = strings.TrimSpace(v)
	}
	for k := range fields {
		if !known[k] {
			return View{}, chat.Errorf(chat.EINVALID, "%s has no setting %q", name, k)
		}
	}
	if err := r.secretsFollowAddress(name, values, fields); err != nil {
		return View{}, err
	}
	st[name] = values
	return r.save(ctx, name, st)
}

// secretsFollowAddress refuses to point a channel at a new host while keeping its secrets: the
// stored token would go to whoever runs the new address. Changing an address needs every secret
// the channel has re-entered in the same request.
func (r *Registry) secretsFollowAddress(name string, values, fields map[string]string) error {
	r.mu.RLock()
	current := r.effective(r.stored)
	r.mu.RUnlock()
	moved := false
	for _, f := range specs[name] {
		if addressFields[f.key] && *f.at(&current) != "" && values[f.key] != "" && values[f.key] != *f.at(&current) {
			moved = true
		}
	}
	if !moved {
		return nil
	}
	var missing []string
	for _, f := range specs[name] {
		if f.secret && *f.at(&current) != "" && unchanged(fields[f.key]) {
			missing = append(missing, f.key)
		}
	}
	if len(missing) > 0 {
		return chat.Errorf(chat.EINVALID, "changing the address of %s sends its secrets there: enter %s again", name, strings.Join(missing, ", "))
	}
	return nil
}

// DeleteChannel implements httpapi.ChannelAdmin.
func (r *Registry) DeleteChannel(ctx context.Context, name string) error {
	if _, ok := specs[name]; !ok {
		return chat.Errorf(chat.ENOTFOUND, "no channel %q", name)
	}
	r.mu.RLock()
	st := r.stored.clone()
	r.mu.RUnlock()
	delete(st, name)
	_, err := r.save(ctx, name, st)
	return err
}

// save validates and applies new settings here, then stores them for the other replicas.
func (r *Registry) save(ctx context.Context, name string, st stored) (View, error) {
	if err := r.persist(ctx, st); err != nil {
		return View{}, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.view(name), nil
}

// persist validates and applies settings here, then stores them, secrets sealed.
func (r *Registry) persist(ctx context.Context, st stored) error {
	raw, _ := json.Marshal(r.sealed(st))
	if err := r.apply(st, string(raw)); err != nil {
		return err
	}
	return r.Store.PutSetting(ctx, SettingsKey, string(raw), time.Now().UTC())
}
