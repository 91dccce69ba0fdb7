package cli

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tandem/channels"
	"tandem/config"
	"tandem/demo"
	"tandem/demo/seed"
	"tandem/evals"
	"tandem/intent"
	"tandem/knowledge"
	"tandem/secret"
)

// Limits of an answers eval.
const (
	// answersReadyTimeout bounds the wait for the eval's server to report ready.
	answersReadyTimeout = 2 * time.Minute
	// answersTurnTimeout bounds one question's two requests.
	answersTurnTimeout = 30 * time.Second
	// answersWorkers is how many questions are asked at once, each in its own conversation.
	answersWorkers = 4
)

// evalAnswers handles `tandem eval answers`: it loads a knowledge base into a fresh store, starts
// the server on it as `tandem demo` does, asks every question of a natural-question set through
// the app API in a conversation of its own, and reports answered right / wrong / deferred and
// out-of-scope held, overall and by language.
func (d Deps) evalAnswers(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var questionsPath, intentsPath, format, reportPath, save string
	var knowledge stringList
	var cold bool
	cfg, _, err := LoadConfig("eval answers", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&questionsPath, "questions", "", "natural questions JSONL: {\"id\",\"lang\",\"question\",\"expect\":\"<article id>\"|null} (default: the demo's set)")
		fs.Var(&knowledge, "knowledge", "a knowledge file or folder (`PATH`) to answer from, as tandem kb import reads them; repeatable (default: the demo knowledge base and intents)")
		fs.StringVar(&intentsPath, "intents", "", "intents JSONL to load with --knowledge (default: none)")
		fs.StringVar(&format, "format", "table", "table or json")
		fs.StringVar(&reportPath, "report", "", "write a report listing every miss: .html (the eval report page) or .md")
		fs.BoolVar(&cold, "cold", false, "start the server on the stored knowledge without embedding it first, and ask as soon as /readyz is ready, as a fresh tandem demo would be asked (default: embed everything first, to measure answer quality alone)")
		fs.StringVar(&save, "save", "", "also store the questions as this eval set and the run in the configured store, so the trainer console lists the run and its report")
	})
	if err != nil {
		return err
	}
	if err := checkAnswersFlags(format, reportPath, save, questionsPath, intentsPath, knowledge); err != nil {
		return err
	}
	qs, err := readAnswerQuestions(questionsPath)
	if err != nil {
		return err
	}
	st, cleanup, err := d.Temp(ctx, cfg)
	if err != nil {
		return err
	}
	defer cleanup()
	kbName, err := prepareAnswersStore(ctx, cfg, st, knowledge, intentsPath, !cold, stderr)
	if err != nil {
		return err
	}
	docs, err := st.Documents(ctx)
	if err != nil {
		return err
	}
	if err := evals.CheckExpected(qs, docs); err != nil {
		return err
	}
	cases := make([]evals.Case, len(qs))
	for i, q := range qs {
		cases[i] = q.Case()
	}
	results, err := d.askThroughServer(ctx, evalServeConfig(cfg), st, cases, stderr)
	if err != nil {
		return err
	}
	out := evals.AnswersSummary{Questions: cmp.Or(questionsPath, "demo/evals/answers.jsonl (built in)"), Knowledge: kbName, Store: cfg.StoreKind(),
		Target: cfg.TargetPrecision, Report: evals.SummarizeAnswers(cases, results), Misses: evals.Misses(qs, results)}
	r := evals.NewSetRun(cmp.Or(save, "answers"), map[string]string{"eval": "answers", "knowledge": kbName, "questions": out.Questions,
		"store": out.Store, "target_precision": fmt.Sprint(cfg.TargetPrecision), "embedder": cfg.Embedder, "llm": cfg.LLMModel,
		"cold": fmt.Sprint(cold)}, cases, results, cfg.TargetPrecision, time.Now())
	if save != "" {
		if err := d.saveAnswersRun(ctx, cfg, save, r); err != nil {
			return err
		}
		out.Set, out.Run = save, r.Run.ID
	}
	if reportPath != "" {
		write := r.WriteReport
		if filepath.Ext(reportPath) == ".md" {
			write = func(w io.Writer) error { out.WriteMarkdown(w); return nil }
		}
		if err := writeFile(reportPath, write); err != nil {
			return err
		}
	}
	if format == "json" {
		return printJSON(stdout, out)
	}
	out.WriteTable(stdout)
	if reportPath != "" {
		fmt.Fprintf(stdout, "report with every miss: %s\n", reportPath)
	}
	return nil
}

// checkAnswersFlags rejects flags of `tandem eval answers` that do not go together.
func checkAnswersFlags(format, reportPath, save, questionsPath, intentsPath string, paths []string) error {
	if format != "table" && format != "json" {
		return fmt.Errorf("--format is table or json, not %q", format)
	}
	if reportPath != "" && !strings.HasSuffix(reportPath, ".html") && !strings.HasSuffix(reportPath, ".md") {
		return errors.New("--report names an .html or .md file")
	}
	if save != "" {
		if err := evals.ValidSetName(save); err != nil {
			return fmt.Errorf("--save: %w", err)
		}
	}
	if len(paths) > 0 && questionsPath == "" {
		return errors.New("--questions is required with --knowledge: the demo's questions expect the demo's articles")
	}
	if intentsPath != "" && len(paths) == 0 {
		return errors.New("--intents goes with --knowledge; the demo knowledge base brings the demo intents")
	}
	return nil
}

// readAnswerQuestions reads the question set at path, or the demo's when path is empty.
func readAnswerQuestions(path string) ([]evals.AnswerQuestion, error) {
	if path != "" {
		return evals.ReadAnswerQuestionsFile(path)
	}
	qs, err := evals.ReadAnswerQuestions(bytes.NewReader(demo.Questions))
	if err != nil {
		return nil, fmt.Errorf("demo questions: %w", err)
	}
	return qs, nil
}

// prepareAnswersStore fills a fresh store as `tandem demo` does (the demo knowledge base and
// intents), or with the given knowledge files and intents, and with embed, embeds every chunk so
// the server starts on its complete index. It returns a name for the knowledge base.
func prepareAnswersStore(ctx context.Context, cfg config.Config, st Store, paths []string, intentsPath string, embed bool, stderr io.Writer) (string, error) {
	if len(paths) == 0 {
		if _, _, err := seed.Load(ctx, st); err != nil {
			return "", err
		}
	}
	kb, err := knowledge.New(ctx, cfg, st, Logger(cfg, stderr))
	if err != nil {
		return "", err
	}
	if len(paths) > 0 {
		files, err := knowledge.ExpandPaths(paths)
		if err != nil {
			return "", err
		}
		for _, f := range files {
			if r := kb.ImportFile(ctx, f, "eval"); r.Error != "" {
				return "", errors.New(r.Error)
			}
		}
	}
	if intentsPath != "" {
		data, err := os.ReadFile(intentsPath)
		if err != nil {
			return "", err
		}
		if _, err := intent.Import(ctx, st, data); err != nil {
			return "", fmt.Errorf("%s: %w", intentsPath, err)
		}
	}
	if embed {
		if err := kb.EmbedNow(ctx, stderr); err != nil {
			return "", err
		}
	}
	return cmp.Or(strings.Join(paths, ","), "demo"), nil
}

// evalServeConfig is the configuration of the eval's own server: everything as configured (the
// LLM, embedder, target precision, hours, limits), on a loopback port, with every channel, the
// alert webhook, the debug listener and the public URL off, and a throwaway master secret.
func evalServeConfig(cfg config.Config) config.Config {
	c := cfg
	c.Addr, c.PublicURL, c.DebugAddr, c.AlertRules, c.AlertWebhook = "127.0.0.1:0", "", "", "", ""
	channels.Clear(&c)
	c.Secret, c.SecretName = secret.Hex(32), "TANDEM_SECRET"
	if c.LogLevel == "" || c.LogLevel == "info" {
		c.LogLevel = "warn" // the server's start and stop lines would bury the report
	}
	return c
}

// askThroughServer starts the server on st, waits until /readyz reports ready, asks each case in
// a new conversation through the app API, stops the server and scores the replies.
func (d Deps) askThroughServer(ctx context.Context, cfg config.Config, st Store, cases []evals.Case, stderr io.Writer) ([]evals.Result, error) {
	key := "tk_eval_" + secret.Hex(12)
	if err := seed.APIKey(ctx, st, "eval answers", key); err != nil {
		return nil, err
	}
	srvCtx, stop := context.WithCancel(ctx)
	defer stop()
	baseCh := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- d.Serve(srvCtx, cfg, Logger(cfg, stderr), st, func(base string) { baseCh <- base }) }()
	var base string
	select {
	case base = <-baseCh:
	case err := <-done:
		return nil, fmt.Errorf("server: %w", err)
	}
	client := &evals.AppClient{Base: base, Key: key, HTTP: &http.Client{Timeout: answersTurnTimeout}}
	if err := client.WaitReady(ctx, answersReadyTimeout); err != nil {
		return nil, err
	}
	bar, finish := progressBar(stderr, "asking")
	results, err := evals.Run(ctx, cases, answersWorkers, client.Ask, bar)
	finish()
	stop()
	if serr := <-done; err == nil && serr != nil && !errors.Is(serr, context.Canceled) {
		err = fmt.Errorf("server: %w", serr)
	}
	if err != nil {
		return nil, err
	}
	for i := range results {
		results[i] = evals.ScoreAnswer(cases[i], results[i].Outcome)
	}
	return results, nil
}

// saveAnswersRun stores the questions as an eval set and the run with its results in the
// configured store, where the trainer console lists the run and serves its report.
func (d Deps) saveAnswersRun(ctx context.Context, cfg config.Config, set string, r evals.SetRun) error {
	st, err := d.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := evals.PutCases(ctx, st, set, r.Cases, true, time.Now().UTC()); err != nil {
		return err
	}
	return evals.PutRun(ctx, st, r.Run, r.Results)
}
