package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"tandem/evals"
	"tandem/intent"
)

// holdoutEvery picks every n-th example of each intent as held-out data when no --val is given.
const holdoutEvery = 10

// evalIntents trains on --train, calibrates and picks thresholds on --val (or a deterministic
// hold-out of --train), and scores --test.
func evalIntents(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var trainPath, testPath, valPath string
	var target float64
	var asJSON, closedSet bool
	_, _, err := loadConfig("eval intents", args, getenv, stderr, func(fs *flag.FlagSet) {
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
	train, err := readJSONLFile[intent.Example](trainPath)
	if err != nil {
		return err
	}
	test, err := readJSONLFile[intent.Example](testPath)
	if err != nil {
		return err
	}
	var held []intent.Example
	if valPath != "" {
		if held, err = readJSONLFile[intent.Example](valPath); err != nil {
			return err
		}
	} else {
		train, held = holdOut(train)
	}
	start := time.Now()
	m, err := intent.Train(train)
	if err != nil {
		return fmt.Errorf("%s: %w", trainPath, err)
	}
	m.Calibrate(held)
	secs := time.Since(start).Seconds()
	heldScored, testScored := score(m, held), score(m, test)
	oosT, rule := oosThreshold(m, heldScored, closedSet)
	answerT := evals.PickAnswerThreshold(heldScored, oosT, target)
	r := evals.IntentMetrics(testScored, oosT, answerT, target)
	r.OOSRule = rule
	r.TrainSeconds = float64(int(secs*100)) / 100
	if !asJSON {
		fmt.Fprintf(stderr, "%d intents, %d training, %d held-out, %d test examples; temperature %.3f; out-of-scope threshold %.3f (%s)\n",
			len(m.Labels), len(train), len(held), len(test), m.Temperature, oosT, rule)
	}
	return json.NewEncoder(stdout).Encode(r)
}

// oosThreshold picks the probability under which a prediction is out of scope: the one that
// labels the held-out data best when it has out-of-scope lines; when it has none, the live
// router's rule for a model trained without them (intent.InScopeThreshold of the held-out
// in-scope probabilities); with closedSet, none.
func oosThreshold(m *intent.Model, held []evals.Scored, closedSet bool) (float64, string) {
	if closedSet {
		return 0, "closed_set"
	}
	var probs []float64
	for _, s := range held {
		if s.Gold == evals.OOS {
			return evals.PickOOSThreshold(held), "held_out_oos"
		}
		probs = append(probs, s.Prob)
	}
	return intent.InScopeThreshold(probs), "in_scope_quantile"
}

func holdOut(all []intent.Example) (train, held []intent.Example) {
	seen := map[string]int{}
	for _, e := range all {
		seen[e.Intent]++
		if seen[e.Intent]%holdoutEvery == 0 {
			held = append(held, e)
		} else {
			train = append(train, e)
		}
	}
	return train, held
}

func score(m *intent.Model, xs []intent.Example) []evals.Scored {
	out := make([]evals.Scored, len(xs))
	for i, e := range xs {
		p := m.Predict(e.Text)
		out[i] = evals.Scored{Gold: e.Intent, Pred: p.Intent, Prob: p.Probability}
	}
	return out
}
