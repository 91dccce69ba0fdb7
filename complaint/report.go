package complaint

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Report is the complaints analytics of cases received in a period.
type Report struct {
	Received int `json:"received"`
	Decided  int `json:"decided"`
	OnTime   int `json:"on_time"`
	// OnTimeRate is the share of decided cases decided by their due date (0 when none).
	OnTimeRate float64 `json:"on_time_rate"`
	// MedianDecisionHours is the median time from receipt to decision of decided cases.
	MedianDecisionHours float64 `json:"median_decision_hours"`
	Reopened            int     `json:"reopened"`
	// ReopenRate is the share of received cases reopened at least once.
	ReopenRate float64 `json:"reopen_rate"`
	Breached   int     `json:"breached"` // open and past due now
	// RootCauses counts closed cases by month received and root cause.
	RootCauses []RootCauses `json:"root_causes"`
}

// RootCauses is how many cases of a month had a root cause.
type RootCauses struct {
	Month     string `json:"month"` // 2026-12
	RootCause string `json:"root_cause"`
	Cases     int    `json:"cases"`
}

// Report computes the analytics of cases received in [from, to).
func (s *Service) Report(ctx context.Context, from, to time.Time) (Report, error) {
	cases, err := s.Store.ReceivedCases(ctx, from, to)
	if err != nil {
		return Report{}, err
	}
	return Compute(cases, s.Now()), nil
}

// Compute is the Report of cases at now.
func Compute(cases []Case, now time.Time) Report {
	r := Report{Received: len(cases), RootCauses: []RootCauses{}}
	var hours []float64
	causes := map[[2]string]int{}
	for _, c := range cases {
		if c.DecidedAt != nil {
			r.Decided++
			if !c.DecidedAt.After(c.DueAt) {
				r.OnTime++
			}
			hours = append(hours, c.DecidedAt.Sub(c.ReceivedAt).Hours())
		}
		if c.Reopens > 0 {
			r.Reopened++
		}
		if c.Breached(now) {
			r.Breached++
		}
		if c.RootCause != "" {
			causes[[2]string{c.ReceivedAt.UTC().Format("2006-01"), c.RootCause}]++
		}
	}
	if r.Decided > 0 {
		r.OnTimeRate = float64(r.OnTime) / float64(r.Decided)
		slices.Sort(hours)
		n := len(hours)
		r.MedianDecisionHours = hours[n/2]
		if n%2 == 0 {
			r.MedianDecisionHours = (hours[n/2-1] + hours[n/2]) / 2
		}
	}
	if r.Received > 0 {
		r.ReopenRate = float64(r.Reopened) / float64(r.Received)
	}
	for k, n := range causes {
		r.RootCauses = append(r.RootCauses, RootCauses{Month: k[0], RootCause: k[1], Cases: n})
	}
	slices.SortFunc(r.RootCauses, func(a, b RootCauses) int {
		if a.Month != b.Month {
			return strings.Compare(a.Month, b.Month)
		}
		if a.Cases != b.Cases {
			return b.Cases - a.Cases
		}
		return strings.Compare(a.RootCause, b.RootCause)
	})
	return r
}
