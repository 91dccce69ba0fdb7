// Package demo holds the bundled demo knowledge base of Harbor Mutual, a fictional insurer, used by `tandem demo`.
package demo

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"tandem/chat"
	"tandem/retrieval"
)

// KB is the demo knowledge base: Markdown articles with front matter under kb/en and kb/zh.
//
//go:embed kb
var KB embed.FS

// Intents are the demo's trainer-defined intents (JSONL: policy and example lines): complaints go
// to the complaints team at high priority; greetings and thanks get canned answers.
//
//go:embed intents.jsonl
var Intents []byte

// Questions is the demo's natural-question set for `tandem eval answers` (JSONL:
// {"id","lang","question","expect"}), written from the articles' titles only, before their
// wording was read.
//
//go:embed evals/answers.jsonl
var Questions []byte

// Actions are the demo's bot actions on its fake back-end (demo/backend), as an admin would import
// them: their URLs name the host harbor-mutual.demo and their credentials DEMO_TOKEN and
// DEMO_SECRET, which `tandem demo` replaces with its back-end's loopback address and credentials.
//
//go:embed actions.json
var Actions []byte

// ActionIntents are the intents that run the demo's actions (claim status, next premium, policy
// documents, address changes), loaded with them by `tandem demo`.
//
//go:embed action_intents.jsonl
var ActionIntents []byte

// Synonyms are the demo's synonym groups for customer-service and insurance words, in English and
// Chinese (JSONL: {"lang","words":[…]} per line).
//
//go:embed synonyms.jsonl
var Synonyms []byte

// Documents parses the demo articles, as created at now.
func Documents(now time.Time) ([]chat.Document, error) {
	var docs []chat.Document
	err := fs.WalkDir(KB, "kb", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		data, err := KB.ReadFile(path)
		if err != nil {
			return err
		}
		doc, err := retrieval.ParseMarkdown(path, data, now)
		if err != nil {
			return err
		}
		docs = append(docs, doc)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("demo knowledge base: %w", err)
	}
	return docs, nil
}
