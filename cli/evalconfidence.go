package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"

	"tandem/evals"
)

// evalConfidence fits and checks the answer calibrator on a QA set (see evals.Confidence).
func (d Deps) evalConfidence(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var knowledgePath, questionsPath, split string
	var target float64
	cfg, _, err := LoadConfig("eval confidence", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&knowledgePath, "knowledge", "", "knowledge JSONL (required)")
		fs.StringVar(&questionsPath, "questions", "", "questions JSONL with answer_ids (required)")
		fs.StringVar(&split, "split", "", "only questions of this split")
		fs.Float64Var(&target, "target-precision", 0.9, "answer when P(right) is at least this")
	})
	if err != nil {
		return err
	}
	if knowledgePath == "" || questionsPath == "" {
		return errors.New("--knowledge and --questions are required")
	}
	if target <= 0 || target >= 1 {
		return errors.New("--target-precision must be between 0 and 1")
	}
	questions, err := evals.ReadQuestions(questionsPath, split)
	if err != nil {
		return err
	}
	kb, _, cleanup, err := d.evalKnowledge(ctx, cfg, knowledgePath, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	bar, done := progressBar(stderr, "measuring")
	r := evals.Confidence(ctx, questions, kb.Search, target, bar)
	done()
	return json.NewEncoder(stdout).Encode(r)
}
