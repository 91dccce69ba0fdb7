package main

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
	"tandem/httpapi"
	"tandem/settings"
	"tandem/vault"
)

// channelsKey is the setting holding admins' channel settings: {"telegram": {"bot_token": …}}.
const channelsKey = "channels"

// channelField is one admin-editable channel setting and where it lives in the configuration.
type channelField struct {
	key, label string
	secret     bool
	required   bool
	at         func(*config.Config) *string
}

// channelFields lists each channel's settings, in the order the console shows them. The first
// field is the one whose presence enables the channel.
var channelFields = map[string][]channelField{
	"telegram": {
		{"bot_token", "Bot token", true, true, func(c *config.Config) *string { return &c.TelegramToken }},
		{"secret", "Webhook secret_token", true, true, func(c *config.Config) *string { return &c.TelegramSecret }},
		{"api_base", "Bot API address", false, false, func(c *config.Config) *string { return &c.TelegramAPIBase }},
		{"greeting", "Greeting for /start (empty: built-in, English or Chinese)", false, false, func(c *config.Config) *string { return &c.TelegramGreeting }},
	},
	"whatsapp": {
		{"token", "Access token", true, true, func(c *config.Config) *string { return &c.WhatsAppToken }},
		{"app_secret", "App secret", true, true, func(c *config.Config) *string { return &c.WhatsAppAppSecret }},
		{"verify_token", "Verify token", true, true, func(c *config.Config) *string { return &c.WhatsAppVerifyToken }},
		{"phone_id", "Phone number ID", false, true, func(c *config.Config) *string { return &c.WhatsAppPhoneID }},
		{"template", "Template outside 24 h (name:language)", false, false, func(c *config.Config) *string { return &c.WhatsAppTemplate }},
		{"api_base", "Graph API address", false, false, func(c *config.Config) *string { return &c.WhatsAppAPIBase }},
	},
	"wechat": {
		{"token", "Token", true, true, func(c *config.Config) *string { return &c.WeChatToken }},
		{"app_id", "AppID", false, true, func(c *config.Config) *string { return &c.WeChatAppID }},
		{"app_secret", "AppSecret", true, true, func(c *config.Config) *string { return &c.WeChatAppSecret }},
		{"aes_key", "EncodingAESKey (safe mode)", true, false, func(c *config.Config) *string { return &c.WeChatAESKey }},
		{"api_base", "API address", false, false, func(c *config.Config) *string { return &c.WeChatAPIBase }},
	},
	"wecomkf": {
		{"corp_id", "CorpID", false, true, func(c *config.Config) *string { return &c.WeComKFCorpID }},
		{"secret", "微信客服 Secret", true, true, func(c *config.Config) *string { return &c.WeComKFSecret }},
		{"token", "Callback Token", true, true, func(c *config.Config) *string { return &c.WeComKFToken }},
		{"aes_key", "Callback EncodingAESKey", true, true, func(c *config.Config) *string { return &c.WeComKFAESKey }},
		{"open_kfid", "Customer service account (open_kfid)", false, true, func(c *config.Config) *string { return &c.WeComKFOpenKfID }},
		{"servicer", "WeCom servicer for handoffs (userid; empty: Tandem's agents)", false, false, func(c *config.Config) *string { return &c.WeComKFServicer }},
		{"welcome", "Welcome message", false, false, func(c *config.Config) *string { return &c.WeComKFWelcome }},
		{"api_base", "API address", false, false, func(c *config.Config) *string { return &c.WeComKFAPIBase }},
	},
	"chatwoot": {
		{"token", "Agent bot access token", true, true, func(c *config.Config) *string { return &c.ChatwootToken }},
		{"url", "Chatwoot address", false, true, func(c *config.Config) *string { return &c.ChatwootURL }},
		{"secret", "Webhook secret", true, true, func(c *config.Config) *string { return &c.ChatwootSecret }},
		{"account_secret", "Account webhook secret (status and assignee changes)", true, false, func(c *config.Config) *string { return &c.ChatwootAccountSecret }},
	},
	"generic": {
		{"secret", "Signing secret (≥ 32 characters)", true, true, func(c *config.Config) *string { return &c.WebhookSecret }},
		{"url", "Reply URL", false, true, func(c *config.Config) *string { return &c.WebhookURL }},
	},
}

// channelSet is the enabled channels, rebuilt when admins change settings: webhooks for the
// HTTP server and senders for the outbox. Environment settings are the base; stored admin
// settings override them per channel.
type channelSet struct {
	env    config.Config
	store  settings.Store
	recv   *channelReceiver
	client *http.Client
	log    *slog.Logger
	vault  *vault.Vault // seals the secrets in the stored settings

	mu       sync.RWMutex
	adapters map[string]adapter
	stored   map[string]map[string]string
	raw      string
}

// Webhook implements httpapi.Webhooks.
func (cs *channelSet) Webhook(name string) (http.Handler, bool) {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	a, ok := cs.adapters[name]
	return a, ok
}

// Sender implements conversation.SenderSet.
func (cs *channelSet) Sender(name string) (conversation.Sender, bool) {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	a, ok := cs.adapters[name]
	return a, ok
}

// effective is the environment's configuration with the stored settings laid over it.
func (cs *channelSet) effective(stored map[string]map[string]string) config.Config {
	cfg := cs.env
	for name, values := range stored {
		for _, f := range channelFields[name] {
			if v, ok := values[f.key]; ok && v != "" {
				*f.at(&cfg) = v
			}
		}
	}
	return cfg
}

// apply validates and builds the channels for stored settings and swaps them in.
func (cs *channelSet) apply(stored map[string]map[string]string, raw string) error {
	cfg := cs.effective(stored)
	if err := cfg.Validate(); err != nil {
		return chat.Errorf(chat.EINVALID, "%v", err)
	}
	adapters, err := buildChannels(cfg, cs.recv, cs.client, cs.log)
	if err != nil {
		return chat.Errorf(chat.EINVALID, "%v", err)
	}
	cs.mu.Lock()
	old := slices.Sorted(maps.Keys(cs.adapters))
	cs.adapters, cs.stored, cs.raw = adapters, stored, raw
	cs.mu.Unlock()
	if now := slices.Sorted(maps.Keys(adapters)); !slices.Equal(old, now) || raw != "" {
		cs.log.Info("channels enabled", "channels", strings.Join(now, ","))
	}
	return nil
}

// load reads the stored settings and applies them when they changed (other replicas' edits
// arrive this way within a poll interval).
func (cs *channelSet) load(ctx context.Context) error {
	raw, err := cs.store.Setting(ctx, channelsKey)
	if err != nil {
		return err
	}
	cs.mu.RLock()
	same := raw == cs.raw && cs.adapters != nil
	cs.mu.RUnlock()
	if same {
		return nil
	}
	stored := map[string]map[string]string{}
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &stored); err != nil {
			return fmt.Errorf("stored %s: %w", channelsKey, err)
		}
	}
	if plain := cs.open(stored); !plain {
		return cs.apply(stored, raw)
	}
	// Settings stored before secrets were sealed: seal them now.
	if err := cs.persist(ctx, stored); err != nil {
		return fmt.Errorf("sealing stored channel secrets: %w", err)
	}
	cs.log.Info("stored channel secrets sealed")
	return nil
}

// open replaces the sealed secrets in stored with their plaintext; plain reports whether some
// secret was stored in plaintext (from before sealing). A channel whose secrets do not open (the
// server secret changed) is left out, as if never configured, so an admin can enter it again.
func (cs *channelSet) open(stored map[string]map[string]string) (plain bool) {
	for name, values := range stored {
		for _, f := range channelFields[name] {
			v := values[f.key]
			if !f.secret || v == "" {
				continue
			}
			opened, err := cs.vault.Open(v)
			if err != nil {
				cs.log.Error("stored channel settings cannot be unsealed with this server secret; enter them again in the admin console",
					"channel", name, "setting", f.key, "err", err)
				delete(stored, name)
				break
			}
			plain = plain || !vault.Sealed(v)
			values[f.key] = opened
		}
	}
	return plain
}

// sealed is stored as written to the database: every secret sealed.
func (cs *channelSet) sealed(stored map[string]map[string]string) map[string]map[string]string {
	out := cloneStored(stored)
	for name, values := range out {
		for _, f := range channelFields[name] {
			if f.secret && values[f.key] != "" {
				values[f.key] = cs.vault.Seal(values[f.key])
			}
		}
	}
	return out
}

// Channels implements httpapi.ChannelAdmin.
func (cs *channelSet) Channels(ctx context.Context) ([]httpapi.Channel, error) {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	out := []httpapi.Channel{}
	for _, name := range slices.Sorted(maps.Keys(channelFields)) {
		out = append(out, cs.view(name))
	}
	return out, nil
}

// view is one channel as admins see it; the caller holds cs.mu.
func (cs *channelSet) view(name string) httpapi.Channel {
	cfg := cs.effective(cs.stored)
	_, enabled := cs.adapters[name]
	ch := httpapi.Channel{Name: name, Enabled: enabled, Webhook: "/webhooks/" + name, Fields: []httpapi.ChannelField{}}
	switch {
	case cs.stored[name] != nil:
		ch.Source = "admin"
	case *channelFields[name][0].at(&cs.env) != "":
		ch.Source = "env"
	}
	for _, f := range channelFields[name] {
		v := *f.at(&cfg)
		if f.secret {
			v = mask(v)
		}
		ch.Fields = append(ch.Fields, httpapi.ChannelField{Key: f.key, Label: f.label, Secret: f.secret, Required: f.required, Value: v})
	}
	return ch
}

// mask shows that a secret is set and its last 4 characters, never the rest.
func mask(secret string) string {
	if secret == "" {
		return ""
	}
	r := []rune(secret)
	if len(r) <= 8 {
		return "••••"
	}
	return "••••" + string(r[len(r)-4:])
}

// PutChannel implements httpapi.ChannelAdmin.
func (cs *channelSet) PutChannel(ctx context.Context, name string, fields map[string]string) (httpapi.Channel, error) {
	spec, ok := channelFields[name]
	if !ok {
		return httpapi.Channel{}, chat.Errorf(chat.ENOTFOUND, "no channel %q; channels are %s", name, strings.Join(slices.Sorted(maps.Keys(channelFields)), ", "))
	}
	cs.mu.RLock()
	stored := cloneStored(cs.stored)
	cs.mu.RUnlock()
	values := map[string]string{}
	for k, v := range stored[name] {
		values[k] = v
	}
	known := map[string]bool{}
	for _, f := range spec {
		known[f.key] = true
		v, ok := fields[f.key]
		if !ok || (f.secret && (v == "" || strings.HasPrefix(v, "••••"))) {
			continue // not sent, or a secret left as it was
		}
		values[f.key] = strings.TrimSpace(v)
	}
	for k := range fields {
		if !known[k] {
			return httpapi.Channel{}, chat.Errorf(chat.EINVALID, "%s has no setting %q", name, k)
		}
	}
	if err := cs.secretsFollowAddress(name, values, fields); err != nil {
		return httpapi.Channel{}, err
	}
	stored[name] = values
	return cs.save(ctx, name, stored)
}

// addressFields are the settings naming the host a channel's secrets are sent to.
var addressFields = map[string]bool{"api_base": true, "url": true}

// secretsFollowAddress refuses to point a channel at a new host while keeping its secrets: the
// stored token would go to whoever runs the new address. Changing an address needs every secret
// the channel has re-entered in the same request.
func (cs *channelSet) secretsFollowAddress(name string, values, fields map[string]string) error {
	cs.mu.RLock()
	current := cs.effective(cs.stored)
	cs.mu.RUnlock()
	moved := false
	for _, f := range channelFields[name] {
		if addressFields[f.key] && *f.at(&current) != "" && values[f.key] != "" && values[f.key] != *f.at(&current) {
			moved = true
		}
	}
	if !moved {
		return nil
	}
	var missing []string
	for _, f := range channelFields[name] {
		v := fields[f.key]
		if f.secret && *f.at(&current) != "" && (v == "" || strings.HasPrefix(v, "••••")) {
			missing = append(missing, f.key)
		}
	}
	if len(missing) > 0 {
		return chat.Errorf(chat.EINVALID, "changing the address of %s sends its secrets there: enter %s again", name, strings.Join(missing, ", "))
	}
	return nil
}

// DeleteChannel implements httpapi.ChannelAdmin.
func (cs *channelSet) DeleteChannel(ctx context.Context, name string) error {
	if _, ok := channelFields[name]; !ok {
		return chat.Errorf(chat.ENOTFOUND, "no channel %q", name)
	}
	cs.mu.RLock()
	stored := cloneStored(cs.stored)
	cs.mu.RUnlock()
	delete(stored, name)
	_, err := cs.save(ctx, name, stored)
	return err
}

// save validates and applies new settings here, then stores them for the other replicas.
func (cs *channelSet) save(ctx context.Context, name string, stored map[string]map[string]string) (httpapi.Channel, error) {
	if err := cs.persist(ctx, stored); err != nil {
		return httpapi.Channel{}, err
	}
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	return cs.view(name), nil
}

// persist validates and applies settings here, then stores them, secrets sealed.
func (cs *channelSet) persist(ctx context.Context, stored map[string]map[string]string) error {
	raw, _ := json.Marshal(cs.sealed(stored))
	if err := cs.apply(stored, string(raw)); err != nil {
		return err
	}
	return cs.store.PutSetting(ctx, channelsKey, string(raw), time.Now().UTC())
}

func cloneStored(in map[string]map[string]string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for k, v := range in {
		out[k] = maps.Clone(v)
	}
	return out
}
