package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"tandem/retrieval"
)

const kbUsage = `Usage: tandem kb <command> [flags]

Commands:
  import PATH…        import Markdown (.md), text (.txt) and JSONL passages; folders are walked
  list                list the knowledge base
  delete ID…          delete documents
  search "query"      search like the bot does (--json, --k N)

A running server picks changes up within a few seconds; no restart is needed.
`

// cmdKB dispatches `tandem kb <command>`.
func cmdKB(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, kbUsage)
		if len(args) == 0 {
			return errors.New("which kb command? see above")
		}
		return errHelp
	}
	cmds := map[string]func(context.Context, []string, func(string) string, io.Writer, io.Writer) error{
		"import": kbImport, "list": kbList, "delete": kbDelete, "search": kbSearch,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		return fmt.Errorf("unknown kb command %q\n\n%s", args[0], kbUsage)
	}
	return cmd(ctx, args[1:], getenv, stdout, stderr)
}

// kbImport imports files and folders; a bad file is reported and skipped, the rest goes on.
func kbImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var collection string
	_, _, st, paths, err := setup(ctx, "kb import", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&collection, "collection", "default", "collection to import into")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	files, err := expandPaths(paths)
	if err != nil {
		return err
	}
	bar := newProgress(stderr, "importing", len(files))
	var failed, docs, changed int
	for i, f := range files {
		n, c, err := importFile(ctx, st, f, collection)
		bar.set(i + 1)
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "error  %s\n", err)
			continue
		}
		docs, changed = docs+n, changed+c
		fmt.Fprintf(stdout, "ok     %s: %d documents, %d new or changed\n", f, n, c)
	}
	bar.done()
	fmt.Fprintf(stdout, "%d files, %d documents, %d new or changed, %d files failed\n", len(files), docs, changed, failed)
	if failed > 0 {
		return fmt.Errorf("%d of %d files failed", failed, len(files))
	}
	return nil
}

// expandPaths turns files and folders into the list of files to import.
func expandPaths(paths []string) ([]string, error) {
	if len(paths) == 0 {
		return nil, errors.New("give files or folders to import")
	}
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

func importFile(ctx context.Context, st store, path, collection string) (n, changed int, err error) {
	info, err := os.Stat(path)
	if err != nil {
		return 0, 0, err
	}
	if info.Size() > retrieval.MaxFileBytes {
		return 0, 0, fmt.Errorf("%s: %d bytes; the limit is %d", path, info.Size(), retrieval.MaxFileBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	docs, err := retrieval.ParseFile(path, data, time.Now().UTC())
	if err != nil {
		return 0, 0, err
	}
	for _, d := range docs {
		d.Collection = collection
		ok, err := st.PutDocument(ctx, d)
		if err != nil {
			return n, changed, fmt.Errorf("%s: %w", path, err)
		}
		n++
		if ok {
			changed++
		}
	}
	return n, changed, nil
}

func kbList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var asJSON bool
	_, _, st, _, err := setup(ctx, "kb list", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	docs, err := st.Documents(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(docs)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tLANG\tCOLLECTION\tTITLE")
	for _, d := range docs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", d.ID, d.Lang, d.Collection, d.Title)
	}
	return w.Flush()
}

func kbDelete(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	_, _, st, ids, err := setup(ctx, "kb delete", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	if len(ids) == 0 {
		return errors.New("give the ids to delete (tandem kb list shows them)")
	}
	for _, id := range ids {
		if err := st.DeleteDocument(ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "deleted %s\n", id)
	}
	return nil
}

type searchHit struct {
	ID    string  `json:"id"`
	Title string  `json:"title"`
	Lang  string  `json:"lang"`
	URL   string  `json:"url"`
	Score float64 `json:"score"`
}

func kbSearch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var asJSON bool
	var k int
	_, _, st, rest, err := setup(ctx, "kb search", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		fs.IntVar(&k, "k", 5, "number of results")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	q := strings.TrimSpace(strings.Join(rest, " "))
	if q == "" {
		return errors.New(`a query is required: tandem kb search "how do I file a claim"`)
	}
	index, err := newIndex(ctx, st)
	if err != nil {
		return err
	}
	hits := []searchHit{}
	for _, h := range index.Search(q, k) {
		hits = append(hits, searchHit{h.Doc.ID, h.Doc.Title, h.Doc.Lang, h.Doc.URL, h.Score})
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(hits)
	}
	for i, h := range hits {
		fmt.Fprintf(stdout, "%d. %.2f  %s  %s\n", i+1, h.Score, h.ID, h.Title)
	}
	if len(hits) == 0 {
		fmt.Fprintln(stdout, "no matches")
	}
	return nil
}
