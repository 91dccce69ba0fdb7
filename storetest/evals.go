package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"tandem/chat"
)

func testReviews(t *testing.T, s Store) {
	ctx := context.Background()
	newConversation(t, s, "r1")
	item := chat.ReviewItem{Reason: chat.ReviewHandoff, ConversationID: "r1", MessageID: 3, Channel: "web", Text: "refund?",
		BotAnswer: "A person will help", Confidence: 0.3, Sources: []chat.Source{{ID: "refunds", Title: "Refunds"}}, CreatedAt: t0,
		HandoffReason: "low_confidence"}
	ok, err := s.AddReview(ctx, item, "handoff:r1:3")
	must(t, err)
	again, err := s.AddReview(ctx, item, "handoff:r1:3")
	must(t, err)
	if !ok || again {
		t.Fatalf("AddReview = %v then %v, want a new item then a duplicate", ok, again)
	}
	edited := item
	edited.Reason, edited.CreatedAt = chat.ReviewEdited, t0.Add(time.Minute)
	_, err = s.AddReview(ctx, edited, "edited:r1:3")
	must(t, err)
	asked := item // "talk to a person": the agent's reply answers what comes next, not this
	asked.MessageID, asked.Text, asked.HandoffReason = 1, "talk to a person", "customer_request"
	_, err = s.AddReview(ctx, asked, "handoff:r1:1")
	must(t, err)
	must(t, s.SetReviewAnswer(ctx, "r1", "Refunds take 5 days."))
	if byID := mustReview(t, s, "talk to a person"); byID.Answer != "" {
		t.Fatalf("a requested handoff got the agent's answer %q", byID.Answer)
	}
	_, err = s.SetReviewStatus(ctx, []int64{mustReview(t, s, "talk to a person").ID}, chat.ReviewDismissed)
	must(t, err)
	all, err := s.Reviews(ctx, chat.ReviewFilter{Status: chat.ReviewOpen})
	must(t, err)
	if len(all) != 2 || all[0].Reason != chat.ReviewEdited || all[1].Answer != "Refunds take 5 days." || all[1].Status != chat.ReviewOpen ||
		len(all[1].Sources) != 1 || !all[1].CreatedAt.Equal(t0) || all[1].HandoffReason != "low_confidence" {
		t.Fatalf("reviews = %+v (newest first, answer on the handoff)", all)
	}
	if all[0].Answer != "" {
		t.Fatal("the agent's answer is recorded on handoff candidates only")
	}
	handoffs, err := s.Reviews(ctx, chat.ReviewFilter{Reason: chat.ReviewHandoff, Channel: "web", Status: chat.ReviewOpen, From: t0, To: t0.Add(time.Second)})
	must(t, err)
	if len(handoffs) != 1 {
		t.Fatalf("filtered = %+v", handoffs)
	}
	n, err := s.SetReviewStatus(ctx, []int64{all[0].ID, all[1].ID, 999}, chat.ReviewDismissed)
	must(t, err)
	open, _ := s.Reviews(ctx, chat.ReviewFilter{Status: chat.ReviewOpen})
	if n != 2 || len(open) != 0 {
		t.Fatalf("dismissed %d, open %d; want 2 and 0", n, len(open))
	}
	_, err = s.Review(ctx, 999)
	mustCode(t, err, chat.ENOTFOUND)
}

func testEvalSets(t *testing.T, s Store) {
	ctx := context.Background()
	rec := func(id, text string) chat.EvalRecord {
		b, _ := json.Marshal(map[string]string{"id": id, "text": text})
		return chat.EvalRecord{ID: id, Body: b}
	}
	n, err := s.PutEvalCases(ctx, "smoke", []chat.EvalRecord{rec("a", "one"), rec("b", "two")}, false, t0)
	must(t, err)
	n2, err := s.PutEvalCases(ctx, "smoke", []chat.EvalRecord{rec("b", "two, fixed"), rec("c", "three")}, false, t0)
	must(t, err)
	if n != 2 || n2 != 3 {
		t.Fatalf("set sizes %d, %d; want 2, 3", n, n2)
	}
	cases, err := s.EvalCases(ctx, "smoke")
	must(t, err)
	var b map[string]string
	json.Unmarshal(cases[1].Body, &b)
	if len(cases) != 3 || cases[0].ID != "a" || cases[1].ID != "b" || b["text"] != "two, fixed" || cases[2].ID != "c" {
		t.Fatalf("cases = %+v", cases)
	}
	_, err = s.EvalCases(ctx, "nope")
	mustCode(t, err, chat.ENOTFOUND)
	sets, err := s.EvalSets(ctx)
	must(t, err)
	if len(sets) != 1 || sets[0].Name != "smoke" || sets[0].Cases != 3 {
		t.Fatalf("sets = %+v", sets)
	}
	for i := range 2 {
		run := chat.EvalRun{ID: fmt.Sprintf("run-%d", i), Set: "smoke", Config: map[string]string{"target": "0.8"},
			Metrics: json.RawMessage(`{"accuracy":0.5}`), CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
		must(t, s.PutEvalRun(ctx, run, []chat.EvalRecord{rec("a", "ok"), rec("c", "wrong")}))
	}
	runs, err := s.EvalRuns(ctx, "smoke", 10)
	must(t, err)
	if len(runs) != 2 || runs[0].ID != "run-1" || runs[0].Config["target"] != "0.8" {
		t.Fatalf("runs = %+v", runs)
	}
	run, results, err := s.EvalRun(ctx, "run-0")
	must(t, err)
	var m map[string]float64
	json.Unmarshal(run.Metrics, &m)
	if m["accuracy"] != 0.5 || len(results) != 2 || results[1].ID != "c" || !run.CreatedAt.Equal(t0) {
		t.Fatalf("run = %+v %+v", run, results)
	}
	_, _, err = s.EvalRun(ctx, "nope")
	mustCode(t, err, chat.ENOTFOUND)
	n3, err := s.PutEvalCases(ctx, "smoke", []chat.EvalRecord{rec("z", "only")}, true, t0)
	must(t, err)
	if n3 != 1 {
		t.Fatalf("replaced set has %d cases, want 1", n3)
	}
	must(t, s.DeleteEvalSet(ctx, "smoke"))
	mustCode(t, s.DeleteEvalSet(ctx, "smoke"), chat.ENOTFOUND)
}

// mustReview returns the review item about text.
func mustReview(t *testing.T, s Store, text string) chat.ReviewItem {
	t.Helper()
	all, err := s.Reviews(context.Background(), chat.ReviewFilter{})
	must(t, err)
	for _, it := range all {
		if it.Text == text {
			return it
		}
	}
	t.Fatalf("no review item about %q", text)
	return chat.ReviewItem{}
}
