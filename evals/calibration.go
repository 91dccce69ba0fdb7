package evals

import (
	"cmp"
	"math"
	"slices"
)

// precisionSlack absorbs float noise when a precision is compared with a target.
const precisionSlack = 1e-9

// Bin is one confidence bin of a reliability diagram, over the answered cases.
type Bin struct {
	Lo         float64 `json:"lo"`
	Hi         float64 `json:"hi"`
	Confidence float64 `json:"confidence"` // mean reported confidence
	Accuracy   float64 `json:"accuracy"`   // share Correct
	Count      int     `json:"count"`
}

// ReliabilityBins splits the answered cases into n equal-width confidence bins (10 when n ≤ 0).
// A calibrated bot's bins have Accuracy ≈ Confidence.
func ReliabilityBins(results []Result, n int) []Bin {
	if n <= 0 {
		n = eceBins
	}
	bins := make([]Bin, n)
	for i := range bins {
		bins[i].Lo, bins[i].Hi = float64(i)/float64(n), float64(i+1)/float64(n)
	}
	for _, r := range results {
		if !r.answered() {
			continue
		}
		c := clamp01(r.Confidence)
		b := &bins[min(n-1, int(c*float64(n)))]
		b.Count++
		b.Confidence += c
		if r.Correct {
			b.Accuracy++
		}
	}
	for i := range bins {
		if b := &bins[i]; b.Count > 0 {
			b.Confidence /= float64(b.Count)
			b.Accuracy /= float64(b.Count)
		}
	}
	return bins
}

// calibrationError is the count-weighted mean gap between accuracy and confidence.
func calibrationError(bins []Bin) float64 {
	total, sum := 0, 0.0
	for _, b := range bins {
		total += b.Count
		sum += float64(b.Count) * math.Abs(b.Accuracy-b.Confidence)
	}
	if total == 0 {
		return 0
	}
	return sum / float64(total)
}

func clamp01(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return max(0, min(1, v))
}

// Point is one operating point of the risk–coverage curve: answering only at or above
// Threshold covers Coverage of all cases with Risk = 1 − precision among those answered.
type Point struct {
	Threshold float64 `json:"threshold"`
	Coverage  float64 `json:"coverage"`
	Risk      float64 `json:"risk"`
}

// sweepPoint is an operating point in counts, exact for comparisons.
type sweepPoint struct {
	threshold     float64
	answered, hit int
}

// sweep returns one operating point per distinct confidence among the answered cases, from the
// highest threshold (least coverage) down.
func sweep(results []Result) []sweepPoint {
	var ans []Result
	for _, r := range results {
		if r.answered() {
			ans = append(ans, r)
		}
	}
	slices.SortFunc(ans, func(a, b Result) int { return cmp.Compare(clamp01(b.Confidence), clamp01(a.Confidence)) })
	var pts []sweepPoint
	hit := 0
	for i, r := range ans {
		if r.Correct {
			hit++
		}
		if c := clamp01(r.Confidence); i == len(ans)-1 || clamp01(ans[i+1].Confidence) != c {
			pts = append(pts, sweepPoint{threshold: c, answered: i + 1, hit: hit})
		}
	}
	return pts
}

// RiskCoverage is the risk–coverage curve as the answer threshold sweeps down from the highest
// confidence: coverage rises, and so, for a useful confidence, does risk.
func RiskCoverage(results []Result) []Point {
	pts := sweep(results)
	out := make([]Point, len(pts))
	for i, p := range pts {
		out[i] = Point{Threshold: round(p.threshold), Coverage: round(ratio(p.answered, len(results))),
			Risk: round(1 - ratio(p.hit, p.answered))}
	}
	return out
}

// operatingPoint returns the lowest threshold whose answers reach the target precision, the
// share of all cases it answers and that precision; 1, 0, 0 when no threshold does.
func operatingPoint(results []Result, target float64) (threshold, coverage, precision float64) {
	threshold = 1
	for _, p := range sweep(results) {
		if prec := ratio(p.hit, p.answered); prec >= target-precisionSlack {
			threshold, coverage, precision = p.threshold, ratio(p.answered, len(results)), prec
		}
	}
	return round(threshold), round(coverage), round(precision)
}
