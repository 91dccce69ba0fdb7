package storetest

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"tandem/chat"
	"tandem/complaint"
	"tandem/followup"
)

// CustomerStore is a Store that also exports and erases a customer's personal data.
type CustomerStore interface {
	Store
	complaint.Store
	followup.Store
	CustomerByExternal(ctx context.Context, channel, externalID string) (chat.Customer, error)
	CustomerData(ctx context.Context, customerID string) (chat.CustomerExport, error)
	EraseCustomer(ctx context.Context, customerID string, at time.Time) (chat.EraseReport, error)
}

// Tables reads every row of every table of a store as text, by table name, so a test can look
// for traces of an erased customer in tables no store method reads.
type Tables func(ctx context.Context) (map[string][]string, error)

// RunCustomers runs the personal-data suite; open returns a fresh, migrated, empty store and
// its Tables.
func RunCustomers(t *testing.T, open func(t *testing.T) (CustomerStore, Tables)) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s CustomerStore, tables Tables)
	}{
		{"ExportErase", testCustomerExportErase},
		{"Unknown", testCustomerUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, tables := open(t)
			tt.fn(t, s, tables)
		})
	}
}

// seedCustomer stores a web customer known as id:<name> with two conversations and a record in
// every table that holds customer data; every id and text carries name. It returns the
// customer's id.
func seedCustomer(t *testing.T, s CustomerStore, name string, at time.Time) string {
	t.Helper()
	ctx := context.Background()
	cu, err := s.UpsertCustomer(ctx, chat.Customer{ID: "cu-" + name, Channel: "web", ExternalID: "id:" + name, Name: name + " Smith",
		Attrs: map[string]string{"email": name + "@example.com"}, CreatedAt: at})
	must(t, err)
	c1, c2 := "conv-"+name+"-1", "conv-"+name+"-2"
	for _, id := range []string{c1, c2} {
		must(t, s.CreateConversation(ctx, chat.Conversation{ID: id, CustomerID: cu.ID, Channel: "web", Owner: chat.OwnerBot, CreatedAt: at, UpdatedAt: at}))
	}
	in, _, err := s.AddInbound(ctx, chat.Message{ConversationID: c1, Author: chat.AuthorCustomer, Text: name + ": my parcel never came",
		Channel: "web", ExternalID: name + "-m1", CreatedAt: at})
	must(t, err)
	bot, err := s.AddMessage(ctx, chat.Message{ConversationID: c1, Author: chat.AuthorBot, Text: "Sorry " + name + ", a person will help",
		Channel: "telegram", CreatedAt: at.Add(time.Second)}, true)
	must(t, err)
	sent, err := s.ClaimOutbox(ctx, at.Add(time.Hour), 10, time.Minute)
	must(t, err)
	for _, it := range sent { // delivered, with the platform's id of what went out
		must(t, s.MarkDelivered(ctx, it.ID, at.Add(time.Hour), "ref-"+name))
	}
	must(t, s.SetOwner(ctx, chat.Transition{ConversationID: c1, From: chat.OwnerBot, To: chat.OwnerWaiting, Actor: "bot", Reason: "low_confidence", At: at}))
	must(t, s.SetOwner(ctx, chat.Transition{ConversationID: c1, From: chat.OwnerWaiting, To: chat.OwnerHuman, Actor: "amy", Assignee: "amy", At: at}))
	_, err = s.AddDraft(ctx, chat.Draft{ConversationID: c1, MessageID: in.ID, Text: "draft for " + name, Confidence: 0.4, CreatedAt: at})
	must(t, err)
	_, err = s.AddNote(ctx, chat.Note{ConversationID: c1, Author: "amy", Text: name + " is a regular", CreatedAt: at})
	must(t, err)
	must(t, s.PutFeedback(ctx, c1, bot.ID, false, at))
	_, err = s.AddReview(ctx, chat.ReviewItem{Reason: chat.ReviewHandoff, ConversationID: c1, MessageID: in.ID, Channel: "web",
		Text: in.Text, BotAnswer: bot.Text, CreatedAt: at}, "handoff:"+c1)
	must(t, err)
	_, _, err = s.AddInbound(ctx, chat.Message{ConversationID: c2, Author: chat.AuthorCustomer, Text: name + " again", Channel: "web", CreatedAt: at})
	must(t, err)
	must(t, s.AddRating(ctx, chat.Rating{ConversationID: c2, Score: 2, Comment: name + " waited too long", CreatedAt: at}))
	seedCare(t, s, name, cu.ID, c1, c2, at)
	body, _ := json.Marshal(map[string]any{"id": "review-" + name, "text": in.Text, "tags": []string{chat.ConversationTag(c1)}})
	_, err = s.PutEvalCases(ctx, "support", []chat.EvalRecord{{ID: "review-" + name, Body: body}}, false, at)
	must(t, err)
	return cu.ID
}

// seedCare stores a complaint case on the first conversation with two steps, a consent granted
// and withdrawn, and a follow-up scheduled on the second conversation.
func seedCare(t *testing.T, s CustomerStore, name, customerID, c1, c2 string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	c, err := s.CreateCase(ctx, complaint.Case{ID: "case-" + name, CustomerID: customerID, Channel: "web", Lang: "en", Conversations: []string{c1},
		Category: "service", Severity: "high", Status: complaint.Received, Summary: name + " complains the parcel never came",
		ReceivedAt: at, DueAt: at.AddDate(0, 0, 15), UpdatedAt: at}, "TS-", complaint.Step{Kind: complaint.StepOpened, To: complaint.Received, Actor: "bot", At: at})
	must(t, err)
	prev := c.UpdatedAt
	c.Status, c.UpdatedAt = complaint.Acknowledged, at.Add(time.Minute)
	must(t, s.UpdateCase(ctx, c, prev, complaint.Step{CaseID: c.ID, Kind: complaint.StepStatus, From: complaint.Received, To: complaint.Acknowledged,
		Actor: "amy", Note: "called " + name, At: at.Add(time.Minute)}))
	must(t, s.AddConsent(ctx, followup.Consent{CustomerID: customerID, Channel: "web", Purpose: followup.PurposeFollowUp, Granted: true,
		Text: "May we check in with you, " + name + "?", Source: "api", At: at}))
	must(t, s.AddConsent(ctx, followup.Consent{CustomerID: customerID, Channel: "web", Purpose: followup.PurposeFollowUp,
		Source: "opt_out_word", Evidence: "STOP", At: at.Add(time.Hour)}))
	must(t, s.CreateFollowUp(ctx, followup.FollowUp{ID: "fu-" + name, CustomerID: customerID, ConversationID: c2, Channel: "web",
		Kind: "satisfaction", Text: "How did we do, " + name + "?", DueAt: at.Add(24 * time.Hour), Status: followup.StatusScheduled,
		CreatedBy: "amy", CreatedAt: at}))
}

// testCustomerExportErase: a customer's export holds all of their data and nobody else's;
// erasing them leaves no trace of them in any table and every other row as it was.
func testCustomerExportErase(t *testing.T, s CustomerStore, tables Tables) {
	ctx := context.Background()
	bob := seedCustomer(t, s, "bob", t0)
	before, err := tables(ctx)
	must(t, err)
	if len(before) < 15 || len(before["messages"]) != 3 || len(before["outbox"]) != 1 {
		t.Fatalf("Tables read %d tables, %d messages, %d outbox items; want every table", len(before), len(before["messages"]), len(before["outbox"]))
	}
	bobBefore, err := s.CustomerData(ctx, bob)
	must(t, err)
	alice := seedCustomer(t, s, "alice", t0.Add(time.Hour))
	// A run scoring both customers' cases: alice's result goes, the run and bob's result stay.
	results := []chat.EvalRecord{{ID: "review-bob", Body: json.RawMessage(`{"text":"answer for bob"}`)},
		{ID: "review-alice", Body: json.RawMessage(`{"text":"answer for alice"}`)}}
	must(t, s.PutEvalRun(ctx, chat.EvalRun{ID: "run-after", Set: "support", Metrics: json.RawMessage(`{}`), CreatedAt: t0}, results))

	x, err := s.CustomerData(ctx, alice)
	must(t, err)
	checkExport(t, x)

	r, err := s.EraseCustomer(ctx, alice, t0.Add(2*time.Hour))
	must(t, err)
	want := map[string]int64{"customers": 1, "conversations": 2, "messages": 3, "transitions": 2, "outbox": 1, "outbox_refs": 1, "drafts": 1, "notes": 1,
		"ratings": 1, "feedback": 1, "review_items": 1, "eval_cases": 1, "eval_results": 1,
		"action_proposals": 0, "action_calls": 0, // bot actions: RunActions checks they are erased
		"complaint_cases": 1, "complaint_steps": 2, "complaint_conversations": 1, "consents": 2, "followups": 1}
	if !maps.Equal(r.Rows, want) || r.CustomerID != alice || !r.ErasedAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("erase report = %+v, want rows %v", r, want)
	}

	after, err := tables(ctx)
	must(t, err)
	for table, rows := range after {
		for _, row := range rows {
			if strings.Contains(strings.ToLower(row), "alice") {
				t.Errorf("%s still holds %s", table, row)
			}
		}
		kept := slices.DeleteFunc(slices.Clone(rows), func(row string) bool { return strings.Contains(row, "run-after") })
		if !slices.Equal(sorted(kept), sorted(before[table])) {
			t.Errorf("%s changed for the customer who stays:\nbefore %q\nafter  %q", table, before[table], kept)
		}
	}
	if !slices.ContainsFunc(after["eval_results"], func(row string) bool { return strings.Contains(row, "answer for bob") }) {
		t.Error("bob's eval result was erased with alice's")
	}
	bobAfter, err := s.CustomerData(ctx, bob)
	must(t, err)
	if b1, b2 := jsonOf(t, bobBefore), jsonOf(t, bobAfter); b1 != b2 {
		t.Fatalf("bob's export changed:\nbefore %s\nafter  %s", b1, b2)
	}
	_, err = s.CustomerData(ctx, alice)
	mustCode(t, err, chat.ENOTFOUND)
	_, err = s.CustomerByExternal(ctx, "web", "id:alice")
	mustCode(t, err, chat.ENOTFOUND)
}

// checkExport checks that alice's export (from seedCustomer) holds each of her records and
// nothing of bob's.
func checkExport(t *testing.T, x chat.CustomerExport) {
	t.Helper()
	if x.Customer.ExternalID != "id:alice" || x.Customer.Attrs["email"] != "alice@example.com" || len(x.Conversations) != 2 {
		t.Fatalf("export: customer %+v with %d conversations, want alice with 2", x.Customer, len(x.Conversations))
	}
	c1, c2 := x.Conversations[0], x.Conversations[1]
	counts := []int{len(c1.Messages), len(c1.Transitions), len(c1.Deliveries), len(c1.Drafts), len(c1.Notes), len(c1.Feedback),
		len(c1.ReviewItems), len(c2.Messages), len(c2.Ratings), len(x.EvalCases)}
	if !slices.Equal(counts, []int{2, 2, 1, 1, 1, 1, 1, 1, 1, 1}) {
		t.Fatalf("export counts (messages, transitions, deliveries, drafts, notes, feedback, review items; messages, ratings; eval cases) = %v", counts)
	}
	if c1.Conversation.ID != "conv-alice-1" || c1.Messages[0].Text != "alice: my parcel never came" || c1.Notes[0].Text != "alice is a regular" ||
		c1.Deliveries[0].MessageID != c1.Messages[1].ID || c1.Feedback[0].Helpful || c2.Ratings[0].Comment != "alice waited too long" ||
		x.EvalCases[0].Set != "support" || x.EvalCases[0].ID != "review-alice" {
		t.Fatalf("export = %s", jsonOf(t, x))
	}
	checkCareExport(t, x)
	if s := jsonOf(t, x); strings.Contains(s, "bob") {
		t.Fatalf("alice's export holds bob's data: %s", s)
	}
}

// checkCareExport checks alice's complaint case, consent ledger and follow-up in her export.
func checkCareExport(t *testing.T, x chat.CustomerExport) {
	t.Helper()
	if len(x.Complaints) != 1 || len(x.Complaints[0].Steps) != 2 || len(x.Consents) != 2 || len(x.FollowUps) != 1 {
		t.Fatalf("export: %d complaints, %d consents, %d follow-ups; want 1 case with 2 steps, 2 consents, 1 follow-up: %s",
			len(x.Complaints), len(x.Consents), len(x.FollowUps), jsonOf(t, x))
	}
	var c complaint.Case
	var st complaint.Step
	var withdrawn followup.Consent
	var f followup.FollowUp
	must(t, json.Unmarshal(x.Complaints[0].Case, &c))
	must(t, json.Unmarshal(x.Complaints[0].Steps[1], &st))
	must(t, json.Unmarshal(x.Consents[1], &withdrawn))
	must(t, json.Unmarshal(x.FollowUps[0], &f))
	if c.ID != "case-alice" || c.Status != complaint.Acknowledged || !slices.Equal(c.Conversations, []string{"conv-alice-1"}) ||
		st.To != complaint.Acknowledged || st.Note != "called alice" || withdrawn.Granted || withdrawn.Evidence != "STOP" ||
		f.ID != "fu-alice" || f.ConversationID != "conv-alice-2" {
		t.Fatalf("care export = case %+v, step %+v, consent %+v, follow-up %+v", c, st, withdrawn, f)
	}
	if rows := x.Rows(); rows["complaint_steps"] != 2 || rows["complaint_conversations"] != 1 || rows["consents"] != 2 {
		t.Errorf("export rows = %v", rows)
	}
}

// testCustomerUnknown: every lookup of a customer who does not exist is not_found.
func testCustomerUnknown(t *testing.T, s CustomerStore, _ Tables) {
	ctx := context.Background()
	_, err := s.CustomerData(ctx, "nobody")
	mustCode(t, err, chat.ENOTFOUND)
	_, err = s.EraseCustomer(ctx, "nobody", t0)
	mustCode(t, err, chat.ENOTFOUND)
	_, err = s.CustomerByExternal(ctx, "web", "id:nobody")
	mustCode(t, err, chat.ENOTFOUND)
	seedCustomer(t, s, "carol", t0)
	c, err := s.CustomerByExternal(ctx, "web", "id:carol")
	must(t, err)
	if c.ID != "cu-carol" || c.Name != "carol Smith" {
		t.Fatalf("CustomerByExternal = %+v", c)
	}
	_, err = s.CustomerByExternal(ctx, "telegram", "id:carol")
	mustCode(t, err, chat.ENOTFOUND)
}

func sorted(rows []string) []string {
	out := slices.Clone(rows)
	slices.Sort(out)
	return out
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	must(t, err)
	return string(b)
}
