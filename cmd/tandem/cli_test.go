package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"tandem/cli"
)

// inDir runs tandem with args in a data directory and returns the exit code, stdout and stderr.
func inDir(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := func(k string) string { return map[string]string{"TANDEM_DATA_DIR": dir}[k] }
	code := run(context.Background(), args, env, &out, &errb)
	return code, out.String(), errb.String()
}

// TestFlagsAnywhere: flags typed after the positional arguments, as the README and people write
// them, take effect; they are never read as query words or silently ignored.
func TestFlagsAnywhere(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := inDir(t, dir, "ask", "How do I file a claim?"); code != 0 {
		t.Fatalf("ask = %d %s", code, errs)
	}
	code, out, errs := inDir(t, dir, "kb", "search", "file a claim", "--k", "3", "--json")
	var hits []struct {
		ChunkID string `json:"chunk_id"`
		Lang    string `json:"lang"`
	}
	if err := json.Unmarshal([]byte(out), &hits); code != 0 || err != nil || len(hits) != 3 {
		t.Fatalf("kb search … --k 3 --json = %d, %d hits (%v)\n%s%s", code, len(hits), err, out, errs)
	}
	code, out, _ = inDir(t, dir, "kb", "search", "claim", "--lang", "zh", "--json")
	hits = nil
	if err := json.Unmarshal([]byte(out), &hits); code != 0 || err != nil || len(hits) == 0 {
		t.Fatalf("kb search … --lang zh = %d %v\n%s", code, err, out)
	}
	for _, h := range hits {
		if h.Lang != "zh" {
			t.Fatalf("kb search … --lang zh returned a %s hit %s", h.Lang, h.ChunkID)
		}
	}
	code, out, errs = inDir(t, dir, "ask", "How do I file a claim?", "--json")
	var ans cli.AskResult
	if err := json.Unmarshal([]byte(out), &ans); code != 0 || err != nil || ans.Question != "How do I file a claim?" {
		t.Fatalf("ask … --json = %d %v\n%s", code, err, out)
	}
	if strings.TrimSpace(errs) != "" {
		t.Fatalf("ask printed on stderr: %q; a one-shot command prints only its answer", errs)
	}
	if code, _, errs = inDir(t, dir, "kb", "search", "claim", "--bogus"); code == 0 || !strings.Contains(errs, "bogus") {
		t.Fatalf("unknown flag after the query = %d %q; want a clear error", code, errs)
	}
	if code, out, _ = inDir(t, dir, "kb", "search", "--json", "--", "--k"); code != 0 || !strings.HasPrefix(strings.TrimSpace(out), "[") {
		t.Fatalf(`kb search -- "--k": after "--" the rest is the query: %d %s`, code, out)
	}
}

// TestHelpTexts: each command's help lists what it reads, and the top-level help describes every
// eval kind.
func TestHelpTexts(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"ask", "--help"}, {"eval", "run", "--help"}, {"kb", "search", "--help"}} {
		code, out, errs := inDir(t, dir, args...)
		help := out + errs
		if code != 0 {
			t.Fatalf("%v = %d", args, code)
		}
		for _, server := range []string{"-addr", "-api-key", "-public-url"} {
			if strings.Contains(help, server) {
				t.Errorf("%v lists the server-only flag %s:\n%s", args, server, help)
			}
		}
	}
	if _, out, errs := inDir(t, dir, "serve", "--help"); !strings.Contains(out+errs, "-addr") || !strings.Contains(out+errs, "-public-url") {
		t.Fatalf("serve --help lost its flags:\n%s%s", out, errs)
	}
	_, out, _ := inDir(t, dir, "--help")
	if line := lineWith(out, "eval"); strings.Contains(line, "retrieval") && !strings.Contains(line, "run") {
		t.Fatalf("tandem --help describes eval as retrieval only: %q", line)
	}
	if _, out, errs := inDir(t, dir, "eval", "--help"); !strings.Contains(out+errs, "--format") {
		t.Fatalf("eval --help does not mention --format:\n%s%s", out, errs)
	}
}

// lineWith returns the first line of s whose first word is word.
func lineWith(s, word string) string {
	for _, l := range strings.Split(s, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == word {
			return l
		}
	}
	return ""
}

// TestDemoShowsProgress: `tandem demo` says what it is doing before it prints the URLs, so a new
// user knows it is working.
func TestDemoShowsProgress(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	out := in.out.String()
	steps := []string{"== loading the demo knowledge base and intents", "articles (", "== indexing", "Demo page with the chat widget"}
	at := 0
	for _, s := range steps {
		i := strings.Index(out[at:], s)
		if i < 0 {
			t.Fatalf("demo output lacks %q after position %d:\n%s", s, at, out)
		}
		at += i
	}
}
