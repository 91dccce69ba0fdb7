package evals

import (
	"strings"
	"unicode"
)

const (
	// maxCorrectRank is the deepest rank at which a cited expected source still makes an
	// answer right: the bot shows its top few sources, not ten.
	maxCorrectRank = 3
	// minAnswerF1 is the token F1 against the expected answer at which an answer judged only
	// by its text counts as right: most of its words agree.
	minAnswerF1 = 0.5
)

// Outcome is what the bot did with one case.
type Outcome struct {
	Intent     string   `json:"intent,omitempty"` // predicted intent ("" none)
	Decision   string   `json:"decision"`         // answer | clarify | handoff
	Reason     string   `json:"reason,omitempty"`
	Confidence float64  `json:"confidence"` // P(the answer is right) the bot reported
	Text       string   `json:"text,omitempty"`
	Sources    []string `json:"sources,omitempty"` // cited document ids, best first
	Millis     float64  `json:"millis"`
	Err        string   `json:"error,omitempty"`
	// Agrees is an LLM judge's verdict on Text against the expected answer (nil: not judged);
	// when set it decides an answer-only case instead of token F1.
	Agrees *bool `json:"agrees,omitempty"`
	// Action is the bot action the turn would run ("" none) and Args the arguments it found.
	Action string            `json:"action,omitempty"`
	Args   map[string]string `json:"args,omitempty"`
	// ActionOutcome is what the action came to: its call's status ("ok" or a failure kind) or
	// what held it back (ActionAsked, ActionConfirm, ActionProposed, ActionIdentity).
	ActionOutcome string `json:"action_outcome,omitempty"`
}

// Result is one scored outcome. It carries the case's expectations that the metrics need, so
// stored results can be summarised and compared without their set.
type Result struct {
	CaseID string `json:"case_id"`
	Outcome
	Correct          bool     `json:"correct"` // the decision is right and, when answered, so is the answer
	IntentOK         *bool    `json:"intent_ok,omitempty"`
	DecisionOK       *bool    `json:"decision_ok,omitempty"`
	HitRank          int      `json:"hit_rank,omitempty"` // 1-based rank of the first expected source in Sources; 0: none
	F1               *float64 `json:"f1,omitempty"`       // token F1 of Text against the expected answer, when answered
	ExpectedIntent   string   `json:"expected_intent,omitempty"`
	ExpectedDecision string   `json:"expected_decision,omitempty"` // as judged: given or inferred
	SourcesJudged    bool     `json:"sources_judged,omitempty"`    // the case names expected sources
	// ActionOK says whether the expected action ran with the expected arguments (nil: not judged).
	ActionOK       *bool  `json:"action_ok,omitempty"`
	ExpectedAction string `json:"expected_action,omitempty"`
	// Class is the answers eval's class of the outcome (AnswerRight, AnswerDeferred, …; see
	// ScoreAnswer); "" for other evals.
	Class string `json:"class,omitempty"`
}

// answered reports whether the bot gave an answer.
func (r Result) answered() bool { return r.Err == "" && r.Decision == DecisionAnswer }

// heldBack reports whether the bot deliberately did not answer: it handed off or asked back.
func (r Result) heldBack() bool {
	return r.Err == "" && (r.Decision == DecisionHandoff || r.Decision == DecisionClarify)
}

// Score judges one outcome against its case. An expected handoff is right iff the bot held
// back; an expected answer is right iff the bot answered and every judged part holds: the
// intent (unless out of scope), a source hit within the top 3, and — when the answer text is
// the only expectation — token F1 ≥ 0.5. An outcome with an error is never right.
func Score(c Case, o Outcome) Result {
	r := Result{CaseID: c.ID, Outcome: o, ExpectedIntent: c.ExpectedIntent,
		ExpectedDecision: expectedDecision(c), SourcesJudged: len(c.ExpectedSources) > 0}
	if c.ExpectedIntent != "" {
		r.IntentOK = ptr(intentMatches(c.ExpectedIntent, o.Intent))
	}
	if r.SourcesJudged {
		r.HitRank = firstHit(o.Sources, c.ExpectedSources)
	}
	var f1 float64
	if c.ExpectedAnswer != "" && r.answered() {
		f1 = tokenF1(o.Text, c.ExpectedAnswer)
		r.F1 = ptr(round(f1))
	}
	if r.ExpectedDecision == DecisionAnswer {
		r.DecisionOK = ptr(r.answered())
		r.Correct = r.answered() && answerRight(c, r, f1)
	} else {
		r.DecisionOK = ptr(r.heldBack())
		r.Correct = r.heldBack()
	}
	if c.ExpectedAction != "" {
		r.ExpectedAction = c.ExpectedAction
		r.ActionOK = ptr(r.Err == "" && actionMatches(c, o))
		r.Correct = r.Correct && *r.ActionOK
	}
	return r
}

// NoAction is the expected action of a case that must run none.
const NoAction = "none"

// actionMatches checks the action a turn ran, the arguments it found and what it came to.
func actionMatches(c Case, o Outcome) bool {
	if c.ExpectedAction == NoAction {
		return o.Action == ""
	}
	if o.Action != c.ExpectedAction {
		return false
	}
	for k, v := range c.ExpectedArgs {
		if o.Args[k] != v {
			return false
		}
	}
	return c.ExpectedOutcome == "" || o.ActionOutcome == c.ExpectedOutcome
}

// answerRight checks the judged parts of an answer.
func answerRight(c Case, r Result, f1 float64) bool {
	if c.ExpectedIntent != "" && c.ExpectedIntent != OOS && !*r.IntentOK {
		return false
	}
	if r.SourcesJudged && (r.HitRank == 0 || r.HitRank > maxCorrectRank) {
		return false
	}
	onlyText := c.ExpectedAnswer != "" && c.ExpectedIntent == "" && !r.SourcesJudged
	if onlyText && r.Agrees != nil {
		return *r.Agrees // an LLM judge's verdict replaces word overlap
	}
	return !onlyText || f1 >= minAnswerF1
}

// intentMatches compares intents; for an out-of-scope case, predicting no intent is right too.
func intentMatches(expected, predicted string) bool {
	if expected == OOS && predicted == "" {
		return true
	}
	return expected == predicted
}

func ptr[T any](v T) *T { return &v }

// tokenF1 is the SQuAD-style token overlap F1 of a prediction against a reference.
func tokenF1(pred, ref string) float64 {
	p, g := tokens(pred), tokens(ref)
	if len(p) == 0 || len(g) == 0 {
		if len(p) == len(g) {
			return 1
		}
		return 0
	}
	counts := map[string]int{}
	for _, t := range g {
		counts[t]++
	}
	common := 0
	for _, t := range p {
		if counts[t] > 0 {
			counts[t]--
			common++
		}
	}
	if common == 0 {
		return 0
	}
	precision, recall := float64(common)/float64(len(p)), float64(common)/float64(len(g))
	return 2 * precision * recall / (precision + recall)
}

// tokens splits text into lower-cased words of letters and digits, with every CJK character a
// token of its own (Chinese and Japanese are written without spaces). Punctuation is dropped.
func tokens(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		cjk := unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
		word := !cjk && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
		if !word && start >= 0 {
			out = append(out, strings.ToLower(s[start:i]))
			start = -1
		}
		switch {
		case cjk:
			out = append(out, string(r))
		case word && start < 0:
			start = i
		}
	}
	if start >= 0 {
		out = append(out, strings.ToLower(s[start:]))
	}
	return out
}
