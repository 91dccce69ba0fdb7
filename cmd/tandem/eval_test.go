package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tandem/bot"
)

func TestEvalRetrieval(t *testing.T) {
	var out, errb bytes.Buffer
	args := []string{"eval", "retrieval", "--knowledge", "testdata/knowledge.jsonl", "--questions", "testdata/questions.jsonl", "--split", "dev", "--json"}
	if code := run(context.Background(), args, func(string) string { return "" }, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r struct {
		N         int     `json:"n"`
		RecallAt1 float64 `json:"recall_at_1"`
		RecallAt5 float64 `json:"recall_at_5"`
		MRR       float64 `json:"mrr_at_10"`
		P99       float64 `json:"p99_ms"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if r.N != 3 || r.RecallAt1 != 1 || r.RecallAt5 != 1 || r.MRR != 1 || r.P99 <= 0 {
		t.Fatalf("report = %+v, want 3 dev questions all found first", r)
	}
}

func TestEvalRetrievalErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"eval"}, "which eval"},
		{[]string{"eval", "nope"}, "unknown eval"},
		{[]string{"eval", "retrieval"}, "--knowledge and --questions are required"},
		{[]string{"eval", "retrieval", "--knowledge", "testdata/missing.jsonl", "--questions", "testdata/questions.jsonl"}, "no such file"},
		{[]string{"eval", "retrieval", "--knowledge", "testdata/broken.jsonl", "--questions", "testdata/questions.jsonl"}, "broken.jsonl: line 2"},
		{[]string{"eval", "retrieval", "--knowledge", "testdata/knowledge.jsonl", "--questions", "testdata/questions.jsonl", "--split", "test"}, `no questions with split "test"`},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), tt.args, func(string) string { return "" }, &out, &errb)
		if code == 0 || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want failure mentioning %q", tt.args, code, errb.String(), tt.want)
		}
	}
}

func TestEvalIntents(t *testing.T) {
	var out, errb bytes.Buffer
	args := []string{"eval", "intents", "--train", "testdata/intents_train.jsonl", "--test", "testdata/intents_test.jsonl", "--json"}
	if code := run(context.Background(), args, func(string) string { return "" }, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r map[string]any
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	for _, k := range []string{"n", "accuracy", "in_scope_accuracy", "oos_recall", "oos_precision", "macro_f1", "mcc", "oos_mcc", "ece", "coverage_at_target", "precision_at_target", "train_seconds"} {
		if _, ok := r[k].(float64); !ok {
			t.Errorf("report lacks %s: %s", k, out.String())
		}
	}
	if acc, _ := r["accuracy"].(float64); r["n"] != float64(3) || acc < 0.66 || r["oos_rule"] != "in_scope_quantile" {
		t.Fatalf("report = %s; want 3 test examples, at least 2 right, the in-scope quantile rule (no oos held out)", out.String())
	}
	out.Reset()
	args = append(args, "--closed-set")
	if code := run(context.Background(), args, func(string) string { return "" }, &out, &errb); code != 0 || !strings.Contains(out.String(), `"oos_threshold":0,"oos_rule":"closed_set"`) {
		t.Fatalf("--closed-set: exit %d %s", code, out.String())
	}
	code := run(context.Background(), []string{"eval", "intents", "--train", "testdata/intents_train.jsonl"}, func(string) string { return "" }, &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "--train and --test are required") {
		t.Fatalf("missing --test: exit %d %q", code, errb.String())
	}
}

func TestEvalConfidence(t *testing.T) {
	var out, errb bytes.Buffer
	args := []string{"eval", "confidence", "--knowledge", "testdata/knowledge.jsonl", "--questions", "testdata/questions.jsonl"}
	if code := run(context.Background(), args, func(string) string { return "" }, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r struct {
		FitN       int `json:"fit_n"`
		ECE        *float64
		Calibrator struct {
			Weights []float64
			Bias    float64
		}
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || r.ECE == nil || len(r.Calibrator.Weights) != len(bot.DefaultCalibrator.W) || r.FitN == 0 {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if code := run(context.Background(), []string{"eval", "confidence", "--knowledge", "x"}, func(string) string { return "" }, &out, &errb); code == 0 {
		t.Fatal("missing --questions accepted")
	}
}

// TestEvalIntentsWithoutOOS: an intent model trained on CLINC150 with its out-of-scope lines
// removed still rejects most of val's out-of-scope queries, by the live router's rule (the
// held-out in-scope probability quantile), and keeps in-scope accuracy.
func TestEvalIntentsWithoutOOS(t *testing.T) {
	sets := filepath.Join("..", "..", "..", "shared", "evalsets", "clinc150")
	all, err := os.ReadFile(filepath.Join(sets, "train.jsonl"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CLINC150 not found beside the project: %v", err)
		}
		t.Skipf("CLINC150 not found: %v", err)
	}
	var kept []string
	for _, l := range strings.Split(strings.TrimSpace(string(all)), "\n") {
		if !strings.Contains(l, `"intent": "oos"`) {
			kept = append(kept, l)
		}
	}
	train := filepath.Join(t.TempDir(), "train-no-oos.jsonl")
	os.WriteFile(train, []byte(strings.Join(kept, "\n")+"\n"), 0o644)
	for _, c := range []struct {
		flag       string
		rule       string
		minRecall  float64
		minInScope float64
	}{{"", "in_scope_quantile", 0.6, 0.9}} {
		var out, errb bytes.Buffer
		args := []string{"eval", "intents", "--train", train, "--test", filepath.Join(sets, "val.jsonl"), "--json"}
		if c.flag != "" {
			args = append(args, c.flag)
		}
		if code := run(context.Background(), args, func(string) string { return "" }, &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		var r struct {
			InScope   float64 `json:"in_scope_accuracy"`
			OOSRecall float64 `json:"oos_recall"`
			Rule      string  `json:"oos_rule"`
		}
		json.Unmarshal(out.Bytes(), &r)
		t.Logf("%s: %s", c.rule, out.String())
		if r.Rule != c.rule || r.OOSRecall < c.minRecall || r.InScope < c.minInScope {
			t.Errorf("%v: %+v, want rule %s, OOS recall ≥ %.2f, in-scope accuracy ≥ %.2f", args, r, c.rule, c.minRecall, c.minInScope)
		}
		if len(kept) != 15000 {
			t.Fatalf("%d training lines without oos, want 15000", len(kept))
		}
	}
}
