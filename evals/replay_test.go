package evals

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"tandem/action"
	"tandem/chat"
	"tandem/demo"
	"tandem/intent"
	"tandem/sqlite/sqlitetest"
)

// demoRouter is the demo's intents routed with the demo articles' titles as out of scope.
func demoRouter(t *testing.T) (*intent.Live, []chat.Intent) {
	t.Helper()
	ins, err := intent.ParseJSONL(bytes.NewReader(demo.Intents), t0)
	if err != nil {
		t.Fatal(err)
	}
	_, docs := demoKB(t)
	var titles []string
	for _, d := range docs {
		titles = append(titles, d.Title)
	}
	r, err := intent.NewRouter(ins, titles)
	if err != nil {
		t.Fatal(err)
	}
	live := &intent.Live{}
	live.Set(r)
	return live, ins
}

// TestReplay: a set replays through the evaluator into a stored run; the next run compares with
// it, and the stored run reads back with its report.
func TestReplay(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.Open(t)
	live, ins := demoRouter(t)
	var cases []Case
	for _, in := range ins {
		cases = append(cases, Case{ID: in.Name, Text: in.Examples[0], ExpectedIntent: in.Name})
	}
	if _, err := PutCases(ctx, st, "intents", cases, false, t0); err != nil {
		t.Fatal(err)
	}
	built := 0
	var notes bytes.Buffer
	p := &Replayer{Store: st, Notes: &notes, Now: func() time.Time { return t0 }, Evaluator: func(context.Context) (*Evaluator, error) {
		built++
		return &Evaluator{Intents: live, Target: 0.8, Config: map[string]string{"llm": "none"}}, nil
	}}
	if _, err := p.Replay(ctx, "missing", "latest", 0, nil); err == nil || built != 0 {
		t.Fatalf("a set without cases: err %v, evaluator built %d times; want an error before the evaluator", err, built)
	}
	first, err := p.Replay(ctx, "intents", "latest", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Base != nil || !strings.Contains(notes.String(), "set intents has no runs yet") {
		t.Errorf("first run: baseline %v, notes %q", first.Base, notes.String())
	}
	if first.Metrics.Cases != len(cases) || first.Metrics.Target != 0.8 || first.Run.Config["llm"] != "none" || !first.Run.CreatedAt.Equal(t0) {
		t.Errorf("first run = %+v, metrics %+v", first.Run, first.Metrics)
	}
	if first.Metrics.IntentAccuracy < 0.8 {
		t.Errorf("intent accuracy %.3f on the intents' own examples", first.Metrics.IntentAccuracy)
	}
	second, err := p.Replay(ctx, "intents", "latest", 0.9, func(done, total int) {})
	if err != nil {
		t.Fatal(err)
	}
	if second.Base == nil || second.Base.ID != first.Run.ID || second.Regressions != 0 || second.Metrics.Target != 0.9 {
		t.Fatalf("second run: baseline %v, %d regressions, target %v", second.Base, second.Regressions, second.Metrics.Target)
	}
	s := second.Summary()
	if s.Baseline != first.Run.ID || s.Run != second.Run.ID || s.Set != "intents" {
		t.Errorf("summary = %+v", s)
	}
	var text bytes.Buffer
	s.WriteText(&text)
	if !strings.Contains(text.String(), "against "+first.Run.ID+": 0 regressions") {
		t.Errorf("summary text:\n%s", text.String())
	}
	stored, err := LoadSetRun(ctx, st, second.Run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Metrics.Accuracy != second.Metrics.Accuracy || stored.Metrics.Cases != len(cases) || stored.Base == nil || len(stored.Cases) != len(cases) || len(stored.Results) != len(cases) {
		t.Fatalf("stored run: metrics %+v, baseline %v, %d cases, %d results", stored.Metrics, stored.Base, len(stored.Cases), len(stored.Results))
	}
	var page bytes.Buffer
	if err := stored.WriteReport(&page); err != nil || !strings.Contains(page.String(), "Eval run "+second.Run.ID) {
		t.Errorf("report: %v", err)
	}
}

// turner answers every turn with one reply.
type turner chat.Reply

func (r turner) Turn(context.Context, chat.Conversation, []chat.Message, string, func(string)) (chat.Reply, error) {
	return chat.Reply(r), nil
}

// noActions is a store without actions.
type noActions struct{}

func (noActions) Action(context.Context, string) (action.Definition, error) {
	return action.Definition{}, errors.New("no such action")
}
func (noActions) Actions(context.Context) ([]action.Definition, error) { return nil, nil }

// TestEvaluatorTurn: an intent-only case is the router's decision; any other is the bot's turn,
// graded by the judge when the case has an expected answer.
func TestEvaluatorTurn(t *testing.T) {
	ctx := context.Background()
	live, ins := demoRouter(t)
	reply := turner{Text: "Deductibles are what you pay first.", Decision: chat.DecisionAnswer, Confidence: 0.8, Sources: []chat.Source{{ID: "k1"}}}
	judged := 0
	ev := &Evaluator{Rehearsal: &Rehearsal{Next: reply, Defs: noActions{}}, Intents: live, Judge: func(ctx context.Context, q, ref, answer string) (bool, error) {
		judged++
		return answer == reply.Text, nil
	}}
	in := ins[0]
	o, err := ev.Turn(ctx, Case{ID: "i", Text: in.Examples[0], ExpectedIntent: in.Name})
	if err != nil || o.Intent != in.Name || o.Decision != string(chat.DecisionAnswer) || judged != 0 {
		t.Fatalf("intent case = %+v, %v (judged %d)", o, err, judged)
	}
	o, err = ev.Turn(ctx, Case{ID: "k", Text: "what is a deductible", ExpectedAnswer: "the part you pay", ExpectedSources: []string{"k1"}})
	if err != nil || o.Text != reply.Text || len(o.Sources) != 1 || o.Sources[0] != "k1" || o.Agrees == nil || !*o.Agrees {
		t.Fatalf("knowledge case = %+v, %v", o, err)
	}
	ev.Judge = func(context.Context, string, string, string) (bool, error) { return false, errors.New("down") }
	if _, err := ev.Turn(ctx, Case{ID: "k", Text: "x", ExpectedAnswer: "y"}); err == nil || !strings.Contains(err.Error(), "judge: down") {
		t.Errorf("a failing judge: %v", err)
	}
	if IntentOnly(Case{ExpectedIntent: "pay", ExpectedAction: "next_premium"}) || !IntentOnly(Case{ExpectedIntent: "pay"}) {
		t.Error("IntentOnly")
	}
}
