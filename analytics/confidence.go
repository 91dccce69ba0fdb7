package analytics

import (
	"math"
	"sort"
	"time"
)

// Judgement is one bot turn's reported confidence and, when known, whether it was right:
// a thumbs up or down on the answer, or an agent sending the bot's draft untouched (right) or
// rewritten (wrong).
type Judgement struct {
	At         time.Time
	Confidence float64
	Answered   bool  // the bot answered (a draft counts as answered)
	Right      *bool // nil: no one judged it
}

// Week is the confidence of one ISO week's bot turns.
type Week struct {
	Week       string  `json:"week"` // e.g. "2026-W48"
	Turns      int     `json:"turns"`
	Histogram  [10]int `json:"histogram"`   // turns per confidence tenth
	BelowShare float64 `json:"below_share"` // share of turns under the threshold
	// Judged turns: their mean reported confidence and the share actually right; Drift is
	// Predicted − Observed (positive: over-confident).
	Judged    int     `json:"judged"`
	Predicted float64 `json:"predicted"`
	Observed  float64 `json:"observed"`
	Drift     float64 `json:"drift"`
	Alert     bool    `json:"alert"` // |Drift| > DriftAlert with at least MinJudged judged turns
}

// Drift alerting: the gap between predicted and observed correctness that raises an alert, and
// the fewest judged turns a week needs before its gap means anything.
const (
	DriftAlert = 0.1
	MinJudged  = 20
)

// Confidence groups judgements by ISO week (oldest first): the distribution of confidence, the
// share below threshold, and calibration drift where turns were judged.
func Confidence(js []Judgement, threshold float64) []Week {
	byWeek := map[string]*Week{}
	sums := map[string]*[2]float64{} // predicted, right
	for _, j := range js {
		y, w := j.At.UTC().ISOWeek()
		key := isoWeek(y, w)
		wk := byWeek[key]
		if wk == nil {
			wk, sums[key] = &Week{Week: key}, &[2]float64{}
			byWeek[key] = wk
		}
		wk.Turns++
		wk.Histogram[min(9, int(math.Max(0, j.Confidence)*10))]++
		if j.Confidence < threshold {
			wk.BelowShare++
		}
		if j.Right != nil && j.Answered {
			wk.Judged++
			sums[key][0] += j.Confidence
			if *j.Right {
				sums[key][1]++
			}
		}
	}
	out := make([]Week, 0, len(byWeek))
	for key, wk := range byWeek {
		wk.BelowShare = round4(wk.BelowShare / float64(wk.Turns))
		if wk.Judged > 0 {
			wk.Predicted = round4(sums[key][0] / float64(wk.Judged))
			wk.Observed = round4(sums[key][1] / float64(wk.Judged))
			wk.Drift = round4(wk.Predicted - wk.Observed)
			wk.Alert = wk.Judged >= MinJudged && math.Abs(wk.Drift) > DriftAlert
		}
		out = append(out, *wk)
	}
	sort.Slice(out, func(i, k int) bool { return out[i].Week < out[k].Week })
	return out
}

func isoWeek(y, w int) string {
	return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006") + "-W" + twoDigits(w)
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + string(rune('0'+n))
	}
	return string(rune('0'+n/10)) + string(rune('0'+n%10))
}

func round4(v float64) float64 { return math.Round(v*10000) / 10000 }
