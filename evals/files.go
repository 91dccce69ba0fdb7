package evals

import (
	"fmt"
	"io"
	"os"
)

// ReadJSONLFile reads the JSONL file at path, one value a line; errors name the file and line.
func ReadJSONLFile[T any](path string) ([]T, error) { return readFile(path, ReadJSONL[T]) }

// ReadAnswerQuestionsFile reads the natural-question set at path (see ReadAnswerQuestions).
func ReadAnswerQuestionsFile(path string) ([]AnswerQuestion, error) {
	return readFile(path, ReadAnswerQuestions)
}

// readFile reads the file at path with read; errors name the file.
func readFile[T any](path string, read func(io.Reader) (T, error)) (T, error) {
	var v T
	f, err := os.Open(path)
	if err != nil {
		return v, err
	}
	defer f.Close()
	if v, err = read(f); err != nil {
		return v, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// ReadQuestions reads a QA set's questions of one split (all when split is empty); no question
// is an error.
func ReadQuestions(path, split string) ([]Question, error) {
	questions, err := ReadJSONLFile[Question](path)
	if err != nil {
		return nil, err
	}
	questions = filterSplit(questions, split)
	if len(questions) == 0 {
		return nil, fmt.Errorf("no questions with split %q in %s", split, path)
	}
	return questions, nil
}

func filterSplit(qs []Question, split string) []Question {
	if split == "" {
		return qs
	}
	var out []Question
	for _, q := range qs {
		if q.Split == split {
			out = append(out, q)
		}
	}
	return out
}
