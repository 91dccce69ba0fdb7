package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tandem/analytics"
	"tandem/chat"
	"tandem/config"
	"tandem/evals"
	"tandem/httpapi"
)

// newTrainer wires the trainer API to the store; the console's Run button replays a set as
// `tandem eval run --set NAME --baseline latest` does.
func newTrainer(cfg config.Config, st store, threshold func() float64, log *slog.Logger) *httpapi.Trainer {
	run := func(ctx context.Context, set string, progress func(done, total int)) (string, error) {
		r, err := runSet(ctx, cfg, st, set, "latest", 0, io.Discard, progress)
		return r.run.ID, err
	}
	return &httpapi.Trainer{
		Store: st,
		Runs:  &httpapi.RunJobs{Run: run, Log: log},
		Accept: func(ctx context.Context, set string, labels []httpapi.CaseLabel) (int, error) {
			return accept(ctx, st, set, labels)
		},
		Cases:  func(ctx context.Context, set string) (any, error) { return loadCases(ctx, st, set) },
		Report: func(ctx context.Context, w http.ResponseWriter, id string) error { return runReport(ctx, st, w, id) },
		Analytics: func(ctx context.Context, from, to time.Time) (any, error) {
			return analytics.Load(ctx, st, from, to)
		},
		Gaps:        func(ctx context.Context, from, to time.Time) (any, error) { return gaps(ctx, st, from, to) },
		IntentStats: func(ctx context.Context, set string) (any, error) { return intentStats(ctx, st, set) },
		PreviewIntents: func(ctx context.Context, set string, ins []chat.Intent) (any, error) {
			return previewIntents(ctx, st, set, ins)
		},
		Confidence: func(ctx context.Context, from, to time.Time) (any, error) {
			js, err := st.Judgements(ctx, from, to)
			if err != nil {
				return nil, err
			}
			return map[string]any{"threshold": threshold(), "weeks": analytics.Confidence(js, threshold())}, nil
		},
	}
}

// accept turns review candidates into eval cases with the trainer's labels and marks them
// accepted. By default a handoff the customer asked for (or an intent's policy made) expects a
// handoff; another handoff or an edit with the agent's answer expects that answer.
func accept(ctx context.Context, st store, set string, labels []httpapi.CaseLabel) (int, error) {
	if validSetName(set) != nil {
		return 0, chat.Errorf(chat.EINVALID, "set names an eval set: 1–100 characters, no spaces or slashes")
	}
	cases := make([]evals.Case, 0, len(labels))
	ids := make([]int64, 0, len(labels))
	for _, l := range labels {
		it, err := st.Review(ctx, l.ReviewID)
		if err != nil {
			return 0, err
		}
		c := evals.Case{ID: "review-" + itoa(it.ID), Text: it.Text, Context: caseContext(ctx, st, it), Source: "review:" + it.Reason, ExpectedIntent: l.ExpectedIntent,
			ExpectedDecision: l.ExpectedDecision, ExpectedAnswer: l.ExpectedAnswer, ExpectedSources: l.ExpectedSources,
			Tags: []string{"channel:" + it.Channel, chat.ConversationTag(it.ConversationID)}}
		if c.ExpectedDecision == "" && evals.PolicyHandoff(it.HandoffReason) {
			c.ExpectedDecision = string(chat.DecisionHandoff) // the customer asked for a person, or policy says so
		}
		if c.ExpectedAnswer == "" && c.ExpectedDecision != string(chat.DecisionHandoff) {
			c.ExpectedAnswer = it.Answer
		}
		if c.ExpectedDecision == "" {
			c.ExpectedDecision = string(chat.DecisionAnswer)
			if c.ExpectedAnswer == "" && c.ExpectedIntent == "" && len(c.ExpectedSources) == 0 {
				c.ExpectedDecision = string(chat.DecisionHandoff) // nothing to answer with: a person was right
			}
		}
		if c.ExpectedDecision != string(chat.DecisionAnswer) && c.ExpectedDecision != string(chat.DecisionHandoff) {
			return 0, chat.Errorf(chat.EINVALID, "expected_decision is answer or handoff")
		}
		cases = append(cases, c)
		ids = append(ids, it.ID)
	}
	n, err := st.PutEvalCases(ctx, set, records(cases, caseID), false, time.Now().UTC())
	if err != nil {
		return 0, err
	}
	if _, err := st.SetReviewStatus(ctx, ids, chat.ReviewAccepted); err != nil {
		return 0, err
	}
	return n, nil
}

// contextTurns is how many earlier turns a case from a review candidate keeps.
const contextTurns = 6

// caseContext is the conversation before the candidate's message: the turns a replay needs.
func caseContext(ctx context.Context, st store, it chat.ReviewItem) []evals.Turn {
	msgs, err := st.Messages(ctx, it.ConversationID, 0, 500)
	if err != nil {
		return nil
	}
	var turns []evals.Turn
	for _, m := range msgs {
		if m.ID >= it.MessageID {
			break
		}
		if m.Author == chat.AuthorCustomer || m.Author == chat.AuthorBot || m.Author == chat.AuthorAgent {
			turns = append(turns, evals.Turn{Author: string(m.Author), Text: m.Text})
		}
	}
	return turns[max(0, len(turns)-contextTurns):]
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// runReport writes a stored run's HTML report, against its baseline when it has one.
func runReport(ctx context.Context, st store, w http.ResponseWriter, id string) error {
	run, results, err := loadRun(ctx, st, id)
	if err != nil {
		return err
	}
	cases, err := loadCases(ctx, st, run.Set)
	if err != nil {
		return err
	}
	var m evals.Metrics
	json.Unmarshal(run.Metrics, &m)
	var base *chat.EvalRun
	var baseResults []evals.Result
	var changes []evals.Change
	if run.Baseline != "" {
		if base, baseResults, err = loadRun(ctx, st, run.Baseline); err == nil {
			changes, _ = evals.Compare(cases, baseResults, results)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return writeReport(w, run.Set, *run, m, results, base, baseResults, cases, changes)
}

// gaps clusters the handoffs of [from, to) into missing articles, with the before/after
// handoff rates of those an article was written for (documents named gap-<key>).
func gaps(ctx context.Context, st store, from, to time.Time) (any, error) {
	items, err := st.Reviews(ctx, chat.ReviewFilter{Reason: chat.ReviewHandoff, From: from, To: to, Limit: 5000})
	if err != nil {
		return nil, err
	}
	qs := make([]evals.HandedOff, 0, len(items))
	for _, it := range items {
		if evals.PolicyHandoff(it.HandoffReason) {
			continue // asked for a person, or sent to one by policy: not a missing article
		}
		qs = append(qs, evals.HandedOff{Text: it.Text, Answer: it.Answer, ConversationID: it.ConversationID, At: it.CreatedAt})
	}
	docs, err := st.Documents(ctx)
	if err != nil {
		return nil, err
	}
	articles := map[string]time.Time{}
	for _, d := range docs {
		if strings.HasPrefix(d.ID, "gap-") {
			articles[d.ID] = d.UpdatedAt
		}
	}
	return map[string]any{"gaps": evals.Gaps(qs, articles, time.Now().UTC())}, nil
}
