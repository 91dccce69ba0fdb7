// Package evals measures Tandem against labelled data. Eval sets of cases (ReadCases) are
// replayed through a bot configuration (Run), scored case by case (Score) and as a run
// (Summarize), compared with a baseline run (Compare, Regressed) and reported as one HTML page
// (WriteReport). Retrieval and IntentMetrics benchmark the retriever and the intent model alone.
// A Replayer replays a stored set through an Evaluator and stores the run; FitIntentThreshold
// and FitAnswerCalibrator fit a calibration on half of a set and check it on the other half;
// SelfCalibration fits the answer calibrator on the knowledge base in the background.
package evals

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"tandem/bot"
	"tandem/retrieval"
)

// Question is one labelled retrieval question: any of AnswerIDs in the top k counts as found.
type Question struct {
	Question  string   `json:"question"`
	AnswerIDs []string `json:"answer_ids"`
	Split     string   `json:"split"`
}

// RetrievalReport is what `tandem eval retrieval` prints.
type RetrievalReport struct {
	N          int     `json:"n"`
	RecallAt1  float64 `json:"recall_at_1"`
	RecallAt5  float64 `json:"recall_at_5"`
	RecallAt10 float64 `json:"recall_at_10"`
	MRRAt10    float64 `json:"mrr_at_10"`
	P50Ms      float64 `json:"p50_ms"`
	P99Ms      float64 `json:"p99_ms"`
}

// maxLine bounds one JSONL record.
const maxLine = 16 << 20

// ReadJSONL decodes one value per non-empty line, naming the line of any error.
func ReadJSONL[T any](r io.Reader) ([]T, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var out []T
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(line, &v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, v)
	}
	return out, sc.Err()
}

// Searcher returns the ids of the best k passages for a query, best first.
type Searcher func(query string, k int) []string

// chunksPerDocument is how many chunks a document search asks for per document wanted: chunks
// of one document count once.
const chunksPerDocument = 4

// DocumentSearch is a Searcher of documents over a knowledge search.
func DocumentSearch(ctx context.Context, s bot.Searcher) Searcher {
	return func(q string, k int) []string {
		rs := retrieval.TopDocuments(s.Search(ctx, retrieval.Query{Text: q, K: chunksPerDocument * k}), k)
		ids := make([]string, len(rs))
		for i, r := range rs {
			ids[i] = r.Doc.ID
		}
		return ids
	}
}

// Retrieval runs every question through search and scores recall@1/5/10, MRR@10 and latency.
// progress, if set, is called after each question.
func Retrieval(questions []Question, search Searcher, k int, progress func(done int)) RetrievalReport {
	var r RetrievalReport
	lat := make([]float64, 0, len(questions))
	for i, q := range questions {
		start := time.Now()
		ids := search(q.Question, max(k, 10))
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
		rank := firstHit(ids, q.AnswerIDs)
		r.N++
		if rank >= 1 && rank <= 1 {
			r.RecallAt1++
		}
		if rank >= 1 && rank <= 5 {
			r.RecallAt5++
		}
		if rank >= 1 && rank <= 10 {
			r.RecallAt10++
			r.MRRAt10 += 1 / float64(rank)
		}
		if progress != nil {
			progress(i + 1)
		}
	}
	if r.N > 0 {
		n := float64(r.N)
		r.RecallAt1, r.RecallAt5, r.RecallAt10, r.MRRAt10 = round(r.RecallAt1/n), round(r.RecallAt5/n), round(r.RecallAt10/n), round(r.MRRAt10/n)
		slices.Sort(lat)
		r.P50Ms, r.P99Ms = round(quantile(lat, 0.5)), round(quantile(lat, 0.99))
	}
	return r
}

// firstHit returns the 1-based rank of the first gold id, or 0.
func firstHit(ids, gold []string) int {
	for i, id := range ids {
		if slices.Contains(gold, id) {
			return i + 1
		}
	}
	return 0
}

func quantile(sorted []float64, p float64) float64 {
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

func round(v float64) float64 { return math.Round(v*10000) / 10000 }
