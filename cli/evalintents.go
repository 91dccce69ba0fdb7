package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"tandem/evals"
	"tandem/intent"
)

// evalIntents trains on --train, calibrates and picks thresholds on --val (or a deterministic
// hold-out of --train), and scores --test.
func (d Deps) evalIntents(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var trainPath, testPath, valPath string
	var target float64
	var asJSON, closedSet bool
	_, _, err := LoadConfig("eval intents", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&trainPath, "train", "", "training JSONL: {\"text\",\"intent\"} per line; intent \"oos\" marks out-of-scope (required)")
		fs.StringVar(&testPath, "test", "", "test JSONL, same format (required)")
		fs.StringVar(&valPath, "val", "", "validation JSONL for calibration and thresholds (default: every 10th training example per intent)")
		fs.Float64Var(&target, "target-precision", 0.9, "precision the answer threshold must reach on validation data")
		fs.BoolVar(&asJSON, "json", false, "print only the JSON report")
		fs.BoolVar(&closedSet, "closed-set", false, "reject nothing as out of scope (closed-set benchmarks whose test has no out-of-scope lines, e.g. BANKING77)")
	})
	if err != nil {
		return err
	}
	if trainPath == "" || testPath == "" {
		return errors.New("--train and --test are required")
	}
	if target <= 0 || target > 1 {
		return errors.New("--target-precision must be in (0, 1]")
	}
	train, err := evals.ReadJSONLFile[intent.Example](trainPath)
	if err != nil {
		return err
	}
	test, err := evals.ReadJSONLFile[intent.Example](testPath)
	if err != nil {
		return err
	}
	var held []intent.Example
	if valPath != "" {
		if held, err = evals.ReadJSONLFile[intent.Example](valPath); err != nil {
			return err
		}
	} else {
		train, held = evals.HoldOut(train)
	}
	r, m, oosT, err := evals.BenchIntents(train, held, test, target, closedSet)
	if err != nil {
		return fmt.Errorf("%s: %w", trainPath, err)
	}
	if !asJSON {
		fmt.Fprintf(stderr, "%d intents, %d training, %d held-out, %d test examples; temperature %.3f; out-of-scope threshold %.3f (%s)\n",
			len(m.Labels), len(train), len(held), len(test), m.Temperature, oosT, r.OOSRule)
	}
	return json.NewEncoder(stdout).Encode(r)
}
