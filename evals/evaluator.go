package evals

import (
	"context"
	"fmt"
	"time"

	"tandem/action"
	"tandem/bot"
	"tandem/chat"
	"tandem/intent"
)

// Turner answers a customer's turn as the bot does (bot.Bot).
type Turner interface {
	Turn(ctx context.Context, conv chat.Conversation, history []chat.Message, text string, stream func(string)) (chat.Reply, error)
}

// Evaluator replays cases through the current configuration: the bot over the stored knowledge
// base, intents and settings, as a server would answer them.
type Evaluator struct {
	Bot     Turner
	Search  bot.Searcher // the knowledge search the bot answers from
	Intents *intent.Live
	Actions action.Definitions
	// Config describes the configuration; a run stores it.
	Config map[string]string
	// Target is the configured target precision, a run's default.
	Target float64
	// Judge grades answers against expected answers when an LLM is configured (nil: token F1).
	Judge func(ctx context.Context, question, reference, answer string) (bool, error)
}

// IntentOnly reports whether a case judges only the intent (an intent set such as CLINC150):
// those are scored on the intent router's decision, the rest on the whole bot turn.
func IntentOnly(c Case) bool {
	return c.ExpectedIntent != "" && len(c.ExpectedSources) == 0 && c.ExpectedAnswer == "" && c.ExpectedAction == ""
}

// Turn answers one case.
func (e *Evaluator) Turn(ctx context.Context, c Case) (Outcome, error) {
	start := time.Now()
	if IntentOnly(c) {
		in, p, ok := e.Intents.Route(c.Text)
		o := Outcome{Decision: string(chat.DecisionHandoff), Confidence: p}
		if ok {
			o.Intent, o.Decision = in.Name, string(chat.DecisionAnswer)
		}
		o.Millis = float64(time.Since(start).Microseconds()) / 1000
		return o, nil
	}
	history := make([]chat.Message, 0, len(c.Context))
	for _, t := range c.Context {
		history = append(history, chat.Message{Author: chat.Author(t.Author), Text: t.Text})
	}
	r, err := e.Bot.Turn(ctx, chat.Conversation{ID: c.ID, Owner: chat.OwnerBot, Lang: c.Lang}, history, c.Text, nil)
	if err != nil {
		return Outcome{}, err
	}
	o := Outcome{Intent: r.Intent, Decision: string(r.Decision), Reason: r.Reason, Confidence: r.Confidence, Text: r.Text,
		Millis: float64(time.Since(start).Microseconds()) / 1000}
	for _, s := range r.Sources {
		o.Sources = append(o.Sources, s.ID)
	}
	if r.Action != "" {
		if err := e.plan(ctx, &o, r.Action, history, c.Text); err != nil {
			return o, err
		}
	}
	if e.Judge != nil && c.ExpectedAnswer != "" && r.Decision == chat.DecisionAnswer {
		agrees, err := e.Judge(ctx, c.Text, c.ExpectedAnswer, r.Text)
		if err != nil {
			return o, fmt.Errorf("judge: %w", err)
		}
		o.Agrees = &agrees
	}
	return o, nil
}

// plan fills in the action a turn would run and the arguments it finds, as the action layer
// would for a verified customer, without calling the back-end: a missing argument makes the turn
// a clarify.
func (e *Evaluator) plan(ctx context.Context, o *Outcome, name string, history []chat.Message, text string) error {
	d, err := e.Actions.Action(ctx, name)
	if err != nil {
		return fmt.Errorf("intent runs action %s: %w", name, err)
	}
	args, missing := action.Plan(d, history, text)
	o.Action, o.Args = name, args
	if len(missing) > 0 {
		o.Decision, o.Reason = string(chat.DecisionClarify), "action_ask"
	}
	return nil
}
