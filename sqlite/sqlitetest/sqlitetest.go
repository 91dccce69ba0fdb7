// Package sqlitetest opens throwaway SQLite stores for other packages' tests.
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"

	"tandem/sqlite"
)

// Open returns a migrated SQLite store in a file under the test's temporary directory, closed
// when the test ends.
func Open(t testing.TB) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}
