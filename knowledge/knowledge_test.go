package knowledge_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"tandem/config"
	"tandem/knowledge"
	"tandem/postgres"
	"tandem/retrieval"
	"tandem/sqlite"
)

var _ knowledge.VectorIndex = (*postgres.Store)(nil)

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestExpandPaths(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.md"), "# A")
	write(t, filepath.Join(dir, "sub", "b.md"), "# B")
	write(t, filepath.Join(dir, ".hidden"), "x")
	single := filepath.Join(t.TempDir(), "c.md")
	write(t, single, "# C")
	got, err := knowledge.ExpandPaths([]string{dir, single})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a.md"), filepath.Join(dir, "sub", "b.md"), single}
	if !slices.Equal(got, want) {
		t.Errorf("ExpandPaths = %v, want %v (dot files skipped)", got, want)
	}
	if _, err := knowledge.ExpandPaths(nil); err == nil {
		t.Error("no paths: no error")
	}
	if _, err := knowledge.ExpandPaths([]string{filepath.Join(dir, "missing")}); err == nil {
		t.Error("a missing path: no error")
	}
}

func TestImportAndSearch(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := config.Load("test", func(k string) string {
		if k == "TANDEM_DATA_DIR" {
			return t.TempDir()
		}
		return ""
	}, nil, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := knowledge.New(ctx, cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "claims.md")
	write(t, path, "# Filing a claim\n\nTo file a claim, call us within 30 days of the accident with your policy number.\n")
	if r := kb.ImportFile(ctx, path, "default"); r.Error != "" || r.Documents != 1 {
		t.Fatalf("ImportFile = %+v", r)
	}
	if r := kb.ImportFile(ctx, filepath.Join(dir, "missing.md"), "default"); r.Error == "" {
		t.Error("importing a missing file reported no error")
	}
	if kb.VectorsReady(ctx) {
		t.Fatal("vectors ready before embedding")
	}
	if err := kb.Ready(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !kb.VectorsReady(ctx) {
		t.Error("vectors not ready after Ready")
	}
	hits := kb.Search.Search(ctx, retrieval.Query{Text: "how do I file a claim", K: 3})
	if len(hits) == 0 || hits[0].Doc.Title != "Filing a claim" {
		t.Fatalf("search found %v", retrieval.Show(hits))
	}
}
