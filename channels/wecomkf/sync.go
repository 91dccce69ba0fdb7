package wecomkf

import (
	"context"
	"time"
)

// Sync is a claimed account: the cursor to go on from and the latest callback token.
type Sync struct {
	Cursor string
	Token  string
}

// SyncStore keeps each customer service account's kf/sync_msg cursor and the lease that lets one
// replica at a time pull its messages. Implemented by the sqlite and postgres stores.
type SyncStore interface {
	// ClaimKFSync takes openKfID's lease for holder until `until`, unless another holder's lease
	// is still live at now; a non-empty token is kept as the latest callback token either way.
	// When the lease is taken (ok false) pending is set, so the holder pulls once more.
	ClaimKFSync(ctx context.Context, openKfID, holder, token string, now, until time.Time) (s Sync, ok bool, err error)
	// AdvanceKFSync stores the cursor after a page's messages are committed and extends the
	// lease; false when holder no longer holds it (its lease ran out and another replica took it).
	AdvanceKFSync(ctx context.Context, openKfID, holder, cursor string, until time.Time) (bool, error)
	// ReleaseKFSync lets the lease go, unless a callback set pending meanwhile: then pending is
	// cleared, the lease extended to until, and again is true with the latest token.
	ReleaseKFSync(ctx context.Context, openKfID, holder string, until time.Time) (again bool, token string, err error)
}
