// Package channeltest is a receiver for the channel adapters' tests: it keeps what a webhook
// hands it, as channels.Bridge would store it.
package channeltest

import (
	"context"
	"sync"

	"tandem/channels"
)

// Recorder keeps the messages, ownership changes and undelivered replies an adapter hands it.
// Read its fields once the webhook has answered.
type Recorder struct {
	mu       sync.Mutex
	Got      []channels.Inbound
	Followed []channels.Ownership
	Failed   []string // the refs of replies the platform refused
}

// FromChannel keeps a customer's message.
func (r *Recorder) FromChannel(_ context.Context, in channels.Inbound) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Got = append(r.Got, in)
	return nil
}

// Follow keeps an ownership change.
func (r *Recorder) Follow(_ context.Context, o channels.Ownership) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Followed = append(r.Followed, o)
	return nil
}

// Undelivered keeps the ref of a reply the platform refused.
func (r *Recorder) Undelivered(_ context.Context, _, ref, _ string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Failed = append(r.Failed, ref)
	return nil
}
