package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"tandem/chat"
	"tandem/config"
	"tandem/evals"
	"tandem/knowledge"
	"tandem/progress"
	"tandem/retrieval"
)

const evalUsage = `Usage: tandem eval <kind> [flags]

Eval sets (stored; built from imported files and from the review queue):
  import      add cases to a set: tandem eval import --set NAME [--replace] FILE.jsonl
              (case lines, {"text","intent"} intent lines, or {"question","answer_ids"} QA lines)
  export      print a set's cases as JSONL: tandem eval export --set NAME [--format case|intents|qa]
  sets        list the sets and their latest runs
  run         replay a set through the current configuration and score it:
              tandem eval run --set NAME [--baseline RUN|latest] [--fail-on-regression] [--json] [--report out.html]
              (a set with no runs yet runs without a baseline; its run is the next one's "latest")
  calibrate   fit the intent threshold for the target precision on half of a set, check it on
              the other half, and activate it: tandem eval calibrate --set NAME [--target P] | --revert

Benchmarks on files (each: tandem eval KIND --help; --json for machine-readable output):
  retrieval   recall@k and latency of knowledge search on a QA set
  intents     intent accuracy, out-of-scope detection and calibration on a labelled set
  confidence  fit and check the bot's answer confidence, P(the top answer is right), on a QA set
  answers     start the bot on a knowledge base (the demo's by default) and ask it natural
              questions, one conversation each: answered right / wrong / deferred and
              out-of-scope held, by language: tandem eval answers [--questions FILE.jsonl]
              [--knowledge PATH --intents FILE] [--format table|json] [--report out.html|out.md] [--save SET]
`

// cmdEval dispatches `tandem eval <kind>`.
func (d Deps) cmdEval(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, evalUsage)
		if len(args) == 0 {
			return errors.New("which eval? see the kinds above")
		}
		return ErrHelp
	}
	kinds := map[string]Command{"retrieval": d.evalRetrieval, "confidence": d.evalConfidence, "intents": d.evalIntents,
		"answers": d.evalAnswers, "import": d.evalImport, "export": d.evalExport, "sets": d.evalSets, "run": d.evalRun,
		"calibrate": d.evalCalibrate}
	if run, ok := kinds[args[0]]; ok {
		return run(ctx, args[1:], getenv, stdout, stderr)
	}
	return fmt.Errorf("unknown eval %q\n\n%s", args[0], evalUsage)
}

// evalRetrieval loads a knowledge file into a fresh temporary store and scores a question file.
func (d Deps) evalRetrieval(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var knowledge, questionsPath, split string
	var k int
	var asJSON bool
	cfg, _, err := LoadConfig("eval retrieval", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&knowledge, "knowledge", "", "knowledge JSONL: {\"id\",\"title\",\"text\"} per line (required)")
		fs.StringVar(&questionsPath, "questions", "", "questions JSONL: {\"question\",\"answer_ids\",\"split\"} per line (required)")
		fs.StringVar(&split, "split", "", "only questions of this split (default: all)")
		fs.IntVar(&k, "k", 10, "results per query")
		fs.BoolVar(&asJSON, "json", false, "print only the JSON report")
	})
	if err != nil {
		return err
	}
	if knowledge == "" || questionsPath == "" {
		return errors.New("--knowledge and --questions are required")
	}
	if k < 1 || k > 100 {
		return errors.New("--k must be 1–100")
	}
	questions, err := evals.ReadQuestions(questionsPath, split)
	if err != nil {
		return err
	}
	kb, passages, cleanup, err := d.evalKnowledge(ctx, cfg, knowledge, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	bar := progress.New(stderr, "searching", len(questions))
	report := evals.Retrieval(questions, evals.DocumentSearch(ctx, kb.Search), k, bar.Set)
	bar.Done()
	if !asJSON {
		fmt.Fprintf(stderr, "%d passages, %d questions, store %s, k %d\n", len(passages), len(questions), cfg.StoreKind(), k)
	}
	return json.NewEncoder(stdout).Encode(report)
}

// evalKnowledge loads a knowledge file into a fresh temporary store, embeds it and returns the
// knowledge base over it; cleanup removes the store.
func (d Deps) evalKnowledge(ctx context.Context, cfg config.Config, path string, stderr io.Writer) (*knowledge.Base, []chat.Document, func(), error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil, err
	}
	passages, err := retrieval.ParseFile(path, data, time.Now().UTC())
	if err != nil {
		return nil, nil, nil, err
	}
	st, cleanup, err := d.Temp(ctx, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	kb, err := knowledge.New(ctx, cfg, st, Logger(cfg, stderr))
	if err == nil {
		if r := kb.Importer.Documents(ctx, path, passages, "eval"); r.Error != "" {
			err = errors.New(r.Error)
		}
	}
	if err == nil {
		err = kb.Ready(ctx, stderr)
	}
	if err != nil {
		cleanup()
		return nil, nil, nil, err
	}
	return kb, passages, cleanup, nil
}
