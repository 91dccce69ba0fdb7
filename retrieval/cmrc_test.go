package retrieval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"tandem/chat"
)

const cmrcDir = "../../shared/evalsets/cmrc2018-zh/"

type cmrcQuestion struct {
	Question  string
	AnswerIDs []string `json:"answer_ids"`
	Split     string
}

// loadCMRC reads the cmrc2018-zh passages and dev questions (the held-back trial questions are
// never read), skipping the test where shared/ is not beside the repository.
func loadCMRC(t *testing.T) ([]chat.Document, []cmrcQuestion) {
	t.Helper()
	if _, err := os.Stat(cmrcDir); err != nil {
		t.Skip("shared/evalsets not found beside the repository")
	}
	var docs []chat.Document
	readLines(t, cmrcDir+"knowledge.jsonl", func(b []byte) {
		var p struct{ ID, Title, Text string }
		json.Unmarshal(b, &p)
		docs = append(docs, chat.Document{ID: p.ID, Title: p.Title, Body: p.Text})
	})
	var qs []cmrcQuestion
	readLines(t, cmrcDir+"questions.jsonl", func(b []byte) {
		var v cmrcQuestion
		json.Unmarshal(b, &v)
		if v.Split == "dev" {
			qs = append(qs, v)
		}
	})
	return docs, qs
}

func recallAt1(ix *Index, qs []cmrcQuestion) float64 {
	hit := 0
	for _, v := range qs {
		if h := ix.Search(v.Question, 1); len(h) > 0 && h[0].Doc.ID == v.AnswerIDs[0] {
			hit++
		}
	}
	return float64(hit) / float64(len(qs))
}

// TestCMRCRecall guards retrieval quality: issue 3 asks for recall@1 ≥ 0.98 on the dev split
// (bleve's cjk analyzer with separate title/text fields scores 0.982).
func TestCMRCRecall(t *testing.T) {
	docs, qs := loadCMRC(t)
	if got := recallAt1(NewIndex(docs), qs); got < 0.98 {
		t.Fatalf("recall@1 on cmrc2018-zh dev = %.4f, want ≥ 0.98", got)
	}
}

// TestTuneCMRC prints recall@1 for parameter variants on the dev split; run with TANDEM_TUNE=1.
func TestTuneCMRC(t *testing.T) {
	if os.Getenv("TANDEM_TUNE") == "" {
		t.Skip("set TANDEM_TUNE=1 to run the tuning sweep")
	}
	docs, qs := loadCMRC(t)
	for _, p := range []Params{
		DefaultParams,
		{K1: 1.2, B: 0.75, TitleWeight: 1, UnigramWeight: 1, SeparateTitle: true},
		{K1: 1.2, B: 0.75, TitleWeight: 0.5, UnigramWeight: 1, SeparateTitle: true},
		{K1: 1.2, B: 0.75, TitleWeight: 2, UnigramWeight: 1, SeparateTitle: true},
		{K1: 1.2, B: 0.75, TitleWeight: 1, UnigramWeight: 0.3, SeparateTitle: true},
		{K1: 2.0, B: 0.75, TitleWeight: 1, UnigramWeight: 0.5, SeparateTitle: true},
		{K1: 2.0, B: 0.75, TitleWeight: 3, UnigramWeight: 0.5},
		{K1: 3.0, B: 0.75, TitleWeight: 3, UnigramWeight: 0.5},
		{K1: 2.0, B: 0.75, TitleWeight: 5, UnigramWeight: 0.5},
	} {
		ix := NewIndexWith(p, docs)
		fmt.Printf("%+v recall@1 %.4f\n", p, recallAt1(ix, qs))
	}
}

func readLines(t *testing.T, path string, fn func([]byte)) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		fn(sc.Bytes())
	}
}
