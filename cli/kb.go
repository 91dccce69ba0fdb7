package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"tandem/evals"
	"tandem/knowledge"
	"tandem/progress"
	"tandem/retrieval"
)

const kbUsage = `Usage: tandem kb <command> [flags]

Commands:
  import PATH…        import Markdown, text, HTML, PDF, FAQ CSV/JSONL and JSONL passages;
                      folders are walked; --url URL (repeatable) and --sitemap URL fetch pages
  list                list the knowledge base
  delete ID…          delete documents
  search "query"      hybrid search like the bot's (--json, --k N, --collection C, --lang L)
  status              documents, chunks and embedding progress

A running server picks changes up within a few seconds; no restart is needed.
`

// cmdKB dispatches `tandem kb <command>`.
func (d Deps) cmdKB(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var asJSON bool
	jsonFlag := func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") }
	var collection, sitemap string
	var urls stringList
	var k int
	var f retrieval.Filter
	return d.runGroup(ctx, "kb", kbUsage, map[string]sub{
		"import": {flags: func(fs *flag.FlagSet) {
			fs.StringVar(&collection, "collection", "default", "collection for documents that do not name one")
			fs.Var(&urls, "url", "a page to fetch and import (repeatable)")
			fs.StringVar(&sitemap, "sitemap", "", "a sitemap.xml whose pages to fetch and import")
		}, run: func(ctx context.Context, e env, paths []string) error {
			return kbImport(ctx, e, paths, urls, sitemap, collection, stdout, stderr)
		}},
		"list":   {flags: jsonFlag, run: func(ctx context.Context, e env, _ []string) error { return kbList(ctx, e.st, asJSON, stdout) }},
		"delete": {run: func(ctx context.Context, e env, ids []string) error { return kbDelete(ctx, e.st, ids, stdout) }},
		"search": {quiet: true, flags: func(fs *flag.FlagSet) {
			jsonFlag(fs)
			fs.IntVar(&k, "k", 5, "number of results")
			fs.StringVar(&f.Collection, "collection", "", "only this collection")
			fs.StringVar(&f.Lang, "lang", "", "only chunks in this language (en, zh)")
		}, run: func(ctx context.Context, e env, rest []string) error {
			return kbSearch(ctx, e, retrieval.Query{Text: strings.TrimSpace(strings.Join(rest, " ")), K: k, Filter: f}, asJSON, stdout, stderr)
		}},
		"status": {run: func(ctx context.Context, e env, _ []string) error { return kbStatus(ctx, e, stdout) }},
	}, args, getenv, stderr)
}

// analyzer is a store that refreshes its planner's statistics after a bulk import (Postgres).
type analyzer interface {
	Analyze(ctx context.Context) error
}

// kbImport imports files, folders and URLs; a bad file is reported and skipped, the rest goes on.
func kbImport(ctx context.Context, e env, paths, urls []string, sitemap, collection string, stdout, stderr io.Writer) error {
	kb, err := knowledge.New(ctx, e.cfg, e.st, e.log)
	if err != nil {
		return err
	}
	if len(paths) == 0 && len(urls) == 0 && sitemap == "" {
		return errors.New("give files, folders, --url or --sitemap to import")
	}
	files, err := knowledge.ExpandPaths(paths)
	if err != nil {
		return err
	}
	var reports []retrieval.Report
	bar := progress.New(stderr, "importing", len(files))
	for i, f := range files {
		reports = append(reports, kb.ImportFile(ctx, f, collection))
		bar.Set(i + 1)
	}
	bar.Done()
	if len(urls) > 0 || sitemap != "" {
		reports = append(reports, kb.ImportURLs(ctx, urls, sitemap, collection, stderr)...)
	}
	failed := printReports(stdout, reports)
	if err := kb.EmbedNow(ctx, stderr); err != nil {
		return err
	}
	if a, ok := e.st.(analyzer); ok {
		if err := a.Analyze(ctx); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d imports failed", failed, len(reports))
	}
	return nil
}

func kbList(ctx context.Context, st Store, asJSON bool, stdout io.Writer) error {
	docs, err := st.Documents(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(docs)
	}
	w := newTable(stdout, "ID\tLANG\tCOLLECTION\tTITLE")
	for _, d := range docs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", d.ID, d.Lang, d.Collection, d.Title)
	}
	return w.Flush()
}

func kbDelete(ctx context.Context, st Store, ids []string, stdout io.Writer) error {
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

func kbSearch(ctx context.Context, e env, q retrieval.Query, asJSON bool, stdout, stderr io.Writer) error {
	if q.Text == "" {
		return errors.New(`a query is required: tandem kb search "how do I file a claim"`)
	}
	if q.K < 1 || q.K > 100 {
		return errors.New("--k must be 1–100")
	}
	kb, err := knowledge.New(ctx, e.cfg, e.st, e.log)
	if err != nil {
		return err
	}
	if err := kb.Ready(ctx, stderr); err != nil {
		return err
	}
	read := kb.Search.Correct(q.Text) // as the bot reads it: typos and shorthand
	raw := q.Text
	q.Text = read
	hits := retrieval.Show(kb.Search.Search(ctx, q))
	if asJSON {
		return json.NewEncoder(stdout).Encode(hits)
	}
	if read != raw {
		fmt.Fprintf(stdout, "read as: %s\n", read)
	}
	w := newTable(stdout, "#\tFUSED\tLEXICAL\tVECTOR\tCHUNK\tTITLE")
	for i, h := range hits {
		fmt.Fprintf(w, "%d\t%.4f\t%s\t%s\t%s\t%s\n", i+1, h.Fused, legText(h.Lexical), legText(h.Vector), h.ChunkID, strings.TrimSpace(h.Title+" › "+h.Heading))
	}
	w.Flush()
	if len(hits) == 0 {
		fmt.Fprintln(stdout, "no matches")
	}
	return nil
}

func kbStatus(ctx context.Context, e env, stdout io.Writer) error {
	kb, err := knowledge.New(ctx, e.cfg, e.st, e.log)
	if err != nil {
		return err
	}
	docs, err := e.st.Documents(ctx)
	if err != nil {
		return err
	}
	p, err := kb.Embed.Status(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d documents, %d chunks, %d embedded with %s (%d dimensions)\n", len(docs), p.Chunks, p.Embedded, p.Model, p.Dim)
	cal, err := evals.ReadSelfCalibration(ctx, e.st)
	if err != nil {
		return err
	}
	for _, l := range cal.Lines() {
		fmt.Fprintln(stdout, l)
	}
	return nil
}

// printReports prints one line per file or URL and a total; it returns how many failed.
func printReports(w io.Writer, reports []retrieval.Report) (failed int) {
	var docs, chunks, changed int
	for _, r := range reports {
		if r.Error != "" {
			failed++
			fmt.Fprintf(w, "error  %s\n", r.Error)
			continue
		}
		docs, chunks, changed = docs+r.Documents, chunks+r.Chunks, changed+r.Changed
		fmt.Fprintf(w, "ok     %s: %d documents, %d chunks, %d new or changed\n", r.Name, r.Documents, r.Chunks, r.Changed)
	}
	fmt.Fprintf(w, "%d imported, %d failed: %d documents, %d chunks, %d new or changed\n", len(reports)-failed, failed, docs, chunks, changed)
	return failed
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// legText shows one leg's rank, raw and normalised score, or "-" when it missed.
func legText(l *retrieval.Leg) string {
	if l == nil {
		return "-"
	}
	return fmt.Sprintf("#%d %.3f (%.2f)", l.Rank, l.Raw, l.Norm)
}
