package retrieval

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"unicode"
)

// Embedder turns texts into vectors. Model names the model and its dimension, so vectors of
// different models are never compared (e.g. "local-256").
type Embedder interface {
	Model() string
	Dim() int
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// Local is the offline, deterministic default embedder: search tokens and character trigrams of
// Latin words, hashed with a sign into Dim buckets, log-scaled and L2-normalised. It is not a
// semantic model; it adds typo and partial-word tolerance to the lexical leg. Use an
// OpenAI-compatible embedder for meaning.
type Local struct{ dim int }

// NewLocal returns a local embedder with dim dimensions (256 when dim ≤ 0).
func NewLocal(dim int) *Local {
	if dim <= 0 {
		dim = 256
	}
	return &Local{dim: dim}
}

// Model implements Embedder.
func (l *Local) Model() string { return fmt.Sprintf("local-%d", l.dim) }

// Dim implements Embedder.
func (l *Local) Dim() int { return l.dim }

// Embed implements Embedder; it never fails.
func (l *Local) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = l.vector(t)
	}
	return out, nil
}

func (l *Local) vector(text string) []float32 {
	counts := map[string]float64{}
	for _, t := range Tokens(text) {
		counts[t]++
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(foldWidth(text)), notLatin) {
		w = "^" + w + "$"
		for i := 0; i+3 <= len(w); i++ {
			counts["#"+w[i:i+3]] += 0.5
		}
	}
	v := make([]float32, l.dim)
	for t, n := range counts {
		h := fnv.New64a()
		h.Write([]byte(t))
		x := h.Sum64()
		w := float32(1 + math.Log(n))
		if x>>63 == 1 {
			w = -w
		}
		v[x%uint64(l.dim)] += w
	}
	Normalize(v)
	return v
}

func notLatin(r rune) bool { return !(r < 0x250 && (unicode.IsLetter(r) || unicode.IsDigit(r))) }

// Normalize scales v to unit length in place (a zero vector stays zero).
func Normalize(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return
	}
	n := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= n
	}
}

// Dot is the dot product of two vectors of the same length (the cosine of unit vectors).
func Dot(a, b []float32) float32 {
	var s0, s1, s2, s3 float32
	n := min(len(a), len(b))
	i := 0
	for ; i+4 <= n; i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < n; i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// EmbedText is what gets embedded for a chunk: the document title, the heading and the text.
func EmbedText(title, heading, text string) string {
	return strings.TrimSpace(title + "\n" + heading + "\n" + text)
}

// nonZero lists the positions of v's non-zero entries.
func nonZero(v []float32) []int32 {
	var out []int32
	for i, x := range v {
		if x != 0 {
			out = append(out, int32(i))
		}
	}
	return out
}

// sparseDot is Dot(u, v) when v is zero outside nz.
func sparseDot(u, v []float32, nz []int32) float32 {
	var s float32
	for _, i := range nz {
		s += u[i] * v[i]
	}
	return s
}
