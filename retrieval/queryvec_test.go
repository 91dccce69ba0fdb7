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
		if got, want := qv.dot(p), Dot(p, q); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("dot of %v and %v (sparse %v) = %v, want %v", q, p, qv.nz != nil, got, want)
		}
	}
	dense := newQueryVec([]float32{1, 2, 0, 4})
	if dense.nz != nil {
		t.Errorf("a vector of 3 non-zeros in 4 is taken as sparse")
	}
	if got, want := dense.dot([]float32{1, 1, 1, 1}), float32(7); got != want {
		t.Errorf("dense dot = %v, want %v", got, want)
	}
}

func TestQueryVecLocalIsSparse(t *testing.T) {
	v := NewLocal(0).vector("How do I file a claim?")
	if newQueryVec(v).nz == nil {
		t.Fatal("the local embedder's vector of a question is not taken as sparse")
	}
}
