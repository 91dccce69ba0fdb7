package httpapi

import (
	"strconv"
	"strings"
	"testing"
)

// TestLimiterKeysBounded: however many distinct keys arrive, and however long, the limiter keeps
// at most MaxKeys fixed-size entries, and a key it still tracks keeps its bucket.
func TestLimiterKeysBounded(t *testing.T) {
	l := NewLimiter(0.001, 1)
	l.MaxKeys = 100
	pad := strings.Repeat("k", 1<<16)
	for i := range 5000 {
		l.Reserve(pad + strconv.Itoa(i))
	}
	if n := l.Keys(); n != 100 {
		t.Fatalf("limiter tracks %d keys, want at most 100", n)
	}
	if wait := l.Reserve(pad + "4999"); wait == 0 {
		t.Fatal("a recently seen key lost its bucket")
	}
}

func TestBurstOf(t *testing.T) {
	for rate, want := range map[float64]int{0.1: 3, 1: 3, 5: 15} {
		if got := BurstOf(rate); got != want {
			t.Errorf("BurstOf(%v) = %d, want %d", rate, got, want)
		}
	}
}
