package evals

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// maxCaseLine bounds one line of an eval set: a customer message with its context fits easily,
// while a runaway line (a binary file, a missing newline) fails fast instead of filling memory.
const maxCaseLine = 64 << 10

// The bot's decisions on a customer message.
const (
	DecisionAnswer  = "answer"
	DecisionClarify = "clarify"
	DecisionHandoff = "handoff"
)

// Turn is one earlier message of the conversation a case is cut from.
type Turn struct {
	Author string `json:"author"`
	Text   string `json:"text"`
}

// Case is one labelled customer message: what the bot should decide and, when it answers, what
// a right answer looks like. Empty expectations are not judged.
type Case struct {
	ID               string   `json:"id"`
	Context          []Turn   `json:"context,omitempty"` // earlier turns, oldest first
	Text             string   `json:"text"`              // the customer message to answer
	Lang             string   `json:"lang,omitempty"`
	ExpectedIntent   string   `json:"expected_intent,omitempty"`   // OOS: out of scope; "": not judged
	ExpectedDecision string   `json:"expected_decision,omitempty"` // answer | handoff; "": inferred
	ExpectedAnswer   string   `json:"expected_answer,omitempty"`
	ExpectedSources  []string `json:"expected_sources,omitempty"` // knowledge document ids; any one is a hit
	// ExpectedAction is the bot action the message should run ("none": no action; "": not
	// judged) and ExpectedArgs the arguments it should find (each must match; others may exist).
	ExpectedAction string            `json:"expected_action,omitempty"`
	ExpectedArgs   map[string]string `json:"expected_args,omitempty"`
	// ExpectedOutcome is what the action should come to (Outcome.ActionOutcome: "ok", a failure
	// kind, "ask", "confirm", "proposed", "needs_identity"; "": not judged).
	ExpectedOutcome string `json:"expected_outcome,omitempty"`
	// Customer is the verified customer the message comes from (nil: an anonymous visitor) and
	// Backend the back-end's recorded answers to the calls the case's action makes.
	Customer *CaseCustomer `json:"customer,omitempty"`
	Backend  []Recorded    `json:"backend,omitempty"`
	Source   string        `json:"source,omitempty"` // import, handoff, edit, rating, review, manual
	Tags     []string      `json:"tags,omitempty"`
}

// caseLine is the union of the line formats ReadCases accepts: the Case format itself, intent
// sets ({"text","intent"}) and QA question sets ({"question","answer_ids","split","qid",
// "answer_texts"}).
type caseLine struct {
	Case
	Intent      *string  `json:"intent"`
	Question    *string  `json:"question"`
	AnswerIDs   []string `json:"answer_ids"`
	AnswerTexts []string `json:"answer_texts"`
	Split       string   `json:"split"`
	QID         string   `json:"qid"`
}

// ReadCases reads one case per non-blank line, detecting each line's format: a line with
// "question" is a QA question, one with "intent" an intent-set example, any other a Case.
// Missing ids become "case-<line>". Errors name the line. limit > 0 bounds the number of cases;
// a set with more is an error rather than silently cut.
func ReadCases(r io.Reader, limit int) ([]Case, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxCaseLine+2) // +2: lines just over the limit get our error
	var cases []Case
	seen := map[string]int{}
	n := 0
	for sc.Scan() {
		n++
		raw := sc.Bytes()
		if len(raw) > maxCaseLine {
			return nil, fmt.Errorf("line %d: longer than %d KiB", n, maxCaseLine>>10)
		}
		if n == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		if limit > 0 && len(cases) == limit {
			return nil, fmt.Errorf("line %d: more than %d cases", n, limit)
		}
		c, err := parseCase(n, raw)
		if err != nil {
			return nil, err
		}
		if first, dup := seen[c.ID]; dup {
			return nil, fmt.Errorf("line %d: id %q already used on line %d", n, c.ID, first)
		}
		seen[c.ID] = n
		cases = append(cases, c)
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return nil, fmt.Errorf("line %d: longer than %d KiB", n+1, maxCaseLine>>10)
	} else if err != nil {
		return nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	return cases, nil
}

// parseCase decodes line n in whichever format it is written.
func parseCase(n int, raw []byte) (Case, error) {
	if !utf8.Valid(raw) {
		return Case{}, fmt.Errorf("line %d: invalid UTF-8", n)
	}
	var l caseLine
	if err := json.Unmarshal(raw, &l); err != nil {
		return Case{}, fmt.Errorf("line %d: %w", n, err)
	}
	c, err := l.toCase()
	if err != nil {
		return Case{}, fmt.Errorf("line %d: %w", n, err)
	}
	if strings.TrimSpace(c.Text) == "" {
		return Case{}, fmt.Errorf("line %d: empty text", n)
	}
	if c.ID == "" {
		c.ID = fmt.Sprintf("case-%d", n)
	}
	return c, nil
}

// toCase maps the dataset formats onto Case.
func (l caseLine) toCase() (Case, error) {
	c := l.Case
	switch {
	case l.Question != nil:
		if c.Text != "" {
			return c, errors.New(`both "question" and "text"`)
		}
		c.Text = *l.Question
		if len(l.AnswerIDs) > 0 {
			c.ExpectedSources = l.AnswerIDs
		}
		if len(l.AnswerTexts) > 0 {
			c.ExpectedAnswer = l.AnswerTexts[0]
		}
		c.ExpectedDecision = cmp.Or(c.ExpectedDecision, DecisionAnswer)
		c.ID = cmp.Or(c.ID, l.QID)
	case l.Intent != nil:
		if c.ExpectedIntent != "" {
			return c, errors.New(`both "intent" and "expected_intent"`)
		}
		if *l.Intent == "" {
			return c, errors.New(`empty "intent"`)
		}
		c.ExpectedIntent = *l.Intent
		c.ExpectedDecision = cmp.Or(c.ExpectedDecision, expectedDecision(c))
	}
	if l.Split != "" {
		c.Tags = append(c.Tags, "split:"+l.Split)
	}
	switch c.ExpectedDecision {
	case "", DecisionAnswer, DecisionHandoff:
		return c, nil
	}
	return c, fmt.Errorf("expected_decision %q: want %q or %q", c.ExpectedDecision, DecisionAnswer, DecisionHandoff)
}

// expectedDecision is the case's expected decision, inferred when not given: out-of-scope
// messages are handed off, everything else is answered.
func expectedDecision(c Case) string {
	switch {
	case c.ExpectedDecision != "":
		return c.ExpectedDecision
	case c.ExpectedIntent == OOS:
		return DecisionHandoff
	}
	return DecisionAnswer
}

// WriteCases writes cases in the Case format, one per line, leaving non-ASCII text and HTML
// characters readable.
func WriteCases(w io.Writer, cases []Case) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i, c := range cases {
		if err := enc.Encode(c); err != nil {
			return fmt.Errorf("write case %d (%s): %w", i+1, c.ID, err)
		}
	}
	return bw.Flush()
}
