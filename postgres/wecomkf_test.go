package postgres_test

import (
	"testing"

	"tandem/channels/wecomkf"
	"tandem/storetest"
)

func TestKFSyncConformance(t *testing.T) {
	storetest.RunKFSync(t, func(t *testing.T) wecomkf.SyncStore { return open(t) })
}
