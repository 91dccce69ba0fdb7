package intent

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"tandem/chat"
)

// Limits on intents. Training time grows with the examples times the intents (150 intents of
// 100 examples train in about 40 s on two cores), so the whole set is bounded too.
const (
	MaxExamples     = 5000
	MaxExampleRunes = 500
	MaxAnswerRunes  = 4000
	// MaxIntents and MaxTotalExamples bound the stored intent set.
	MaxIntents       = 300
	MaxTotalExamples = 30000
)

// CheckTotals refuses an intent set over MaxIntents intents or MaxTotalExamples examples.
func CheckTotals(ins []chat.Intent) error {
	n := 0
	for _, in := range ins {
		n += len(in.Examples)
	}
	if len(ins) > MaxIntents || n > MaxTotalExamples {
		return chat.Errorf(chat.EINVALID, "%d intents with %d examples: at most %d intents and %d examples in all", len(ins), n, MaxIntents, MaxTotalExamples)
	}
	return nil
}

// Merge is the intent set after storing changed over stored: same names replaced.
func Merge(stored, changed []chat.Intent) []chat.Intent {
	byName := map[string]chat.Intent{}
	for _, in := range stored {
		byName[in.Name] = in
	}
	for _, in := range changed {
		byName[in.Name] = in
	}
	out := make([]chat.Intent, 0, len(byName))
	for _, in := range byName {
		out = append(out, in)
	}
	return out
}

var validName = regexp.MustCompile(`^[\p{L}\p{N}_.-]{1,100}$`)

// Validate checks an intent a trainer wrote, with a message that says what to fix.
func Validate(in chat.Intent) error {
	switch {
	case !validName.MatchString(in.Name):
		return chat.Errorf(chat.EINVALID, "intent name %q: use 1–100 letters, digits, _ . or -", in.Name)
	case in.Name == OOS:
		return chat.Errorf(chat.EINVALID, "intent name %q is reserved for out-of-scope", OOS)
	case in.Action != chat.ActionAnswer && in.Action != chat.ActionKnowledge && in.Action != chat.ActionHandoff && in.Action != chat.ActionRun:
		return chat.Errorf(chat.EINVALID, "intent %s: action must be answer, knowledge, handoff or run", in.Name)
	case in.Action == chat.ActionRun && !validName.MatchString(in.Run):
		return chat.Errorf(chat.EINVALID, "intent %s: action run needs the name of the bot action to run in run", in.Name)
	case in.Action == chat.ActionAnswer && strings.TrimSpace(in.Answer) == "" && len(in.Answers) == 0:
		return chat.Errorf(chat.EINVALID, "intent %s: action answer needs an answer text", in.Name)
	case utf8.RuneCountInString(in.Answer) > MaxAnswerRunes:
		return chat.Errorf(chat.EINVALID, "intent %s: the answer is longer than %d characters", in.Name, MaxAnswerRunes)
	case in.Priority != "" && in.Priority != "low" && in.Priority != "normal" && in.Priority != "high":
		return chat.Errorf(chat.EINVALID, "intent %s: priority must be low, normal or high", in.Name)
	case len(in.Examples) == 0 || len(in.Examples) > MaxExamples:
		return chat.Errorf(chat.EINVALID, "intent %s: give 1–%d examples", in.Name, MaxExamples)
	}
	for lang, a := range in.Answers {
		if lang != "en" && lang != "zh" || strings.TrimSpace(a) == "" || utf8.RuneCountInString(a) > MaxAnswerRunes {
			return chat.Errorf(chat.EINVALID, "intent %s: answers are per language (en, zh), non-empty, at most %d characters", in.Name, MaxAnswerRunes)
		}
	}
	for _, ex := range in.Examples {
		if strings.TrimSpace(ex) == "" || utf8.RuneCountInString(ex) > MaxExampleRunes {
			return chat.Errorf(chat.EINVALID, "intent %s: examples must be non-empty and at most %d characters", in.Name, MaxExampleRunes)
		}
	}
	return nil
}

// line is one JSONL line: an example {"text","intent"} or a policy {"intent","action",…}.
type line struct {
	Text     string            `json:"text,omitempty"`
	Intent   string            `json:"intent"`
	Action   string            `json:"action,omitempty"`
	Answer   string            `json:"answer,omitempty"`
	Answers  map[string]string `json:"answers,omitempty"`
	Team     string            `json:"team,omitempty"`
	Priority string            `json:"priority,omitempty"`
	Run      string            `json:"run,omitempty"`
}

// ParseJSONL reads intents from JSONL: example lines {"text","intent"} and optional policy lines
// {"intent","action","answer","team","priority"} (without one an intent answers from knowledge).
// "oos" examples are skipped: out-of-scope is everything else. Errors name the line.
func ParseJSONL(r io.Reader, now time.Time) ([]chat.Intent, error) {
	byName := map[string]*chat.Intent{}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, chat.Errorf(chat.EINVALID, "line %d: %v", n, err)
		}
		if l.Intent == OOS {
			continue
		}
		in := byName[l.Intent]
		if in == nil {
			in = &chat.Intent{Name: l.Intent, Action: chat.ActionKnowledge, UpdatedAt: now}
			byName[l.Intent] = in
		}
		if l.Action != "" {
			in.Action, in.Answer, in.Answers, in.Team, in.Priority, in.Run = l.Action, l.Answer, l.Answers, l.Team, l.Priority, l.Run
		}
		if l.Text != "" {
			in.Examples = append(in.Examples, l.Text)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, chat.Errorf(chat.EINVALID, "reading intents: %v", err)
	}
	out := make([]chat.Intent, 0, len(byName))
	for _, in := range byName {
		if err := Validate(*in); err != nil {
			return nil, err
		}
		out = append(out, *in)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	if len(out) == 0 {
		return nil, chat.Errorf(chat.EINVALID, "no intents in the file")
	}
	return out, nil
}

// WriteJSONL writes intents in the format ParseJSONL reads: a policy line, then the examples.
func WriteJSONL(w io.Writer, intents []chat.Intent) error {
	enc := json.NewEncoder(w)
	for _, in := range intents {
		if err := enc.Encode(line{Intent: in.Name, Action: in.Action, Answer: in.Answer, Answers: in.Answers, Team: in.Team, Priority: in.Priority, Run: in.Run}); err != nil {
			return err
		}
		for lang, a := range in.Answers {
			if lang != "en" && lang != "zh" || strings.TrimSpace(a) == "" || utf8.RuneCountInString(a) > MaxAnswerRunes {
				return chat.Errorf(chat.EINVALID, "intent %s: answers are per language (en, zh), non-empty, at most %d characters", in.Name, MaxAnswerRunes)
			}
		}
		for _, ex := range in.Examples {
			if err := enc.Encode(line{Text: ex, Intent: in.Name}); err != nil {
				return fmt.Errorf("write intents: %w", err)
			}
		}
	}
	return nil
}
