package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
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
	var r map[string]float64
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	for _, k := range []string{"n", "accuracy", "in_scope_accuracy", "oos_recall", "oos_precision", "macro_f1", "mcc", "oos_mcc", "ece", "coverage_at_target", "precision_at_target", "train_seconds"} {
		if _, ok := r[k]; !ok {
			t.Errorf("report lacks %s: %s", k, out.String())
		}
	}
	if r["n"] != 3 || r["accuracy"] < 0.66 {
		t.Fatalf("report = %s; want 3 test examples, at least 2 right", out.String())
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
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || r.ECE == nil || len(r.Calibrator.Weights) != 4 || r.FitN == 0 {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if code := run(context.Background(), []string{"eval", "confidence", "--knowledge", "x"}, func(string) string { return "" }, &out, &errb); code == 0 {
		t.Fatal("missing --questions accepted")
	}
}
