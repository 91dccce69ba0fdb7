package evals

import (
	"context"
	"fmt"
	"time"

	"tandem/bot"
	"tandem/chat"
	"tandem/intent"
)

// Evaluator replays cases through the current configuration: the bot over the stored knowledge
// base, intents and settings, as a server would answer them.
type Evaluator struct {
	// Rehearsal answers the cases judged on the whole turn, as the bot with its actions would,
	// each action called against the case's recorded back-end answers.
	Rehearsal *Rehearsal
	Search    bot.Searcher // the knowledge search the bot answers from
	Intents   *intent.Live
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
	o, err := e.Rehearsal.Turn(ctx, c)
	if err != nil {
		return o, err
	}
	o.Millis = float64(time.Since(start).Microseconds()) / 1000
	if e.Judge != nil && c.ExpectedAnswer != "" && o.Decision == string(chat.DecisionAnswer) {
		agrees, err := e.Judge(ctx, c.Text, c.ExpectedAnswer, o.Text)
		if err != nil {
			return o, fmt.Errorf("judge: %w", err)
		}
		o.Agrees = &agrees
	}
	return o, nil
}
