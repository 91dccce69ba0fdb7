package evals

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"tandem/chat"
)

// AnswersSummary is what `tandem eval answers --format json` prints.
type AnswersSummary struct {
	Questions string        `json:"questions"`
	Knowledge string        `json:"knowledge"`
	Store     string        `json:"store"`
	Target    float64       `json:"target_precision"`
	Report    AnswersReport `json:"report"`
	Misses    []Miss        `json:"misses"`
	Set       string        `json:"set,omitempty"` // the stored set, with --save
	Run       string        `json:"run,omitempty"` // the stored run, with --save
}

// Miss is one question the bot did not get right: deferred, answered wrong, an out-of-scope
// question answered, or an error.
type Miss struct {
	ID         string   `json:"id"`
	Lang       string   `json:"lang"`
	Question   string   `json:"question"`
	Expect     *string  `json:"expect"`
	Class      string   `json:"class"`
	Decision   string   `json:"decision"`
	Reason     string   `json:"reason,omitempty"`
	Intent     string   `json:"intent,omitempty"`
	Confidence float64  `json:"confidence"`
	Sources    []string `json:"sources,omitempty"`
	Error      string   `json:"error,omitempty"`
}

// CheckExpected fails on a question expecting an article the knowledge base (docs) does not
// have: a typo in a set would otherwise count as the bot's mistake.
func CheckExpected(qs []AnswerQuestion, docs []chat.Document) error {
	ids := make(map[string]bool, len(docs))
	for _, d := range docs {
		ids[d.ID] = true
	}
	for _, q := range qs {
		if q.Expect != nil && !ids[*q.Expect] {
			return fmt.Errorf("question %s expects article %q, which the knowledge base does not have", q.ID, *q.Expect)
		}
	}
	return nil
}

// Misses lists the questions not answered right (out-of-scope ones held are not misses),
// confidently wrong answers first; results are those of ScoreAnswer, in question order.
func Misses(qs []AnswerQuestion, results []Result) []Miss {
	var out []Miss
	for i, r := range results {
		if r.Correct {
			continue
		}
		q := qs[i]
		out = append(out, Miss{ID: q.ID, Lang: q.Lang, Question: q.Question, Expect: q.Expect, Class: r.Class, Decision: r.Decision,
			Reason: r.Reason, Intent: r.Intent, Confidence: r.Confidence, Sources: r.Sources, Error: r.Err})
	}
	slices.SortStableFunc(out, func(a, b Miss) int { return missRank(a) - missRank(b) })
	return out
}

// missRank orders misses: answers that mislead customers first, then errors, then deferrals.
func missRank(m Miss) int {
	switch m.Class {
	case OOSAnswered, AnswerWrong:
		return 0
	case AnswerError:
		return 1
	}
	return 2
}

// tallies are the overall row and one per language.
func (s AnswersSummary) tallies() []AnswerTally {
	return append([]AnswerTally{s.Report.Overall}, s.Report.ByLang...)
}

// WriteTable prints the summary for a terminal: one row overall and one per language, and the
// deferrals by decision and reason.
func (s AnswersSummary) WriteTable(w io.Writer) {
	o := s.Report.Overall
	fmt.Fprintf(w, "answers eval: %d questions (%d in scope, %d out of scope) from %s, knowledge %s, %s store, target precision %.2f\n\n",
		o.Questions, o.InScope, o.OOS, s.Questions, s.Knowledge, s.Store, s.Target)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LANG\tIN SCOPE\tRIGHT\tWRONG\tDEFERRED\tFIRST SOURCE RIGHT\tOUT OF SCOPE\tOOS HELD\tOOS ANSWERED\tERRORS")
	rate := func(n int, r float64) string { return fmt.Sprintf("%.3f (%d)", r, n) }
	for _, t := range s.tallies() {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%d\n", cmp.Or(t.Lang, "all"), t.InScope, rate(t.Right, t.RightRate),
			rate(t.Wrong, t.WrongRate), rate(t.Deferred, t.DeferredRate), rate(t.FirstRight, t.FirstRightRate), t.OOS,
			rate(t.OOSHeld, t.OOSHeldRate), rate(t.OOSAnswered, t.OOSAnsRate), t.Errors)
	}
	tw.Flush()
	if len(o.DeferredBy) > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(o.DeferredBy)) {
			parts = append(parts, fmt.Sprintf("%s %d", k, o.DeferredBy[k]))
		}
		fmt.Fprintf(w, "\ndeferred by decision:reason: %s\n", strings.Join(parts, ", "))
	}
	if s.Run != "" {
		fmt.Fprintf(w, "stored as run %s of eval set %s (trainer console, Evals)\n", s.Run, s.Set)
	}
}

// WriteMarkdown writes the summary as a Markdown report listing every miss.
func (s AnswersSummary) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "# Answers eval\n\nQuestions: %s · knowledge: %s · store: %s · target precision %.2f\n\n", s.Questions, s.Knowledge, s.Store, s.Target)
	fmt.Fprintln(w, "| Language | In scope | Right | Wrong | Deferred | First source right | Out of scope | OOS held | OOS answered |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, t := range s.tallies() {
		fmt.Fprintf(w, "| %s | %d | %.3f (%d) | %.3f (%d) | %.3f (%d) | %.3f (%d) | %d | %.3f (%d) | %.3f (%d) |\n", cmp.Or(t.Lang, "all"), t.InScope,
			t.RightRate, t.Right, t.WrongRate, t.Wrong, t.DeferredRate, t.Deferred, t.FirstRightRate, t.FirstRight, t.OOS, t.OOSHeldRate, t.OOSHeld, t.OOSAnsRate, t.OOSAnswered)
	}
	fmt.Fprintf(w, "\n## Misses (%d)\n\n| Class | Question | Expected | Got | Decision | Confidence |\n|---|---|---|---|---|---:|\n", len(s.Misses))
	for _, m := range s.Misses {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %.2f |\n", m.Class, mdCell(m.Question), mdCell(m.expected()), mdCell(m.got()), mdCell(m.decision()), m.Confidence)
	}
}

func (m Miss) expected() string {
	if m.Expect == nil {
		return "(out of scope)"
	}
	return *m.Expect
}

// got is what the bot cited and, if any, the intent it took the question for.
func (m Miss) got() string {
	got := strings.Join(m.Sources, ", ")
	if m.Intent != "" {
		got = strings.TrimPrefix(got+", intent "+m.Intent, ", ")
	}
	return got
}

func (m Miss) decision() string {
	if m.Error != "" {
		return "error: " + m.Error
	}
	if m.Reason != "" {
		return m.Decision + " (" + m.Reason + ")"
	}
	return m.Decision
}

// mdCell keeps a value inside one Markdown table cell.
func mdCell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}
