package retrieval

import (
	"container/heap"
	"sort"
)

// scored is a candidate: an item position and its score.
type scored struct {
	id    int32
	score float64
}

// topK keeps the k best-scoring candidates seen, in a min-heap.
type topK struct {
	k int
	h scoredHeap
}

func newTopK(k int) *topK { return &topK{k: max(k, 0), h: make(scoredHeap, 0, max(k, 0))} }

func (t *topK) push(id int32, score float64) {
	switch {
	case t.k == 0:
	case len(t.h) < t.k:
		heap.Push(&t.h, scored{id, score})
	case score > t.h[0].score:
		t.h[0] = scored{id, score}
		heap.Fix(&t.h, 0)
	}
}

// sorted returns the kept candidates best first; equal scores are ordered by less.
func (t *topK) sorted(less func(a, b int32) bool) []scored {
	out := append([]scored(nil), t.h...)
	sort.Slice(out, func(a, b int) bool {
		if out[a].score != out[b].score {
			return out[a].score > out[b].score
		}
		return less(out[a].id, out[b].id)
	})
	return out
}

type scoredHeap []scored

func (h scoredHeap) Len() int           { return len(h) }
func (h scoredHeap) Less(i, j int) bool { return h[i].score < h[j].score }
func (h scoredHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *scoredHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *scoredHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
