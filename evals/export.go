package evals

import (
	"encoding/json"
	"fmt"
	"io"

	"tandem/pii"
)

// Export writes cases as JSONL with personal data masked, in a format: "case" (the case format),
// "intents" ({"text","intent"} lines of the cases expecting an intent) or "qa" ({"question",
// "answer_ids","answer_texts"} lines of the cases expecting sources), the formats of
// ../shared/evalsets.
func Export(w io.Writer, cases []Case, format string) error {
	for i := range cases { // personal data stays out of exported sets
		c := &cases[i]
		c.Text, c.ExpectedAnswer = pii.Mask(c.Text), pii.Mask(c.ExpectedAnswer)
		for j := range c.Context {
			c.Context[j].Text = pii.Mask(c.Context[j].Text)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	switch format {
	case "case":
		return WriteCases(w, cases)
	case "intents":
		for _, c := range cases {
			if c.ExpectedIntent != "" {
				if err := enc.Encode(map[string]string{"text": c.Text, "intent": c.ExpectedIntent}); err != nil {
					return err
				}
			}
		}
		return nil
	case "qa":
		for _, c := range cases {
			if len(c.ExpectedSources) > 0 {
				line := map[string]any{"question": c.Text, "answer_ids": c.ExpectedSources, "qid": c.ID}
				if c.ExpectedAnswer != "" {
					line["answer_texts"] = []string{c.ExpectedAnswer}
				}
				if err := enc.Encode(line); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return fmt.Errorf("--format is case, intents or qa, not %q", format)
}
