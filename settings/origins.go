package settings

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"tandem/config"
)

// WidgetOriginsKey is the setting holding the admin's list of widget origins (a JSON array).
const WidgetOriginsKey = "widget_origins"

// Origins is the widget origins an admin stored, reloaded from the store so every replica
// follows an edit within a poll interval.
type Origins struct {
	store Store
	list  atomic.Pointer[[]string]
}

// NewOrigins returns an empty list until Load.
func NewOrigins(st Store) *Origins {
	o := &Origins{store: st}
	o.list.Store(&[]string{})
	return o
}

// Stored is the admin's current list.
func (o *Origins) Stored() []string { return *o.list.Load() }

// Save stores and applies a new list.
func (o *Origins) Save(ctx context.Context, origins []string) error {
	raw, _ := json.Marshal(origins)
	if err := o.store.PutSetting(ctx, WidgetOriginsKey, string(raw), time.Now().UTC()); err != nil {
		return err
	}
	list := slices.Clone(origins)
	o.list.Store(&list)
	return nil
}

// Load reads the stored list; an entry that is not an origin is a broken setting, not ignored.
func (o *Origins) Load(ctx context.Context) error {
	raw, err := o.store.Setting(ctx, WidgetOriginsKey)
	if err != nil {
		return err
	}
	list := []string{}
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			return fmt.Errorf("stored %s: %w", WidgetOriginsKey, err)
		}
	}
	for _, s := range list {
		if !config.ValidOrigin(s) {
			return fmt.Errorf("stored %s: %q is not an origin", WidgetOriginsKey, s)
		}
	}
	o.list.Store(&list)
	return nil
}
