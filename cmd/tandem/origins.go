package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"tandem/config"
	"tandem/httpapi"
)

// widgetOriginsKey is the setting holding the admin's list of widget origins (a JSON array).
const widgetOriginsKey = "widget_origins"

// originSet is the widget origins an admin stored, reloaded from the store so every replica
// follows an edit within a poll interval.
type originSet struct {
	store settingsStore
	list  atomic.Pointer[[]string]
}

func newOriginSet(st settingsStore) *originSet {
	o := &originSet{store: st}
	o.list.Store(&[]string{})
	return o
}

// Stored is the admin's current list.
func (o *originSet) Stored() []string { return *o.list.Load() }

// Save stores and applies a new list.
func (o *originSet) Save(ctx context.Context, origins []string) error {
	raw, _ := json.Marshal(origins)
	if err := o.store.PutSetting(ctx, widgetOriginsKey, string(raw), time.Now().UTC()); err != nil {
		return err
	}
	list := slices.Clone(origins)
	o.list.Store(&list)
	return nil
}

// load reads the stored list; an entry that is not an origin is a broken setting, not ignored.
func (o *originSet) load(ctx context.Context) error {
	raw, err := o.store.Setting(ctx, widgetOriginsKey)
	if err != nil {
		return err
	}
	list := []string{}
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			return fmt.Errorf("stored %s: %w", widgetOriginsKey, err)
		}
	}
	for _, s := range list {
		if !config.ValidOrigin(s) {
			return fmt.Errorf("stored %s: %q is not an origin", widgetOriginsKey, s)
		}
	}
	o.list.Store(&list)
	return nil
}

// widgetOrigins is the HTTP server's view: the configured origins and this set.
func (o *originSet) widgetOrigins(env []string) *httpapi.WidgetOrigins {
	return &httpapi.WidgetOrigins{Env: env, Stored: o.Stored, Save: o.Save}
}
