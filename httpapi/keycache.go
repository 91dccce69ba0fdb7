package httpapi

import (
	"context"
	"sync"
	"time"

	"tandem/chat"
)

// Key cache settings: a revoked key stops working within keyCacheTTL on every replica.
const (
	keyCacheTTL  = 30 * time.Second
	keyCacheSize = 10_000
)

// KeyCache remembers valid API keys for a short while, saving a database round trip per app-API
// request. Unknown keys are not cached, so a new key works at once.
type KeyCache struct {
	Lookup func(ctx context.Context, hash string) (chat.APIKey, error)
	Now    func() time.Time
	mu     sync.Mutex
	keys   map[string]cachedKey
}

type cachedKey struct {
	key     chat.APIKey
	expires time.Time
}

// Get returns the key for hash from the cache or the store.
func (c *KeyCache) Get(ctx context.Context, hash string) (chat.APIKey, error) {
	now := c.Now()
	c.mu.Lock()
	if k, ok := c.keys[hash]; ok && now.Before(k.expires) {
		c.mu.Unlock()
		return k.key, nil
	}
	c.mu.Unlock()
	k, err := c.Lookup(ctx, hash)
	if err != nil {
		return k, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil || len(c.keys) >= keyCacheSize {
		c.keys = map[string]cachedKey{} // crude but bounded: start over when full
	}
	c.keys[hash] = cachedKey{k, now.Add(keyCacheTTL)}
	return k, nil
}
