// Command bench measures Tandem's message path under load on Postgres and, in the same run, two
// references on the same machine: pgbench's single-row-insert TPS on the same server, and a bare
// echo handler's requests/s. It prints our figures as ratios of theirs.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// benchConns lifts the server's per-IP connection cap: every simulated customer and agent of a
// benchmark connects from this machine's one address.
const benchConns = "TANDEM_MAX_CONNS_PER_IP=100000"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	db       string
	bin      string
	before   string // a second tandem binary the load benchmark measures first ("": none)
	partial  bool   // -only: some benchmarks' sections are kept from an earlier run
	out      string
	clients  int
	duration time.Duration
	stay     bool
	refs     bool
	load     bool
	kb       bool
	kbChunks int
	handoff  bool
	ho       handoffOptions
	crash    bool
	cr       crashOptions
	soak     bool
	sk       soakOptions
}

func run() error {
	var o options
	flag.StringVar(&o.db, "db", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "Postgres URL of an admin database; a tandem_bench database is created next to it")
	flag.StringVar(&o.bin, "bin", "bin/tandem", "the tandem binary")
	flag.StringVar(&o.before, "bin-before", "", "load benchmark: also measure this tandem binary (e.g. a build of main) in the same run, before -bin, each on a fresh database")
	flag.StringVar(&o.out, "out", "bench/results.txt", "results file")
	flag.IntVar(&o.clients, "clients", 64, "concurrent simulated customers")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "measurement time per system")
	flag.BoolVar(&o.stay, "load-stay", false, "load benchmark: a customer the bot handed to a person keeps writing into the waiting conversation, as the load was measured before (then most messages are stored for a person, not bot turns)")
	flag.BoolVar(&o.refs, "refs", true, "also run the pgbench and echo references (false: only Tandem, results not written)")
	flag.BoolVar(&o.load, "load", true, "run the message-path load benchmark")
	flag.BoolVar(&o.kb, "retrieval", true, "run the retrieval benchmark (against bleve)")
	flag.IntVar(&o.kbChunks, "kb-chunks", 100000, "retrieval benchmark: generated chunks")
	flag.BoolVar(&o.handoff, "handoff", true, "run the handoff-notification benchmark (2 replicas, agents' console sockets)")
	flag.IntVar(&o.ho.agents, "handoff-agents", 200, "handoff benchmark: agents online with a console socket on replica B")
	flag.IntVar(&o.ho.convs, "handoff-convs", 1000, "handoff benchmark: concurrent conversations on replica A, each handed off once")
	flag.Float64Var(&o.ho.rate, "handoff-rate", 100, "handoff benchmark: handoffs per second")
	flag.IntVar(&o.ho.inflight, "handoff-inflight", 50, "handoff benchmark: most handoff POSTs in flight")
	flag.StringVar(&o.ho.profile, "handoff-profile", "", "handoff benchmark: write CPU profiles of both replicas and the load generator to this directory")
	flag.BoolVar(&o.crash, "crash", true, "run the crash-safety benchmark (SIGKILL under load, restart, check with SQL)")
	flag.IntVar(&o.cr.runs, "crash-runs", 20, "crash benchmark: kills, each on a fresh database")
	flag.IntVar(&o.cr.customers, "crash-customers", 32, "crash benchmark: concurrent customers, half on the app API, half on the generic webhook")
	flag.DurationVar(&o.cr.think, "crash-think", 100*time.Millisecond, "crash benchmark: pause between one customer's messages")
	flag.DurationVar(&o.cr.drain, "crash-drain", 60*time.Second, "crash benchmark: longest wait after the restart for the outbox (its lease is 30s) and stranded messages (answered after 20s)")
	flag.DurationVar(&o.sk.d, "soak", 10*time.Minute, "soak benchmark: how long to hold the load (0: skip it)")
	flag.Float64Var(&o.sk.rate, "soak-rate", 50, "soak benchmark: app-API messages per second (open loop)")
	flag.Float64Var(&o.sk.webhookRate, "soak-webhook-rate", 5, "soak benchmark: generic-webhook messages per second (open loop)")
	flag.IntVar(&o.sk.customers, "soak-customers", 50, "soak benchmark: app-API customers (a fifth as many webhook users)")
	flag.DurationVar(&o.sk.every, "soak-every", 30*time.Second, "soak benchmark: sampling window")
	only := flag.String("only", "", "run only these benchmarks (comma-separated: load, retrieval, handoff, crash, soak) and replace their sections of -out")
	phase := flag.String("kb-phase", "", "internal: run one retrieval benchmark system and print JSON")
	flag.Parse()
	if *phase != "" {
		return runPhase(*phase, o.kbChunks, o.db)
	}
	o.soak = o.sk.d > 0
	if *only != "" {
		o.partial = true
		o.load, o.kb, o.handoff, o.crash, o.soak = false, false, false, false, false
		for _, name := range strings.Split(*only, ",") {
			switch strings.TrimSpace(name) {
			case "load":
				o.load = true
			case "retrieval":
				o.kb = true
			case "handoff":
				o.handoff = true
			case "crash":
				o.crash = true
			case "soak":
				o.soak = true
			default:
				return fmt.Errorf("-only %q: want load, retrieval, handoff, crash or soak", name)
			}
		}
	}
	var report string
	if o.load {
		r, err := loadBench(o)
		if err != nil || !o.refs {
			return err
		}
		report += r
	}
	if o.kb {
		r, err := retrievalBench(o)
		if err != nil {
			return err
		}
		fmt.Print(r)
		report += r
	}
	if o.handoff {
		r, err := handoffBench(o, o.ho)
		if err != nil {
			return err
		}
		report += r
	}
	if o.crash {
		r, err := crashBench(o, o.cr)
		if err != nil {
			return err
		}
		report += r
	}
	if o.soak {
		if o.sk.d <= 0 || o.sk.every <= 0 {
			return fmt.Errorf("-soak and -soak-every must be positive")
		}
		r, err := soakBench(o, o.sk)
		if err != nil {
			return err
		}
		report += r
	}
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return err
	}
	if !(o.load && o.kb && o.handoff && o.crash && o.soak) { // a partial run keeps the other benchmarks' sections
		old, _ := os.ReadFile(o.out)
		report = mergeReport(string(old), report)
	}
	return os.WriteFile(o.out, []byte(report), 0o644)
}

// mergeReport replaces the sections of old (separated by blank lines, named by their first line
// up to " — ") that fresh has anew, and appends the others.
func mergeReport(old, fresh string) string {
	name := func(section string) string {
		first, _, _ := strings.Cut(section, "\n")
		n, _, _ := strings.Cut(first, " — ")
		return n
	}
	out := old
	for _, section := range strings.Split(strings.Trim(fresh, "\n"), "\n\n") {
		if section = strings.Trim(section, "\n"); section != "" {
			out = replaceSection(out, name(section), section)
		}
	}
	return out
}

// loadBench runs the message-path benchmark and returns its report section ("" with -refs=false).
func loadBench(o options) (string, error) {
	benchDB, err := freshDatabase(o.db, "tandem_bench")
	if err != nil {
		return "", err
	}
	fmt.Printf("bench: %d clients, %s each, %d CPUs\n", o.clients, o.duration, runtime.NumCPU())

	if !o.refs {
		tandem, err := startTandem(o.bin, benchDB)
		if err != nil {
			return "", err
		}
		defer tandem.stop()
		res, perTurn, err := countedLoad(tandem, benchDB, o)
		fmt.Printf("bot turns: %.0f/s p50 %.2f ms p99 %.2f ms (%d errors), %s statements per turn\n", res.rate, res.p50, res.p99, res.errors, perTurn)
		return "", err
	}
	pgTPS, err := pgbenchInserts(benchDB, o.clients, o.duration)
	if err != nil {
		return "", err
	}
	pgLoad := loadAverage()
	fmt.Printf("reference pgbench single-row insert: %.0f tps\n", pgTPS)

	echoRPS, _, _, err := echoReference(o.clients, o.duration)
	if err != nil {
		return "", err
	}
	fmt.Printf("reference bare echo handler: %.0f req/s\n", echoRPS)

	before := ""
	if o.before != "" {
		res, perTurn, err := measureTandem(o.before, o)
		if err != nil {
			return "", err
		}
		before = fmt.Sprintf("before (%s), same run: %.0f turns/s, p50 %.2f ms, p99 %.2f ms, %s statements per turn, ratio to pgbench %.2f (%d errors; load average after %s)\n",
			o.before, res.rate, res.p50, res.p99, perTurn, res.rate/pgTPS, res.errors, loadAverage())
	}
	res, perTurn, err := measureTandem(o.bin, o)
	if err != nil {
		return "", err
	}
	tandemLoad := loadAverage()
	note := ""
	if o.partial {
		note = "(a partial run, go run ./cmd/bench -only load: the other sections are from earlier runs)\n"
	}
	report := fmt.Sprintf(`Tandem load benchmark — %s
%smachine: %d CPUs, %s/%s; %d concurrent customers over the app API, offline bot, Postgres; %s per system
bot turns:          %8.0f turns/s   (%d turns, %d errors; %s; load average after %s)
time to bot reply:  p50 %6.2f ms   p99 %6.2f ms
statements per turn: %s (pg_stat_statements in the bench database, BEGIN and COMMIT included, background jobs too)
reference pgbench:  %8.0f tps (single-row INSERT, %d clients, same server; load average after %s)
reference echo:     %8.0f req/s (bare echo JSON handler, same load generator)
ratio turns/s ÷ pgbench tps: %.2f
ratio turns/s ÷ echo req/s:  %.3f
%saim: ≥ 1500 turns/s and p99 ≤ 50 ms at 64 customers on 2 cores
`, time.Now().UTC().Format(time.RFC3339), note, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, o.clients, o.duration,
		res.rate, res.n, res.errors, loadMode(o.stay), tandemLoad, res.p50, res.p99, perTurn, pgTPS, o.clients, pgLoad, echoRPS, res.rate/pgTPS, res.rate/echoRPS, before)
	fmt.Print(report)
	return report, nil
}

// loadAverage is the machine's 1, 5 and 15-minute load averages (shared machines vary).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// measureTandem starts bin on a fresh bench database and runs the counted load against it.
func measureTandem(bin string, o options) (result, string, error) {
	db, err := freshDatabase(o.db, "tandem_bench")
	if err != nil {
		return result{}, "", err
	}
	tandem, err := startTandem(bin, db)
	if err != nil {
		return result{}, "", err
	}
	defer tandem.stop()
	return countedLoad(tandem, db, o)
}

// countedLoad runs the load against tandem and counts the statements Postgres ran in db during
// it, per turn ("n/a" when pg_stat_statements is not preloaded).
func countedLoad(tandem *tandemProc, db string, o options) (result, string, error) {
	ctx := context.Background()
	counter, err := newStatementCounter(ctx, db)
	if err != nil {
		fmt.Println("bench: no statement count:", err)
		res, err := load(tandem.base, tandem.key, o.clients, o.duration, o.stay)
		return res, "n/a", err
	}
	defer counter.close()
	if err := counter.reset(ctx); err != nil {
		return result{}, "", err
	}
	res, err := load(tandem.base, tandem.key, o.clients, o.duration, o.stay)
	if err != nil {
		return res, "", err
	}
	n, err := counter.count(ctx)
	if err != nil {
		return res, "", err
	}
	return res, fmt.Sprintf("%.1f", float64(n)/float64(max(res.n, 1))), nil
}

// freshDatabase drops and creates a database beside the admin URL's and returns its URL.
func freshDatabase(admin, name string) (string, error) {
	for _, sql := range []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name} {
		if out, err := exec.Command("psql", admin, "-v", "ON_ERROR_STOP=1", "-qc", sql).CombinedOutput(); err != nil {
			return "", fmt.Errorf("psql %q: %v: %s", sql, err, out)
		}
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

func pgbenchPath() string {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench")
	if len(matches) > 0 {
		slices.Sort(matches)
		return matches[len(matches)-1]
	}
	return "pgbench"
}

var tpsRE = regexp.MustCompile(`tps = ([0-9.]+)`)

// pgbenchInserts runs pgbench with a one-row INSERT per transaction.
func pgbenchInserts(db string, clients int, d time.Duration) (float64, error) {
	if out, err := exec.Command("psql", db, "-qc", "CREATE TABLE bench_ref (id bigserial PRIMARY KEY, v int, at timestamptz DEFAULT now())").CombinedOutput(); err != nil {
		return 0, fmt.Errorf("create bench_ref: %v: %s", err, out)
	}
	script, err := os.CreateTemp("", "insert-*.sql")
	if err != nil {
		return 0, err
	}
	defer os.Remove(script.Name())
	fmt.Fprintln(script, `\set r random(1, 1000000)`)
	fmt.Fprintln(script, `INSERT INTO bench_ref (v) VALUES (:r);`)
	script.Close()
	out, err := exec.Command(pgbenchPath(), "-n", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(runtime.NumCPU()),
		"-T", strconv.Itoa(int(d.Seconds())), "-f", script.Name(), db).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %v: %s", err, out)
	}
	m := tpsRE.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pgbench: no tps in output: %s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// loadMode says what the measured messages were.
func loadMode(stay bool) string {
	if stay {
		return "-load-stay: after a handoff the customer's messages go to the waiting conversation, not the bot"
	}
	return "every one a bot turn: a handed-off customer starts a new conversation"
}

// botAnswered reports whether a message's response carries a bot reply that keeps the
// conversation with the bot.
func botAnswered(data []byte) bool {
	var res struct {
		Replies []struct {
			Author   string `json:"author"`
			Decision string `json:"decision"`
		} `json:"replies"`
	}
	if json.Unmarshal(data, &res) != nil || len(res.Replies) == 0 {
		return false
	}
	last := res.Replies[len(res.Replies)-1]
	return last.Author == "bot" && last.Decision != "handoff"
}

// echoReference serves a bare echo JSON handler and loads it like Tandem.
func echoReference(clients int, d time.Duration) (float64, float64, float64, error) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST("/api/v1/conversations/:id/messages", func(c echo.Context) error {
		var v map[string]any
		if err := json.NewDecoder(c.Request().Body).Decode(&v); err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, map[string]any{"replies": []map[string]any{{"text": "ok"}}})
	})
	e.POST("/api/v1/conversations", func(c echo.Context) error {
		return c.JSON(http.StatusCreated, map[string]string{"id": "x", "owner": "bot"})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, 0, err
	}
	srv := &http.Server{Handler: e}
	go srv.Serve(ln)
	defer srv.Close()
	res, err := load("http://"+ln.Addr().String(), "", clients, d, true)
	return res.rate, res.p50, res.p99, err
}

type tandemProc struct {
	cmd  *exec.Cmd
	base string
	key  string
}

var listenRE = regexp.MustCompile(`Demo page with the chat widget\s+(http://\S+)/demo/`)

// startTandem runs `tandem demo` on the bench database and waits for it to listen.
func startTandem(bin, db string) (*tandemProc, error) {
	dir, err := os.MkdirTemp("", "tandem-bench-*")
	if err != nil {
		return nil, err
	}
	key := "tk_bench_key"
	cmd := exec.Command(bin, "demo")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db, "TANDEM_ADDR=127.0.0.1:0", "TANDEM_DATA_DIR="+dir,
		"TANDEM_DEMO_API_KEY="+key, "TANDEM_LOG_LEVEL=warn", benchConns)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w (run make build first)", bin, err)
	}
	p := &tandemProc{cmd: cmd, key: key}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case p.base = <-found:
		return p, nil
	case <-time.After(60 * time.Second):
		p.stop()
		return nil, fmt.Errorf("tandem did not start within 60s")
	}
}

func (p *tandemProc) stop() {
	p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
	}
}

var questions = []string{
	"How do I file a claim?", "如何报案？", "What payment methods can I use?", "How do I reset my password?",
	"When are your agents available?", "我的保单什么时候续保？", "How do I make a complaint?", "What is a deductible?",
}

type result struct {
	n, errors int
	rate      float64
	p50, p99  float64
}

// load runs clients customers, each with its own conversation, posting messages back to back
// for d; it measures each message's time until the bot's reply is in hand. A customer whose
// conversation the bot hands to a person opens a new one, so every measured message is a bot
// turn (not a message stored for a waiting person); with stay it keeps writing there.
func load(base, key string, clients int, d time.Duration, stay bool) (result, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}, Timeout: 30 * time.Second}
	post := func(path, body string) ([]byte, error) {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusCreated {
			return nil, fmt.Errorf("%s: %d %s", path, resp.StatusCode, data)
		}
		return data, nil
	}
	var mu sync.Mutex
	var lat []float64
	errs := 0
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	var firstErr error
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			convID := ""
			for j := 0; ctx.Err() == nil; j++ {
				if convID == "" { // a new customer: the last one was handed to a person
					data, err := post("/api/v1/conversations", fmt.Sprintf(`{"customer":{"id":"bench-%d-%d"}}`, i, time.Now().UnixNano()))
					if err != nil {
						mu.Lock()
						errs++
						firstErr = err
						mu.Unlock()
						return
					}
					var conv struct{ ID string }
					json.Unmarshal(data, &conv)
					convID = conv.ID
				}
				body, _ := json.Marshal(map[string]string{"text": questions[(i+j)%len(questions)]})
				t0 := time.Now()
				data, err := post("/api/v1/conversations/"+convID+"/messages", string(body))
				ms := float64(time.Since(t0).Microseconds()) / 1000
				mu.Lock()
				if err != nil {
					errs++
					firstErr = err
				} else {
					lat = append(lat, ms)
				}
				mu.Unlock()
				if !stay && !botAnswered(data) {
					convID = "" // handed off (or no reply): later messages would not be bot turns
				}
			}
		}()
	}
	wg.Wait()
	if len(lat) == 0 {
		return result{}, fmt.Errorf("no successful requests: %v", firstErr)
	}
	slices.Sort(lat)
	q := func(p float64) float64 { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	return result{n: len(lat), errors: errs, rate: float64(len(lat)) / d.Seconds(), p50: q(0.50), p99: q(0.99)}, nil
}
