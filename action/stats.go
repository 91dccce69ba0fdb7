package action

import (
	"math"
	"slices"
	"sort"
)

// Stat is one action's calls over a period.
type Stat struct {
	Action      string         `json:"action"`
	Calls       int            `json:"calls"`
	OK          int            `json:"ok"`
	SuccessRate float64        `json:"success_rate"`
	P95MS       float64        `json:"p95_ms"`
	Failures    map[string]int `json:"failures,omitempty"` // by failure kind
}

// Stats sums calls per action, by name: count, successes, success rate and the 95th percentile
// latency (nearest rank).
func Stats(calls []Call) []Stat {
	by := map[string]*Stat{}
	lat := map[string][]float64{}
	for _, c := range calls {
		s := by[c.Action]
		if s == nil {
			s = &Stat{Action: c.Action}
			by[c.Action] = s
		}
		s.Calls++
		if c.Status == "ok" {
			s.OK++
		} else {
			if s.Failures == nil {
				s.Failures = map[string]int{}
			}
			s.Failures[c.Status]++
		}
		lat[c.Action] = append(lat[c.Action], c.LatencyMS)
	}
	out := []Stat{}
	for name, s := range by {
		s.SuccessRate = math.Round(float64(s.OK)/float64(s.Calls)*1000) / 1000
		s.P95MS = percentile(lat[name], 0.95)
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Action < out[j].Action })
	return out
}

// percentile is the nearest-rank percentile of xs.
func percentile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}
