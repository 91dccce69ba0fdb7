package evals

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxAnswerQuestions bounds a natural-question set: it is asked through the whole bot, one
// conversation per question.
const maxAnswerQuestions = 20_000

// How the answers eval classifies a question's reply.
const (
	// AnswerRight: answered, and the first cited source is the expected article.
	AnswerRight = "right"
	// AnswerWrong: answered with another article, or with a canned intent answer.
	AnswerWrong = "wrong"
	// AnswerDeferred: handed off or asked back (clarify) instead of answering.
	AnswerDeferred = "deferred"
	// OOSHeld: an out-of-scope question not answered from the knowledge base.
	OOSHeld = "oos_held"
	// OOSAnswered: an out-of-scope question answered with an article.
	OOSAnswered = "oos_answered"
	// AnswerError: the turn failed.
	AnswerError = "error"
)

// AnswerQuestion is one line of a natural-question set: a customer question and the article
// that answers it, or null when no article does (out of scope).
type AnswerQuestion struct {
	ID       string  `json:"id"`
	Lang     string  `json:"lang"`
	Question string  `json:"question"`
	Expect   *string `json:"expect"`
}

// ReadAnswerQuestions reads a natural-question set, one JSON object a line:
// {"id","lang":"en|zh","question","expect":"<article id>"|null}. The "expect" key is required
// (null for out of scope) so that a forgotten expectation is not read as out of scope. Errors
// name the line.
func ReadAnswerQuestions(r io.Reader) ([]AnswerQuestion, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxCaseLine+2)
	var qs []AnswerQuestion
	seen := map[string]int{}
	n := 0
	for sc.Scan() {
		n++
		raw := sc.Bytes()
		if n == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		if len(raw) > maxCaseLine {
			return nil, fmt.Errorf("line %d: longer than %d KiB", n, maxCaseLine>>10)
		}
		if len(qs) == maxAnswerQuestions {
			return nil, fmt.Errorf("line %d: more than %d questions", n, maxAnswerQuestions)
		}
		q, err := parseAnswerQuestion(raw)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if first, dup := seen[q.ID]; dup {
			return nil, fmt.Errorf("line %d: id %q already used on line %d", n, q.ID, first)
		}
		seen[q.ID] = n
		qs = append(qs, q)
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return nil, fmt.Errorf("line %d: longer than %d KiB", n+1, maxCaseLine>>10)
	} else if err != nil {
		return nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	if len(qs) == 0 {
		return nil, errors.New("no questions")
	}
	return qs, nil
}

func parseAnswerQuestion(raw []byte) (AnswerQuestion, error) {
	var q AnswerQuestion
	if !utf8.Valid(raw) {
		return q, errors.New("invalid UTF-8")
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return q, err
	}
	if _, ok := keys["expect"]; !ok {
		return q, errors.New(`no "expect": give the expected article id, or null for an out-of-scope question`)
	}
	if err := json.Unmarshal(raw, &q); err != nil {
		return q, err
	}
	switch {
	case strings.TrimSpace(q.ID) == "":
		return q, errors.New(`empty "id"`)
	case q.Lang != "en" && q.Lang != "zh":
		return q, fmt.Errorf(`"lang" %q: want "en" or "zh"`, q.Lang)
	case strings.TrimSpace(q.Question) == "":
		return q, errors.New(`empty "question"`)
	case q.Expect != nil && strings.TrimSpace(*q.Expect) == "":
		return q, errors.New(`empty "expect": give an article id, or null for an out-of-scope question`)
	}
	return q, nil
}

// Case is the question as an eval case: an answer citing the expected article, or (out of
// scope) no intent and a handoff.
func (q AnswerQuestion) Case() Case {
	c := Case{ID: q.ID, Text: q.Question, Lang: q.Lang, ExpectedDecision: DecisionHandoff, Source: "answers",
		Tags: []string{"lang:" + q.Lang}}
	if q.Expect != nil {
		c.ExpectedDecision, c.ExpectedSources = DecisionAnswer, []string{*q.Expect}
	} else {
		c.ExpectedIntent = OOS
	}
	return c
}

// ClassifyAnswer classifies the bot's reply to a natural question. An in-scope question is right
// only when the bot answered and its first cited source is an expected article; an out-of-scope
// one is held unless the bot answered it from the knowledge base (a canned small-talk answer
// such as a greeting cites no article and is not counted as answering it).
func ClassifyAnswer(c Case, o Outcome) string {
	answered := o.Decision == DecisionAnswer
	switch {
	case o.Err != "":
		return AnswerError
	case len(c.ExpectedSources) == 0 && answered && len(o.Sources) > 0:
		return OOSAnswered
	case len(c.ExpectedSources) == 0:
		return OOSHeld
	case !answered:
		return AnswerDeferred
	case len(o.Sources) > 0 && slices.Contains(c.ExpectedSources, o.Sources[0]):
		return AnswerRight
	}
	return AnswerWrong
}

// ScoreAnswer scores a natural question's outcome: Correct and Class follow ClassifyAnswer.
func ScoreAnswer(c Case, o Outcome) Result {
	r := Score(c, o)
	r.Class = ClassifyAnswer(c, o)
	r.Correct = r.Class == AnswerRight || r.Class == OOSHeld
	return r
}

// AnswerTally counts one slice of a natural-question set (all questions, or one language).
// Rates of in-scope outcomes are over the in-scope questions; OOS rates over the out-of-scope
// ones. Rates are rounded to four decimals.
type AnswerTally struct {
	Lang         string         `json:"lang"` // "" for all
	Questions    int            `json:"questions"`
	InScope      int            `json:"in_scope"`
	Right        int            `json:"right"`
	Wrong        int            `json:"wrong"`
	Deferred     int            `json:"deferred"`
	Errors       int            `json:"errors"`
	OOS          int            `json:"oos"`
	OOSHeld      int            `json:"oos_held"`
	OOSAnswered  int            `json:"oos_answered"`
	RightRate    float64        `json:"right_rate"`
	WrongRate    float64        `json:"wrong_rate"`
	DeferredRate float64        `json:"deferred_rate"`
	OOSHeldRate  float64        `json:"oos_held_rate"`
	OOSAnsRate   float64        `json:"oos_answered_rate"`
	DeferredBy   map[string]int `json:"deferred_by,omitempty"` // deferred in-scope questions by the bot's reason
	// FirstRight counts in-scope questions whose first source, answered or not, is the expected
	// article: how many deferrals are confidence, not retrieval.
	FirstRight     int     `json:"first_source_right"`
	FirstRightRate float64 `json:"first_source_right_rate"`
}

// AnswersReport is the answers eval's summary: all questions and each language.
type AnswersReport struct {
	Overall AnswerTally   `json:"overall"`
	ByLang  []AnswerTally `json:"by_lang"`
}

// SummarizeAnswers tallies scored natural questions (results of ScoreAnswer) overall and by the
// language of their cases.
func SummarizeAnswers(cases []Case, results []Result) AnswersReport {
	lang := make(map[string]string, len(cases))
	expected := make(map[string][]string, len(cases))
	for _, c := range cases {
		lang[c.ID], expected[c.ID] = c.Lang, c.ExpectedSources
	}
	all := &AnswerTally{}
	by := map[string]*AnswerTally{}
	for _, r := range results {
		l := lang[r.CaseID]
		if by[l] == nil {
			by[l] = &AnswerTally{Lang: l}
		}
		for _, t := range []*AnswerTally{all, by[l]} {
			t.add(r, expected[r.CaseID])
		}
	}
	rep := AnswersReport{Overall: all.rates()}
	for _, l := range slices.Sorted(maps.Keys(by)) {
		rep.ByLang = append(rep.ByLang, by[l].rates())
	}
	return rep
}

func (t *AnswerTally) add(r Result, expected []string) {
	t.Questions++
	if len(expected) > 0 {
		t.InScope++
		if len(r.Sources) > 0 && slices.Contains(expected, r.Sources[0]) {
			t.FirstRight++
		}
	} else {
		t.OOS++
	}
	switch r.Class {
	case AnswerRight:
		t.Right++
	case AnswerWrong:
		t.Wrong++
	case AnswerDeferred:
		t.Deferred++
		if t.DeferredBy == nil {
			t.DeferredBy = map[string]int{}
		}
		t.DeferredBy[r.Decision+":"+r.Reason]++
	case OOSHeld:
		t.OOSHeld++
	case OOSAnswered:
		t.OOSAnswered++
	case AnswerError:
		t.Errors++
	}
}

func (t AnswerTally) rates() AnswerTally {
	t.RightRate, t.WrongRate, t.DeferredRate = round(ratio(t.Right, t.InScope)), round(ratio(t.Wrong, t.InScope)), round(ratio(t.Deferred, t.InScope))
	t.FirstRightRate = round(ratio(t.FirstRight, t.InScope))
	t.OOSHeldRate, t.OOSAnsRate = round(ratio(t.OOSHeld, t.OOS)), round(ratio(t.OOSAnswered, t.OOS))
	return t
}
