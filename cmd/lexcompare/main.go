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
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/retrieval"
)

func main() {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	if err != nil {
		panic(err)
	}
	conn.Exec(ctx, `DROP TABLE IF EXISTS tsvexp; CREATE TABLE tsvexp (id text primary key, title tsvector, body tsvector)`)
	f, _ := os.Open("../shared/evalsets/cmrc2018-zh/knowledge.jsonl")
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var p struct{ ID, Title, Text string }
		json.Unmarshal(sc.Bytes(), &p)
		_, err := conn.Exec(ctx, `INSERT INTO tsvexp VALUES ($1, to_tsvector('simple', $2), to_tsvector('simple', $3))`, p.ID,
			strings.Join(retrieval.Tokens(p.Title), " "), strings.Join(retrieval.Tokens(p.Text), " "))
		if err != nil {
			panic(err)
		}
	}
	conn.Exec(ctx, `CREATE INDEX ON tsvexp USING gin ((setweight(title,'A') || body))`)
	q, _ := os.Open("../shared/evalsets/cmrc2018-zh/questions.jsonl")
	sc = bufio.NewScanner(q)
	var n, hit1, hit5 int
	var lat []float64
	for sc.Scan() {
		var x struct {
			Question  string
			AnswerIDs []string `json:"answer_ids"`
			Split     string
		}
		json.Unmarshal(sc.Bytes(), &x)
		if x.Split != "dev" {
			continue
		}
		toks := retrieval.Tokens(x.Question)
		var parts []string
		for _, t := range toks {
			parts = append(parts, "'"+strings.ReplaceAll(t, "'", "")+"'")
		}
		start := time.Now()
		rows, _ := conn.Query(ctx, `SELECT id FROM tsvexp, to_tsquery('simple', $1) q
			WHERE (setweight(title,'A') || body) @@ q ORDER BY ts_rank(setweight(title,'A') || body, q, 1) DESC LIMIT 5`, strings.Join(parts, " | "))
		ids, _ := pgx.CollectRows(rows, pgx.RowTo[string])
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
		n++
		for i, id := range ids {
			if id == x.AnswerIDs[0] {
				if i == 0 {
					hit1++
				}
				hit5++
			}
		}
	}
	sort.Float64s(lat)
	fmt.Printf("tsvector ts_rank (normalization 1), title weight A: n %d recall@1 %.4f recall@5 %.4f p50 %.2f ms p99 %.2f ms\n",
		n, float64(hit1)/float64(n), float64(hit5)/float64(n), lat[len(lat)/2], lat[len(lat)*99/100])
	conn.Exec(ctx, `DROP TABLE tsvexp`)
}
