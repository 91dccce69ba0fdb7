package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"tandem/chat"
	"tandem/complaint"
)

// ComplaintStore is a Store that keeps complaint cases.
type ComplaintStore interface {
	Store
	complaint.Store
}

// RunComplaints runs the complaint-case suite; open returns a fresh, migrated, empty store.
func RunComplaints(t *testing.T, open func(t *testing.T) ComplaintStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s ComplaintStore)
	}{
		{"Numbers", testCaseNumbers},
		{"Update", testCaseUpdate},
		{"Lists", testCaseLists},
		{"ConcurrentNumbers", testCaseConcurrentNumbers},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

func newCase(t *testing.T, s ComplaintStore, convID string, at time.Time) complaint.Case {
	t.Helper()
	conv, err := s.Conversation(context.Background(), convID)
	if err != nil {
		conv = newConversation(t, s, convID)
	}
	c := complaint.Case{ID: "case-" + convID + at.Format("150405.000000"), CustomerID: conv.CustomerID, Channel: conv.Channel,
		Lang: "zh", Conversations: []string{convID}, Category: "general", Severity: "high", Status: complaint.Received,
		ReceivedAt: at, DueAt: at.AddDate(0, 0, 15), UpdatedAt: at}
	c, err = s.CreateCase(context.Background(), c, "TS-", complaint.Step{Kind: complaint.StepOpened, To: complaint.Received, Actor: "bot", At: at})
	must(t, err)
	return c
}

// testCaseNumbers: numbers count per day from 0001; a case is found by id or number with its
// conversations and first step.
func testCaseNumbers(t *testing.T, s ComplaintStore) {
	ctx := context.Background()
	a := newCase(t, s, "c1", t0)
	b := newCase(t, s, "c2", t0.Add(time.Hour))
	c := newCase(t, s, "c3", t0.AddDate(0, 0, 1))
	if a.Number != "TS-20261124-0001" || b.Number != "TS-20261124-0002" || c.Number != "TS-20261125-0001" {
		t.Fatalf("numbers = %s %s %s", a.Number, b.Number, c.Number)
	}
	for _, key := range []string{a.ID, a.Number} {
		got, err := s.Case(ctx, key)
		must(t, err)
		if got.Number != a.Number || !slices.Equal(got.Conversations, []string{"c1"}) || !got.ReceivedAt.Equal(t0) ||
			!got.DueAt.Equal(t0.AddDate(0, 0, 15)) || got.Severity != "high" || got.Lang != "zh" || got.DecidedAt != nil {
			t.Fatalf("Case(%s) = %+v", key, got)
		}
	}
	_, err := s.Case(ctx, "TS-20261124-0099")
	mustCode(t, err, chat.ENOTFOUND)
	steps, err := s.CaseSteps(ctx, a.ID)
	must(t, err)
	if len(steps) != 1 || steps[0].Kind != complaint.StepOpened || steps[0].Actor != "bot" || !steps[0].At.Equal(t0) {
		t.Fatalf("steps = %+v", steps)
	}
}

// testCaseUpdate: an update stores every field and its step; a stale one is a conflict;
// linking a conversation twice links it once.
func testCaseUpdate(t *testing.T, s ComplaintStore) {
	ctx := context.Background()
	c := newCase(t, s, "c1", t0)
	prev := c.UpdatedAt
	at := t0.Add(48 * time.Hour)
	c.Status, c.Owner, c.Decision, c.DecidedAt, c.UpdatedAt, c.Extension = complaint.Resolved, "amy", "refund", &at, at, 1
	c.DueAt = t0.AddDate(0, 0, 30)
	must(t, s.UpdateCase(ctx, c, prev, complaint.Step{Kind: complaint.StepStatus, From: complaint.Received, To: complaint.Resolved, Actor: "amy", Note: "refund", At: at}))
	mustCode(t, s.UpdateCase(ctx, c, prev, complaint.Step{Kind: complaint.StepStatus, Actor: "bob", At: at}), chat.ECONFLICT)
	got, err := s.Case(ctx, c.ID)
	must(t, err)
	if got.Status != complaint.Resolved || got.Owner != "amy" || got.Decision != "refund" || got.DecidedAt == nil || !got.DecidedAt.Equal(at) ||
		got.Extension != 1 || !got.DueAt.Equal(t0.AddDate(0, 0, 30)) || got.ClosedAt != nil {
		t.Fatalf("after update: %+v", got)
	}
	newConversation(t, s, "c9")
	must(t, s.LinkConversation(ctx, c.ID, "c9", at))
	must(t, s.LinkConversation(ctx, c.ID, "c9", at))
	got, err = s.Case(ctx, c.ID)
	must(t, err)
	if !slices.Equal(got.Conversations, []string{"c1", "c9"}) {
		t.Fatalf("conversations = %v", got.Conversations)
	}
	steps, err := s.CaseSteps(ctx, c.ID)
	must(t, err)
	kinds := []string{}
	for _, st := range steps {
		kinds = append(kinds, st.Kind)
	}
	if !slices.Equal(kinds, []string{complaint.StepOpened, complaint.StepStatus, complaint.StepLinked}) || steps[1].From != complaint.Received ||
		steps[1].To != complaint.Resolved || steps[1].Actor != "amy" || !steps[1].At.Equal(at) {
		t.Fatalf("steps = %+v", steps)
	}
	byConv, err := s.ConversationCase(ctx, "c9")
	must(t, err)
	if byConv.ID != c.ID {
		t.Fatalf("ConversationCase = %s", byConv.ID)
	}
	_, err = s.ConversationCase(ctx, "nope")
	mustCode(t, err, chat.ENOTFOUND)
}

// testCaseLists: open cases come due soonest first without closed ones; received cases are
// those of the period; a customer's cases newest first.
func testCaseLists(t *testing.T, s ComplaintStore) {
	ctx := context.Background()
	a := newCase(t, s, "c1", t0)
	b := newCase(t, s, "c2", t0.Add(-24*time.Hour))
	c := newCase(t, s, "c3", t0.Add(time.Hour))
	prev := c.UpdatedAt
	at := t0.Add(2 * time.Hour)
	c.Status, c.ClosedAt, c.UpdatedAt = complaint.Closed, &at, at
	must(t, s.UpdateCase(ctx, c, prev, complaint.Step{Kind: complaint.StepStatus, To: complaint.Closed, Actor: "amy", At: at}))
	open, err := s.OpenCases(ctx, 10)
	must(t, err)
	if len(open) != 2 || open[0].ID != b.ID || open[1].ID != a.ID {
		t.Fatalf("open = %v", caseNumbers(open))
	}
	got, err := s.ReceivedCases(ctx, t0, t0.Add(24*time.Hour))
	must(t, err)
	if len(got) != 2 || got[0].ID != a.ID || got[1].ID != c.ID {
		t.Fatalf("received = %v", caseNumbers(got))
	}
	// c1's customer opens a second case in another conversation of theirs.
	conv, err := s.Conversation(ctx, "c1")
	must(t, err)
	must(t, s.CreateConversation(ctx, chat.Conversation{ID: "c1b", CustomerID: conv.CustomerID, Channel: "api", Owner: chat.OwnerBot, CreatedAt: t0, UpdatedAt: t0}))
	later := newCase(t, s, "c1b", t0.Add(3*time.Hour))
	mine, err := s.CustomerCases(ctx, conv.CustomerID)
	must(t, err)
	if len(mine) != 2 || mine[0].ID != later.ID || mine[1].ID != a.ID {
		t.Fatalf("customer cases = %v", caseNumbers(mine))
	}
}

// testCaseConcurrentNumbers: cases opened at once on one day get distinct numbers.
func testCaseConcurrentNumbers(t *testing.T, s ComplaintStore) {
	const n = 8
	for i := range n {
		newConversation(t, s, fmt.Sprintf("k%d", i))
	}
	var wg sync.WaitGroup
	nums := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprintf("k%d", i)
			c, err := s.CreateCase(context.Background(), complaint.Case{ID: "case-" + id, CustomerID: "cu-" + id, Channel: "api",
				Conversations: []string{id}, Category: "general", Severity: "normal", Status: complaint.Received, ReceivedAt: t0,
				DueAt: t0.AddDate(0, 0, 15), UpdatedAt: t0}, "TS-", complaint.Step{Kind: complaint.StepOpened, Actor: "api", At: t0})
			nums[i], errs[i] = c.Number, err
		})
	}
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	slices.Sort(nums)
	if len(slices.Compact(nums)) != n || nums[n-1] != fmt.Sprintf("TS-20261124-%04d", n) {
		t.Fatalf("numbers = %v", nums)
	}
}

func caseNumbers(cs []complaint.Case) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Number)
	}
	return out
}
