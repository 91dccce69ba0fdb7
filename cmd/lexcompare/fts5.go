package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	_ "modernc.org/sqlite"

	"tandem/retrieval"
)

func init() {
	if len(os.Args) > 1 && os.Args[1] == "fts5" {
		fts5()
		os.Exit(0)
	}
}

func fts5() {
	os.Remove("/tmp/fts5exp.db")
	db, err := sql.Open("sqlite", "file:/tmp/fts5exp.db")
	if err != nil {
		panic(err)
	}
	if _, err := db.Exec(`CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, title, body, tokenize='unicode61 remove_diacritics 0')`); err != nil {
		panic(err)
	}
	f, _ := os.Open("../shared/evalsets/cmrc2018-zh/knowledge.jsonl")
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	tx, _ := db.Begin()
	for sc.Scan() {
		var p struct{ ID, Title, Text string }
		json.Unmarshal(sc.Bytes(), &p)
		if _, err := tx.Exec(`INSERT INTO t VALUES (?, ?, ?)`, p.ID, strings.Join(retrieval.Tokens(p.Title), " "), strings.Join(retrieval.Tokens(p.Text), " ")); err != nil {
			panic(err)
		}
	}
	tx.Commit()
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
		var parts []string
		for _, t := range retrieval.Tokens(x.Question) {
			parts = append(parts, `"`+strings.ReplaceAll(t, `"`, "")+`"`)
		}
		start := time.Now()
		rows, err := db.Query(`SELECT id FROM t WHERE t MATCH ? ORDER BY bm25(t, 0, 1.0, 1.0) LIMIT 5`, strings.Join(parts, " OR "))
		if err != nil {
			panic(err)
		}
		var ids []string
		for rows.Next() {
			var id string
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
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
	fmt.Printf("FTS5 bm25 (title, body weight 1, 1): n %d recall@1 %.4f recall@5 %.4f p50 %.2f ms p99 %.2f ms\n",
		n, float64(hit1)/float64(n), float64(hit5)/float64(n), lat[len(lat)/2], lat[len(lat)*99/100])
}
