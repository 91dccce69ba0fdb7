package cli

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"tandem/config"
	"tandem/retrieval"
	"tandem/sqlite"
)

// liteDeps are Deps over a SQLite file in dir; the other dependencies are left out, so a command
// that reaches for them fails the test.
func liteDeps(dir string) Deps {
	return Deps{Open: func(ctx context.Context, cfg config.Config) (Store, error) {
		st, err := sqlite.Open(filepath.Join(dir, "tandem.db"))
		if err != nil {
			return nil, err
		}
		return st, st.Migrate(ctx)
	}}
}

// runIn runs the command args[0] of d and returns its error, stdout and stderr.
func runIn(t *testing.T, d Deps, args ...string) (error, string, string) {
	t.Helper()
	cmd, ok := d.Commands()[args[0]]
	if !ok {
		t.Fatalf("no command %q", args[0])
	}
	var out, errs bytes.Buffer
	err := cmd(context.Background(), args[1:], func(string) string { return "" }, &out, &errs)
	return err, out.String(), errs.String()
}

func TestCommandsNamed(t *testing.T) {
	got := slices.Sorted(func(yield func(string) bool) {
		for k := range (Deps{}).Commands() {
			if !yield(k) {
				return
			}
		}
	})
	want := []string{"ask", "customers", "drafts", "eval", "intents", "kb", "keys", "users"}
	if !slices.Equal(got, want) {
		t.Fatalf("commands %v, want %v", got, want)
	}
}

// TestGroups: a command group without a subcommand shows its usage and fails, with --help shows
// it and succeeds, and names an unknown subcommand clearly; none of them opens the store.
func TestGroups(t *testing.T) {
	d := Deps{Open: func(context.Context, config.Config) (Store, error) {
		t.Fatal("the store was opened")
		return nil, nil
	}}
	for _, group := range []string{"kb", "intents", "users", "keys", "customers", "eval", "drafts"} {
		err, _, errs := runIn(t, d, group)
		if err == nil || !strings.Contains(errs, "Usage: tandem "+group) {
			t.Errorf("tandem %s: %v, usage %q", group, err, errs)
		}
		if err, _, _ := runIn(t, d, group, "--help"); !errors.Is(err, ErrHelp) {
			t.Errorf("tandem %s --help: %v", group, err)
		}
		if err, _, _ := runIn(t, d, group, "frobnicate"); err == nil || !strings.Contains(err.Error(), `"frobnicate"`) {
			t.Errorf("tandem %s frobnicate: %v", group, err)
		}
	}
}

// TestStoreCommands runs commands on a real SQLite store handed over as Deps.
func TestStoreCommands(t *testing.T) {
	d := liteDeps(t.TempDir())
	if err, out, _ := runIn(t, d, "keys", "create", "ci", "--scopes", "knowledge"); err != nil || !strings.Contains(out, "scopes knowledge): tk_") {
		t.Fatalf("keys create: %v %q", err, out)
	}
	if err, out, _ := runIn(t, d, "keys", "list"); err != nil || !strings.Contains(out, "ci") || !strings.Contains(out, "knowledge") {
		t.Fatalf("keys list: %v %q", err, out)
	}
	if err, _, _ := runIn(t, d, "users", "add"); err == nil || !strings.Contains(err.Error(), "give one user name") {
		t.Fatalf("users add without a name: %v", err)
	}
	if err, out, _ := runIn(t, d, "kb", "list"); err != nil || strings.TrimSpace(out) != "ID  LANG  COLLECTION  TITLE" {
		t.Fatalf("kb list on an empty store: %v %q", err, out)
	}
	if err, _, _ := runIn(t, d, "customers", "export", "nobody"); err == nil || err.Error() != "no customer nobody" {
		t.Fatalf("customers export nobody: %v", err)
	}
	if err, _, _ := runIn(t, d, "eval", "import", "--set", "bad name!", "x.jsonl"); err == nil {
		t.Fatal("eval import accepted a bad set name")
	}
}

func TestReadPassword(t *testing.T) {
	for in, want := range map[string]string{"s3cret\n": "s3cret", "s3cret\r\n": "s3cret", "last": "last", "": "", "\n": ""} {
		got, generated := readPassword(strings.NewReader(in))
		if got != want || generated != (want == "") {
			t.Errorf("readPassword(%q) = %q, %v", in, got, generated)
		}
	}
}

func TestCheckAnswersFlags(t *testing.T) {
	bad := map[string]func() error{
		"--format":            func() error { return checkAnswersFlags("yaml", "", "", "", "", nil) },
		"--report":            func() error { return checkAnswersFlags("table", "out.pdf", "", "", "", nil) },
		"--save":              func() error { return checkAnswersFlags("table", "", "no spaces please", "", "", nil) },
		"--questions":         func() error { return checkAnswersFlags("table", "", "", "", "", []string{"kb/"}) },
		"--intents goes with": func() error { return checkAnswersFlags("table", "", "", "q.jsonl", "i.jsonl", nil) },
	}
	for want, check := range bad {
		if err := check(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", want, err)
		}
	}
	if err := checkAnswersFlags("json", "out.md", "answers", "q.jsonl", "i.jsonl", []string{"kb/"}); err != nil {
		t.Errorf("good flags: %v", err)
	}
}

func TestPrintReports(t *testing.T) {
	var out bytes.Buffer
	failed := printReports(&out, []retrieval.Report{{Name: "a.md", Documents: 1, Chunks: 3, Changed: 1}, {Error: "b.pdf: not a PDF"}, {Name: "c.md", Documents: 2, Chunks: 4}})
	if failed != 1 {
		t.Errorf("failed = %d", failed)
	}
	for _, want := range []string{"ok     a.md: 1 documents, 3 chunks, 1 new or changed", "error  b.pdf: not a PDF", "2 imported, 1 failed: 3 documents, 7 chunks, 1 new or changed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in\n%s", want, out.String())
		}
	}
}

func TestWithDefault(t *testing.T) {
	env := WithDefault(func(k string) string { return map[string]string{"SET": "v"}[k] }, "UNSET", "d")
	if env("SET") != "v" || env("UNSET") != "d" || env("OTHER") != "" {
		t.Errorf("SET %q UNSET %q OTHER %q", env("SET"), env("UNSET"), env("OTHER"))
	}
}
