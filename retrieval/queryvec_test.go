package retrieval

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestQueryVecDotIsDot: the sparse dot product is Dot's, bit for bit, whatever the lengths and
// wherever the non-zero entries are.
func TestQueryVecDotIsDot(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n, m := r.IntN(70), r.IntN(70)
		if r.IntN(2) == 0 {
			m = n
		}
		q, p := make([]float32, n), make([]float32, m)
		for i := range q {
			if r.IntN(8) == 0 {
				q[i] = float32(r.NormFloat64())
			}
		}
		for i := range p {
			p[i] = float32(r.NormFloat64())
		}
		qv := newQueryVec(q)
		if got, want := qv.dot(0, p), Dot(p, q); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("dot of %v and %v (sparse %v) = %v, want %v", q, p, qv.nz != nil, got, want)
		}
	}
	dense := newQueryVec([]float32{1, 2, 0, 4})
	if dense.nz != nil {
		t.Errorf("a vector of 3 non-zeros in 4 is taken as sparse")
	}
	if got, want := dense.dot(0, []float32{1, 1, 1, 1}), float32(7); got != want {
		t.Errorf("dense dot = %v, want %v", got, want)
	}
}

func TestQueryVecLocalIsSparse(t *testing.T) {
	v := NewLocal(0).vector("How do I file a claim?")
	if newQueryVec(v).nz == nil {
		t.Fatal("the local embedder's vector of a question is not taken as sparse")
	}
}

// TestPhraseDimsDotsAreDot: the dot products computed dimension by dimension are Dot's, bit for
// bit, for every phrasing.
func TestPhraseDimsDotsAreDot(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		dim := 1 + r.IntN(70)
		ps := make([]phrase, 1+r.IntN(30))
		for i := range ps {
			if r.IntN(10) == 0 {
				continue // no vector
			}
			ps[i].vec = make([]float32, dim)
			for d := range ps[i].vec {
				if r.IntN(8) == 0 {
					ps[i].vec[d] = float32(r.NormFloat64())
				}
			}
		}
		pd := newPhraseDims(ps)
		if pd.at == nil {
			continue // too dense by chance
		}
		q := make([]float32, dim)
		for d := range q {
			if r.IntN(8) == 0 {
				q[d] = float32(r.NormFloat64())
			}
		}
		qv := newQueryVec(q)
		if qv.nz == nil {
			continue
		}
		dots := make([][4]float32, len(ps))
		pd.dots(qv, dots)
		qv.dots = &dots
		for i, p := range ps {
			if p.vec == nil {
				continue
			}
			if got, want := qv.dot(i, p.vec), Dot(p.vec, q); math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("phrasing %d: dot %v, want %v", i, got, want)
			}
		}
	}
	dense := []phrase{{vec: []float32{1, 2, 3, 4}}}
	if newPhraseDims(dense).at != nil {
		t.Error("dense vectors are held by dimension")
	}
	mixed := []phrase{{vec: []float32{1, 0, 0, 0, 0, 0, 0, 0}}, {vec: []float32{1, 0, 0, 0}}}
	if newPhraseDims(mixed).at != nil {
		t.Error("vectors of two lengths are held by dimension")
	}
}
