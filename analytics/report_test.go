package analytics

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// handMade is seven conversations whose figures are worked out by hand below.
func handMade() []Facts {
	next := t0.Add(24 * time.Hour) // 2026-12-01
	return []Facts{
		{ID: "contained", Channel: "web", CreatedAt: t0, CustomerMessages: 2, BotAnswers: 2,
			FirstCustomerAt: at(10), FirstReplyAt: at(14), Rating: 5},
		{ID: "reopened", Channel: "web", CreatedAt: t0, CustomerMessages: 2, BotAnswers: 2, Reopened: true,
			FirstCustomerAt: at(0), FirstReplyAt: at(6)},
		{ID: "served", Channel: "telegram", CreatedAt: next, CustomerMessages: 3, FirstCustomerAt: at(0), FirstReplyAt: at(2),
			HandoffAt: at(2), HandoffReason: "low_confidence", AcceptedAt: at(102), ReleasedAt: at(702), Rating: 3},
		{ID: "dropped", Channel: "telegram", CreatedAt: next, CustomerMessages: 1, FirstCustomerAt: at(0), FirstReplyAt: at(8),
			HandoffAt: at(8), HandoffReason: "low_confidence", DroppedOff: true},
		{ID: "requested", Channel: "whatsapp", CreatedAt: t0, CustomerMessages: 2, BotAnswers: 1, FirstCustomerAt: at(0),
			FirstReplyAt: at(20), HandoffAt: at(60), HandoffReason: "customer_request", AcceptedAt: at(360), ReleasedAt: at(1560), Rating: 4},
		{ID: "silent", Channel: "web", CreatedAt: time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC)},
		{ID: "with an agent", Channel: "web", CreatedAt: next, CustomerMessages: 1, FirstCustomerAt: at(0), FirstReplyAt: at(1),
			HandoffAt: at(1), HandoffReason: "error", AcceptedAt: at(413)},
	}
}

func TestCompute(t *testing.T) {
	r := Compute(handMade())
	want := Metrics{
		Conversations:  7,
		Containment:    1.0 / 7,
		HandoffRate:    4.0 / 7,
		HandoffReasons: map[string]int{"low_confidence": 2, "customer_request": 1, "error": 1},
		// first responses 1 2 4 6 8 20: ranks ceil(3) = 3 and ceil(5.4) = 6
		FirstResponseSeconds: Percentiles{N: 6, P50: 4, P90: 20},
		// waits 100 300 412 (the dropped conversation has none): ranks 2 and 3
		WaitSeconds:   Percentiles{N: 3, P50: 300, P90: 412},
		HandleSeconds: Percentiles{N: 2, P50: 600, P90: 1200},
		RatingAvg:     4, RatingCount: 3,
		DropOffRate: 0.25,
	}
	if !reflect.DeepEqual(r.Metrics, want) {
		t.Errorf("overall:\n got %+v\nwant %+v", r.Metrics, want)
	}
	web := Metrics{Conversations: 4, Containment: 0.25, HandoffRate: 0.25, HandoffReasons: map[string]int{"error": 1},
		FirstResponseSeconds: Percentiles{N: 3, P50: 4, P90: 6}, WaitSeconds: Percentiles{N: 1, P50: 412, P90: 412},
		HandleSeconds: Percentiles{}, RatingAvg: 5, RatingCount: 1}
	if !reflect.DeepEqual(r.ByChannel["web"], web) {
		t.Errorf("web:\n got %+v\nwant %+v", r.ByChannel["web"], web)
	}
	if len(r.ByChannel) != 3 {
		t.Errorf("channels = %v, want web, telegram and whatsapp", r.ByChannel)
	}
	if len(r.ByDay) != 2 || r.ByDay[0].Day != "2026-11-30" || r.ByDay[1].Day != "2026-12-01" {
		t.Fatalf("days = %+v, want 2026-11-30 then 2026-12-01", r.ByDay)
	}
	dec1 := r.ByDay[1]
	if dec1.Conversations != 3 || dec1.HandoffRate != 1 || dec1.DropOffRate != 1.0/3 || dec1.WaitSeconds != (Percentiles{N: 2, P50: 100, P90: 412}) {
		t.Errorf("2026-12-01 = %+v", dec1.Metrics)
	}
	if nov30 := r.ByDay[0]; nov30.Conversations != 4 || nov30.Containment != 0.25 {
		t.Errorf("2026-11-30 (the silent one created at 23:59:59 included) = %+v", nov30.Metrics)
	}
}

func TestComputeEmpty(t *testing.T) {
	r := Compute(nil)
	b, _ := json.Marshal(r)
	want := `{"conversations":0,"containment":0,"handoff_rate":0,"handoff_reasons":{},` +
		`"first_response_seconds":{"n":0,"p50":0,"p90":0},"wait_seconds":{"n":0,"p50":0,"p90":0},` +
		`"handle_seconds":{"n":0,"p50":0,"p90":0},"rating_avg":0,"rating_count":0,"drop_off_rate":0,"by_channel":{},"by_day":[]}`
	if string(b) != want {
		t.Errorf("empty report JSON\n got %s\nwant %s", b, want)
	}
}

func TestReportJSON(t *testing.T) {
	b, err := json.Marshal(Compute(handMade()))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"by_day":[{"day":"2026-11-30","conversations":4,`, `"by_channel":{"telegram":{"conversations":2,`,
		`"wait_seconds":{"n":3,"p50":300,"p90":412}`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("JSON lacks %s:\n%s", s, b)
		}
	}
}

func TestNearestRank(t *testing.T) {
	seconds := func(n int) []time.Duration {
		var ds []time.Duration
		for i := range n {
			ds = append(ds, time.Duration(i+1)*time.Second)
		}
		return ds
	}
	tests := []struct {
		n        int
		p50, p90 float64
	}{{1, 1, 1}, {2, 1, 2}, {10, 5, 9}, {11, 6, 10}, {20, 10, 18}, {100, 50, 90}, {101, 51, 91}}
	for _, tt := range tests {
		if got := percentiles(seconds(tt.n)); got.P50 != tt.p50 || got.P90 != tt.p90 {
			t.Errorf("1..%d: p50, p90 = %v, %v, want %v, %v", tt.n, got.P50, got.P90, tt.p50, tt.p90)
		}
	}
}

// TestGenerateCovers checks the generated history exercises every path its Want depends on,
// so the store tests built on it cannot pass vacuously.
func TestGenerateCovers(t *testing.T) {
	start := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	h := Generate(1, 600, start)
	w := h.Want
	if w.Conversations >= 600 || w.Conversations < 550 {
		t.Errorf("conversations in range = %d, want some of the 600 left out", w.Conversations)
	}
	if w.Containment <= 0 || w.Containment >= 1 || w.DropOffRate <= 0 || w.WaitSeconds.N == 0 || w.HandleSeconds.N == 0 ||
		w.RatingCount == 0 || len(w.HandoffReasons) != 4 || len(w.ByChannel) != 3 || len(w.ByDay) != GeneratedDays {
		t.Errorf("thin history: %+v", w.Metrics)
	}
	if again := Generate(1, 600, start); !reflect.DeepEqual(again, h) {
		t.Error("the same seed gave another history")
	}
}

// TestDropOffLeavesTheQueueOut: a conversation still in the queue has not dropped off; the rate
// is over the waits that ended.
func TestDropOffLeavesTheQueueOut(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	facts := []Facts{
		{CreatedAt: at, HandoffAt: at, HandoffReason: "low_confidence", Waiting: true},
		{CreatedAt: at, HandoffAt: at, HandoffReason: "low_confidence", DroppedOff: true},
		{CreatedAt: at, HandoffAt: at, HandoffReason: "low_confidence", AcceptedAt: at.Add(time.Minute)},
	}
	if got := Compute(facts).DropOffRate; got != 0.5 {
		t.Fatalf("drop-off rate = %v, want 0.5 (one of the two ended waits; the waiting one is neither)", got)
	}
}
