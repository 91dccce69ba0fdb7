package evals

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadQuestions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "qa.jsonl")
	lines := `{"question":"a","answer_ids":["k1"],"split":"dev"}` + "\n\n" + `{"question":"b","answer_ids":["k2"],"split":"test"}` + "\n"
	if err := os.WriteFile(path, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	if qs, err := ReadQuestions(path, ""); err != nil || len(qs) != 2 {
		t.Fatalf("all splits = %+v, %v", qs, err)
	}
	if qs, err := ReadQuestions(path, "test"); err != nil || len(qs) != 1 || qs[0].AnswerIDs[0] != "k2" {
		t.Fatalf("test split = %+v, %v", qs, err)
	}
	if _, err := ReadQuestions(path, "train"); err == nil || !strings.Contains(err.Error(), `no questions with split "train"`) {
		t.Errorf("an empty split: %v", err)
	}
	os.WriteFile(path, []byte(lines+"{broken\n"), 0o600)
	if _, err := ReadJSONLFile[Question](path); err == nil || !strings.Contains(err.Error(), path+": line 4") {
		t.Errorf("a broken line: %v", err)
	}
	if _, err := ReadAnswerQuestionsFile(filepath.Join(t.TempDir(), "missing.jsonl")); !os.IsNotExist(err) {
		t.Errorf("a missing file: %v", err)
	}
}
