package retrieval

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"tandem/chat"
)

// TestPruningMatchesExhaustive checks that pruned BM25 returns what scoring every chunk returns,
// on a corpus big enough to prune, with Zipf-distributed words so some tokens are very common.
func TestPruningMatchesExhaustive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	zipf := rand.NewZipf(rng, 1.1, 2, 4999)
	word := func() string { return fmt.Sprintf("w%d", zipf.Uint64()) }
	var docs []chat.Document
	for i := range 6000 {
		ws := make([]string, 40+rng.IntN(60))
		for j := range ws {
			ws[j] = word()
		}
		docs = append(docs, chat.Document{ID: fmt.Sprintf("d%d", i), Title: strings.Join(ws[:4], " "), Body: strings.Join(ws, " ")})
	}
	pruned := NewIndex(docs)
	p := DefaultParams
	p.Exhaustive = true
	exact := NewIndexWith(p, docs)
	same, top1 := 0, 0
	const queries = 200
	for range queries {
		d := docs[rng.IntN(len(docs))]
		ws := strings.Fields(d.Body)
		start := rng.IntN(len(ws) - 8)
		q := strings.Join(ws[start:start+3+rng.IntN(5)], " ")
		a, b := pruned.Search(q, 10, Filter{}), exact.Search(q, 10, Filter{})
		in := map[string]bool{}
		for _, h := range b {
			in[h.Chunk.ID] = true
		}
		for _, h := range a {
			if in[h.Chunk.ID] {
				same++
			}
		}
		if len(a) > 0 && len(b) > 0 && a[0].Chunk.ID == b[0].Chunk.ID {
			top1++
		}
	}
	overlap := float64(same) / (10 * queries)
	if overlap < 0.97 || top1 < queries*98/100 {
		t.Fatalf("pruned vs exhaustive: top-10 overlap %.3f, same top-1 %d/%d", overlap, top1, queries)
	}
	t.Logf("top-10 overlap %.3f, same top-1 %d/%d", overlap, top1, queries)
}
