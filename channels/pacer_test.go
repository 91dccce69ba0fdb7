package channels

import (
	"testing"
	"time"
)

func TestPacer(t *testing.T) {
	p := &Pacer{Every: 6 * time.Second, Burst: 2}
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	for range 2 {
		if p.Wait("a", 1, t0) != 0 {
			t.Fatal("the burst was refused")
		}
	}
	if d := p.Wait("a", 1, t0); d < 5*time.Second || d > 6*time.Second {
		t.Fatalf("third send at once: wait %s, want about 6 s", d)
	}
	if p.Wait("b", 1, t0) != 0 {
		t.Fatal("another recipient was paced by a's sends")
	}
	if p.Wait("a", 1, t0.Add(6*time.Second)) != 0 {
		t.Fatal("a refused after the interval")
	}
	// A refused send takes nothing: after the wait it goes.
	if d := p.Wait("a", 1, t0.Add(6*time.Second)); d == 0 || p.Wait("a", 1, t0.Add(6*time.Second+d)) != 0 {
		t.Fatalf("a refused send was counted (wait %s)", d)
	}
	var none *Pacer
	if none.Wait("a", 5, t0) != 0 {
		t.Fatal("a nil pacer waited")
	}
	// Idle recipients are forgotten.
	p.Wait("c", 1, t0.Add(time.Hour))
	if len(p.lims) != 1 {
		t.Fatalf("%d recipients kept after an hour idle, want 1", len(p.lims))
	}
}
