package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"tandem/sqlite"
	"tandem/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return open(t) })
}

func TestActionConformance(t *testing.T) {
	storetest.RunActions(t, func(t *testing.T) storetest.ActionStore { return open(t) })
}

func TestCustomerConformance(t *testing.T) {
	storetest.RunCustomers(t, func(t *testing.T) (storetest.CustomerStore, storetest.Tables) { s := open(t); return s, s.Tables })
}

// open returns a migrated store in a fresh file.
func open(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestComplaintConformance(t *testing.T) {
	storetest.RunComplaints(t, func(t *testing.T) storetest.ComplaintStore { return open(t) })
}

func TestFollowUpConformance(t *testing.T) {
	storetest.RunFollowUps(t, func(t *testing.T) storetest.FollowUpStore { return open(t) })
}
