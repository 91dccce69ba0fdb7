package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"tandem/channels"
	"tandem/chat"
	"tandem/config"
	"tandem/conversation"
	"tandem/demo"
	"tandem/demo/seed"
	"tandem/evals"
	"tandem/intent"
	"tandem/knowledge"
	"tandem/progress"
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

// answersOutput is what `tandem eval answers --format json` prints.
type answersOutput struct {
	Questions string              `json:"questions"`
	Knowledge string              `json:"knowledge"`
	Store     string              `json:"store"`
	Target    float64             `json:"target_precision"`
	Report    evals.AnswersReport `json:"report"`
	Misses    []answerMiss        `json:"misses"`
	Set       string              `json:"set,omitempty"` // the stored set, with --save
	Run       string              `json:"run,omitempty"` // the stored run, with --save
}

// answerMiss is one question the bot did not get right: deferred, answered wrong, an
// out-of-scope question answered, or an error.
type answerMiss struct {
	ID         string   `json:"id"`
	Lang       string   `json:"lang"`
	Question   string   `json:"question"`
	Expect     *string  `json:"expect"`
	Class      string   `json:"class"`
	Decision   string   `json:"decision"`
	Reason     string   `json:"reason,omitempty"`
	Intent     string   `json:"intent,omitempty"`
	Confidence float64  `json:"confidence"`
	Sources    []string `json:"sources,omitempty"`
	Error      string   `json:"error,omitempty"`
}

// evalAnswers handles `tandem eval answers`: it loads a knowledge base into a fresh store, starts
// the server on it as `tandem demo` does, asks every question of a natural-question set through
// the app API in a conversation of its own, and reports answered right / wrong / deferred and
// out-of-scope held, overall and by language.
func evalAnswers(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var questionsPath, intentsPath, format, reportPath, save string
	var knowledge stringList
	var cold bool
	cfg, _, err := loadConfig("eval answers", args, getenv, stderr, func(fs *flag.FlagSet) {
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
	if format != "table" && format != "json" {
		return fmt.Errorf("--format is table or json, not %q", format)
	}
	if reportPath != "" && !strings.HasSuffix(reportPath, ".html") && !strings.HasSuffix(reportPath, ".md") {
		return errors.New("--report names an .html or .md file")
	}
	if save != "" {
		if err := validSetName(save); err != nil {
			return fmt.Errorf("--save: %w", err)
		}
	}
	if len(knowledge) > 0 && questionsPath == "" {
		return errors.New("--questions is required with --knowledge: the demo's questions expect the demo's articles")
	}
	if intentsPath != "" && len(knowledge) == 0 {
		return errors.New("--intents goes with --knowledge; the demo knowledge base brings the demo intents")
	}
	qs, err := readAnswerQuestions(questionsPath)
	if err != nil {
		return err
	}
	st, cleanup, err := tempStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer cleanup()
	kbName, err := prepareAnswersStore(ctx, cfg, st, knowledge, intentsPath, !cold, stderr)
	if err != nil {
		return err
	}
	if err := checkExpected(ctx, st, qs); err != nil {
		return err
	}
	cases := make([]evals.Case, len(qs))
	for i, q := range qs {
		cases[i] = q.Case()
	}
	results, err := askThroughServer(ctx, evalServeConfig(cfg), st, cases, stderr)
	if err != nil {
		return err
	}
	out := answersOutput{Questions: cmp.Or(questionsPath, "demo/evals/answers.jsonl (built in)"), Knowledge: kbName, Store: storeKind(cfg),
		Target: cfg.TargetPrecision, Report: evals.SummarizeAnswers(cases, results), Misses: misses(qs, results)}
	run := chat.EvalRun{ID: "run-" + time.Now().UTC().Format("20060102-150405") + "-" + conversation.NewID()[:6], Set: cmp.Or(save, "answers"),
		Config: map[string]string{"eval": "answers", "knowledge": kbName, "questions": out.Questions, "store": out.Store,
			"target_precision": fmt.Sprint(cfg.TargetPrecision), "embedder": cfg.Embedder, "llm": cfg.LLMModel, "cold": fmt.Sprint(cold)},
		CreatedAt: time.Now().UTC()}
	metrics := evals.Summarize(results, cfg.TargetPrecision)
	run.Metrics, _ = json.Marshal(metrics)
	if save != "" {
		if err := saveAnswersRun(ctx, cfg, save, cases, run, results); err != nil {
			return err
		}
		out.Set, out.Run = save, run.ID
	}
	if reportPath != "" {
		if err := writeAnswersReport(reportPath, run, metrics, out, cases, results); err != nil {
			return err
		}
	}
	if format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	printAnswers(stdout, out, reportPath)
	return nil
}

// readAnswerQuestions reads the question set at path, or the demo's when path is empty.
func readAnswerQuestions(path string) ([]evals.AnswerQuestion, error) {
	if path == "" {
		qs, err := evals.ReadAnswerQuestions(bytes.NewReader(demo.Questions))
		if err != nil {
			return nil, fmt.Errorf("demo questions: %w", err)
		}
		return qs, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	qs, err := evals.ReadAnswerQuestions(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return qs, nil
}

// prepareAnswersStore fills a fresh store as `tandem demo` does (the demo knowledge base and
// intents), or with the given knowledge files and intents, and with embed, embeds every chunk so
// the server starts on its complete index. It returns a name for the knowledge base.
func prepareAnswersStore(ctx context.Context, cfg config.Config, st store, paths []string, intentsPath string, embed bool, stderr io.Writer) (string, error) {
	if len(paths) == 0 {
		if _, _, err := seed.Load(ctx, st); err != nil {
			return "", err
		}
	}
	kb, err := knowledge.New(ctx, cfg, st, newLogger(cfg, stderr))
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
	if len(paths) == 0 {
		return "demo", nil
	}
	return strings.Join(paths, ","), nil
}

// checkExpected fails on a question expecting an article the knowledge base does not have: a
// typo in a set would otherwise count as the bot's mistake.
func checkExpected(ctx context.Context, st store, qs []evals.AnswerQuestion) error {
	docs, err := st.Documents(ctx)
	if err != nil {
		return err
	}
	ids := make(map[string]bool, len(docs))
	for _, d := range docs {
		ids[d.ID] = true
	}
	for _, q := range qs {
		if q.Expect != nil && !ids[*q.Expect] {
			return fmt.Errorf("question %s expects article %q, which the knowledge base does not have", q.ID, *q.Expect)
		}
	}
	return nil
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
// a new conversation through the app API and stops the server.
func askThroughServer(ctx context.Context, cfg config.Config, st store, cases []evals.Case, stderr io.Writer) ([]evals.Result, error) {
	key := "tk_eval_" + secret.Hex(12)
	if err := seed.APIKey(ctx, st, "eval answers", key); err != nil {
		return nil, err
	}
	srvCtx, stop := context.WithCancel(ctx)
	defer stop()
	baseCh := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(srvCtx, cfg, newLogger(cfg, stderr), st, func(base string) { baseCh <- base }) }()
	var base string
	select {
	case base = <-baseCh:
	case err := <-done:
		return nil, fmt.Errorf("server: %w", err)
	}
	client := &appClient{base: base, key: key, http: &http.Client{Timeout: answersTurnTimeout}}
	if err := client.waitReady(ctx, answersReadyTimeout); err != nil {
		return nil, err
	}
	bar := progress.New(stderr, "asking", len(cases))
	results, err := evals.Run(ctx, cases, answersWorkers, client.ask, func(n, _ int) { bar.Set(n) })
	bar.Done()
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

// appClient asks questions through the app API, as an app integrating Tandem would.
type appClient struct {
	base, key string
	http      *http.Client
}

func (c *appClient) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/readyz", nil)
		resp, err := c.http.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the eval server was not ready within %s", timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ask opens a conversation for the case and sends its text; the outcome is the bot's reply.
func (c *appClient) ask(ctx context.Context, cs evals.Case) (evals.Outcome, error) {
	var conv struct {
		ID string `json:"id"`
	}
	body := map[string]any{"customer": map[string]string{"id": "eval-" + cs.ID}, "lang": cs.Lang}
	if err := c.post(ctx, "/api/v1/conversations", body, &conv); err != nil {
		return evals.Outcome{}, err
	}
	var res conversation.Result
	start := time.Now()
	if err := c.post(ctx, "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"text": cs.Text}, &res); err != nil {
		return evals.Outcome{}, err
	}
	if len(res.Replies) == 0 {
		return evals.Outcome{}, errors.New("no reply")
	}
	r := res.Replies[0]
	o := evals.Outcome{Decision: string(r.Decision), Reason: r.Reason, Intent: r.Intent, Text: r.Text,
		Millis: float64(time.Since(start).Microseconds()) / 1000}
	if r.Confidence != nil {
		o.Confidence = *r.Confidence
	}
	for _, s := range r.Sources {
		o.Sources = append(o.Sources, s.ID)
	}
	return o, nil
}

func (c *appClient) post(ctx context.Context, path string, body, out any) error {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, bytes.TrimSpace(data))
	}
	return json.Unmarshal(data, out)
}

// misses lists the questions not answered right (out-of-scope ones held are not misses),
// confidently wrong answers first.
func misses(qs []evals.AnswerQuestion, results []evals.Result) []answerMiss {
	var out []answerMiss
	for i, r := range results {
		if r.Correct {
			continue
		}
		q := qs[i]
		out = append(out, answerMiss{ID: q.ID, Lang: q.Lang, Question: q.Question, Expect: q.Expect, Class: r.Class, Decision: r.Decision,
			Reason: r.Reason, Intent: r.Intent, Confidence: r.Confidence, Sources: r.Sources, Error: r.Err})
	}
	slices.SortStableFunc(out, func(a, b answerMiss) int { return missRank(a) - missRank(b) })
	return out
}

// missRank orders misses: answers that mislead customers first, then errors, then deferrals.
func missRank(m answerMiss) int {
	switch m.Class {
	case evals.OOSAnswered, evals.AnswerWrong:
		return 0
	case evals.AnswerError:
		return 1
	}
	return 2
}

// printAnswers prints the table: one row overall and one per language.
func printAnswers(w io.Writer, out answersOutput, reportPath string) {
	o := out.Report.Overall
	fmt.Fprintf(w, "answers eval: %d questions (%d in scope, %d out of scope) from %s, knowledge %s, %s store, target precision %.2f\n\n",
		o.Questions, o.InScope, o.OOS, out.Questions, out.Knowledge, out.Store, out.Target)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LANG\tIN SCOPE\tRIGHT\tWRONG\tDEFERRED\tFIRST SOURCE RIGHT\tOUT OF SCOPE\tOOS HELD\tOOS ANSWERED\tERRORS")
	rate := func(n int, r float64) string { return fmt.Sprintf("%.3f (%d)", r, n) }
	for _, t := range append([]evals.AnswerTally{o}, out.Report.ByLang...) {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%d\n", cmp.Or(t.Lang, "all"), t.InScope, rate(t.Right, t.RightRate),
			rate(t.Wrong, t.WrongRate), rate(t.Deferred, t.DeferredRate), rate(t.FirstRight, t.FirstRightRate), t.OOS,
			rate(t.OOSHeld, t.OOSHeldRate), rate(t.OOSAnswered, t.OOSAnsRate), t.Errors)
	}
	tw.Flush()
	if len(o.DeferredBy) > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(o.DeferredBy)) {
			parts = append(parts, fmt.Sprintf("%s %d", k, o.DeferredBy[k]))
		}
		fmt.Fprintf(w, "\ndeferred by decision:reason: %s\n", strings.Join(parts, ", "))
	}
	if out.Run != "" {
		fmt.Fprintf(w, "stored as run %s of eval set %s (trainer console, Evals)\n", out.Run, out.Set)
	}
	if reportPath != "" {
		fmt.Fprintf(w, "report with every miss: %s\n", reportPath)
	}
}

// writeAnswersReport writes the HTML eval report page with the answers table, or a Markdown
// report, listing every miss.
func writeAnswersReport(path string, run chat.EvalRun, m evals.Metrics, out answersOutput, cases []evals.Case, results []evals.Result) error {
	var buf bytes.Buffer
	if filepath.Ext(path) == ".md" {
		writeAnswersMarkdown(&buf, out)
	} else if err := writeReport(&buf, run.Set, run, m, results, nil, nil, cases, nil); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func writeAnswersMarkdown(w io.Writer, out answersOutput) {
	fmt.Fprintf(w, "# Answers eval\n\nQuestions: %s · knowledge: %s · store: %s · target precision %.2f\n\n", out.Questions, out.Knowledge, out.Store, out.Target)
	fmt.Fprintln(w, "| Language | In scope | Right | Wrong | Deferred | First source right | Out of scope | OOS held | OOS answered |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, t := range append([]evals.AnswerTally{out.Report.Overall}, out.Report.ByLang...) {
		fmt.Fprintf(w, "| %s | %d | %.3f (%d) | %.3f (%d) | %.3f (%d) | %.3f (%d) | %d | %.3f (%d) | %.3f (%d) |\n", cmp.Or(t.Lang, "all"), t.InScope,
			t.RightRate, t.Right, t.WrongRate, t.Wrong, t.DeferredRate, t.Deferred, t.FirstRightRate, t.FirstRight, t.OOS, t.OOSHeldRate, t.OOSHeld, t.OOSAnsRate, t.OOSAnswered)
	}
	fmt.Fprintf(w, "\n## Misses (%d)\n\n| Class | Question | Expected | Got | Decision | Confidence |\n|---|---|---|---|---|---:|\n", len(out.Misses))
	for _, m := range out.Misses {
		expect := "(out of scope)"
		if m.Expect != nil {
			expect = *m.Expect
		}
		got := strings.Join(m.Sources, ", ")
		if m.Intent != "" {
			got = strings.TrimPrefix(got+", intent "+m.Intent, ", ")
		}
		decision := m.Decision
		if m.Reason != "" {
			decision += " (" + m.Reason + ")"
		}
		if m.Error != "" {
			decision = "error: " + m.Error
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %.2f |\n", m.Class, mdCell(m.Question), mdCell(expect), mdCell(got), mdCell(decision), m.Confidence)
	}
}

// mdCell keeps a value inside one Markdown table cell.
func mdCell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}

// saveAnswersRun stores the questions as an eval set and the run with its results in the
// configured store, where the trainer console lists the run and serves its report.
func saveAnswersRun(ctx context.Context, cfg config.Config, set string, cases []evals.Case, run chat.EvalRun, results []evals.Result) error {
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.PutEvalCases(ctx, set, records(cases, caseID), true, time.Now().UTC()); err != nil {
		return err
	}
	return st.PutEvalRun(ctx, run, records(results, resultID))
}
