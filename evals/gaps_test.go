package evals

import (
	"testing"
	"time"
)

func TestGaps(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	qs := []HandedOff{
		{Text: "Is hail damage to my greenhouse covered?", Answer: "Yes, as storm damage.", At: t0},
		{Text: "greenhouse hail damage covered?", Answer: "Yes, as storm damage.", At: t0.Add(24 * time.Hour)},
		{Text: "Does my policy cover hail damage to a greenhouse", At: t0.Add(48 * time.Hour)},
		{Text: "温室被冰雹砸坏能赔吗", At: t0.Add(72 * time.Hour)},
		{Text: "温室冰雹损坏赔吗", At: t0.Add(96 * time.Hour)},
		{Text: "Can I pay by bitcoin?", At: t0.Add(time.Hour)},
	}
	first := Gaps(qs, nil, t0.Add(10*24*time.Hour))
	if len(first) != 3 || first[0].Size != 3 || first[0].Title != "Is hail damage to my greenhouse covered?" ||
		len(first[0].Answers) != 1 || first[0].Article != "Yes, as storm damage." || first[0].ArticleAt != nil {
		t.Fatalf("gaps = %+v", first)
	}
	if first[1].Size != 2 || first[2].Size != 1 {
		t.Fatalf("the Chinese pair and the lone question: %+v", first[1:])
	}
	// An article written a day and a half in: two handoffs before it, one in the 8.5 days after.
	at := t0.Add(36 * time.Hour)
	g := Gaps(qs, map[string]time.Time{first[0].ArticleID: at}, t0.Add(10*24*time.Hour))[0]
	if g.ArticleAt == nil || g.Before != 2 || g.After != 1 || g.RateBefore != round(2/1.5) || g.RateAfter != round(1/8.5) {
		t.Fatalf("before/after = %+v", g)
	}
}
