package analytics

import (
	"testing"
	"time"
)

func TestConfidence(t *testing.T) {
	yes, no := true, false
	mon := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) // ISO week 48
	var js []Judgement
	// Week 48: 25 judged answers at 0.9, only 15 right: over-confident by 0.3.
	for i := range 25 {
		r := &yes
		if i >= 15 {
			r = &no
		}
		js = append(js, Judgement{At: mon, Confidence: 0.9, Answered: true, Right: r})
	}
	js = append(js, Judgement{At: mon, Confidence: 0.2}) // a handoff below the threshold
	// Week 49: 3 judged, calibrated.
	next := mon.AddDate(0, 0, 7)
	js = append(js, Judgement{At: next, Confidence: 0.7, Answered: true, Right: &yes}, Judgement{At: next, Confidence: 0.65, Answered: true, Right: &no})
	weeks := Confidence(js, 0.5)
	if len(weeks) != 2 || weeks[0].Week != "2026-W48" || weeks[1].Week != "2026-W49" {
		t.Fatalf("weeks = %+v", weeks)
	}
	w := weeks[0]
	if w.Turns != 26 || w.Histogram[9] != 25 || w.Histogram[2] != 1 || w.BelowShare != round4(1.0/26) || w.Judged != 25 ||
		w.Predicted != 0.9 || w.Observed != 0.6 || w.Drift != 0.3 || !w.Alert {
		t.Fatalf("week 48 = %+v", w)
	}
	if weeks[1].Alert || weeks[1].Judged != 2 {
		t.Fatalf("week 49 = %+v (too few judged to alert)", weeks[1])
	}
}
