// Command lexcompare measures the store-side lexical search DESIGN.md first planned (Postgres
// tsvector + ts_rank, SQLite FTS5 bm25(), both over Tandem's own tokens) on the cmrc2018-zh dev
// split, for comparison with the in-memory BM25 that "tandem eval retrieval" uses:
//
//	go run ./cmd/lexcompare        # Postgres at 127.0.0.1:5432, database test
//	go run ./cmd/lexcompare fts5   # SQLite FTS5 in /tmp
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"

	"tandem/retrieval"
)

const evalset = "../shared/evalsets/cmrc2018-zh/"

func main() {
	var err error
	if len(os.Args) > 1 && os.Args[1] == "fts5" {
		err = fts5()
	} else {
		err = tsvector()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lexcompare:", err)
		os.Exit(1)
	}
}

// tokens is text as Tandem tokenizes it, space-separated for the database's own tokenizer.
func tokens(text string) string { return strings.Join(retrieval.Tokens(text), " ") }

// eachLine calls fn with every line of an evalset file.
func eachLine(name string, fn func([]byte) error) error {
	f, err := os.Open(evalset + name)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		if err := fn(sc.Bytes()); err != nil {
			return err
		}
	}
	return sc.Err()
}

// load calls put with every passage.
func load(put func(id, title, text string) error) error {
	return eachLine("knowledge.jsonl", func(b []byte) error {
		var p struct{ ID, Title, Text string }
		if err := json.Unmarshal(b, &p); err != nil {
			return err
		}
		return put(p.ID, tokens(p.Title), tokens(p.Text))
	})
}

// report asks every dev question through search (top 5 ids) and prints recall and latency.
func report(label string, search func(toks []string) ([]string, error)) error {
	var n, hit1, hit5 int
	var lat []float64
	err := eachLine("questions.jsonl", func(b []byte) error {
		var q struct {
			Question  string
			AnswerIDs []string `json:"answer_ids"`
			Split     string
		}
		if err := json.Unmarshal(b, &q); err != nil || q.Split != "dev" {
			return err
		}
		start := time.Now()
		ids, err := search(retrieval.Tokens(q.Question))
		if err != nil {
			return err
		}
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
		n++
		for i, id := range ids {
			if id == q.AnswerIDs[0] {
				if i == 0 {
					hit1++
				}
				hit5++
			}
		}
		return nil
	})
	if err != nil || n == 0 {
		return fmt.Errorf("questions: %v (%d read)", err, n)
	}
	sort.Float64s(lat)
	fmt.Printf("%s: n %d recall@1 %.4f recall@5 %.4f p50 %.2f ms p99 %.2f ms\n",
		label, n, float64(hit1)/float64(n), float64(hit5)/float64(n), lat[len(lat)/2], lat[len(lat)*99/100])
	return nil
}

// quoted joins tokens with sep, each quoted with q (and q removed from inside).
func quoted(toks []string, q, sep string) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = q + strings.ReplaceAll(t, q, "") + q
	}
	return strings.Join(parts, sep)
}

func tsvector() error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP TABLE IF EXISTS tsvexp; CREATE TABLE tsvexp (id text primary key, title tsvector, body tsvector)`); err != nil {
		return err
	}
	defer conn.Exec(ctx, `DROP TABLE tsvexp`)
	err = load(func(id, title, text string) error {
		_, err := conn.Exec(ctx, `INSERT INTO tsvexp VALUES ($1, to_tsvector('simple', $2), to_tsvector('simple', $3))`, id, title, text)
		return err
	})
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `CREATE INDEX ON tsvexp USING gin ((setweight(title,'A') || body))`); err != nil {
		return err
	}
	return report("tsvector ts_rank (normalization 1), title weight A", func(toks []string) ([]string, error) {
		rows, err := conn.Query(ctx, `SELECT id FROM tsvexp, to_tsquery('simple', $1) q
			WHERE (setweight(title,'A') || body) @@ q ORDER BY ts_rank(setweight(title,'A') || body, q, 1) DESC LIMIT 5`, quoted(toks, "'", " | "))
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, pgx.RowTo[string])
	})
}

func fts5() error {
	os.Remove("/tmp/fts5exp.db")
	db, err := sql.Open("sqlite", "file:/tmp/fts5exp.db")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, title, body, tokenize='unicode61 remove_diacritics 0')`); err != nil {
		return err
	}
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	if err := load(func(id, title, text string) error {
		_, err := tx.Exec(`INSERT INTO t VALUES (?, ?, ?)`, id, title, text)
		return err
	}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return report("FTS5 bm25 (title, body weight 1, 1)", func(toks []string) ([]string, error) {
		rows, err := db.Query(`SELECT id FROM t WHERE t MATCH ? ORDER BY bm25(t, 0, 1.0, 1.0) LIMIT 5`, quoted(toks, `"`, " OR "))
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			var id string
			rows.Scan(&id)
			ids = append(ids, id)
		}
		return ids, rows.Err()
	})
}
