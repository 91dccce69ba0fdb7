package main

// The soak benchmark: one server under a steady open-loop load for minutes, sampled every window
// for throughput, latency and memory, to show it neither slows down nor grows.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// soakHeader starts the benchmark's section of the results file.
const soakHeader = "Soak"

// Soak benchmark settings.
const (
	soakInflight  = 512              // most messages in flight; a send over it is skipped and counted
	soakWarmup    = 2 * time.Minute  // memory growth is measured from the end of warm-up…
	soakWarmShare = 5                // …or from the end of the first fifth of a shorter run
	soakGrowthAim = 0.10             // aim: memory grows less than this after warm-up
	soakDrain     = 10 * time.Second // longest wait for the outbox after the load
)

type soakOptions struct {
	d           time.Duration
	rate        float64 // app-API messages per second
	webhookRate float64 // webhook messages per second
	customers   int     // app-API customers; a fifth as many webhook users
	every       time.Duration
}

// soakSample is one window's figures and the server's state at its end.
type soakSample struct {
	at                      time.Duration // since the load started
	rate                    float64       // messages answered per second in the window
	appP50, appP99, hookP99 float64       // ms, from each message's scheduled send
	errors, skipped         int
	rssMB, heapMB, goalMB   float64 // goal: the heap size the next GC aims at, twice the live heap after the last one
	goroutines, fds         int
	pending, delivered      int // outbox items due; webhook replies the platform received so far
}

// soakBench runs the soak and returns its report section.
func soakBench(o options, s soakOptions) (string, error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	db, err := freshDatabase(o.db, "tandem_soak")
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "tandem-soak-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	logf, err := os.Create(filepath.Join(dir, "tandem.log"))
	if err != nil {
		return "", err
	}
	defer logf.Close()
	plat, err := newPlatform()
	if err != nil {
		return "", err
	}
	defer plat.close()
	srv, err := startChannelServer(o.bin, db, dir, plat.url, logf)
	if err != nil {
		return "", err
	}
	defer srv.stop()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.Background())

	hooks := max(1, s.customers/5)
	fmt.Printf("soak: %s at %.0f app-API + %.0f webhook messages/s, %d customers + %d webhook users, sample every %s, %d CPUs\n",
		s.d, s.rate, s.webhookRate, s.customers, hooks, s.every, runtime.NumCPU())
	fmt.Println(soakColumns)
	load := newSoakLoad(srv.base, s.customers, hooks)
	samples, err := soakRun(ctx, s, load, srv, conn, plat)
	if err != nil {
		return "", err
	}
	if _, _, err := waitDrain(ctx, conn, soakDrain); err != nil {
		return "", err
	}
	srv.stop()
	due, err := outboxDue(ctx, conn)
	if err != nil {
		return "", err
	}
	warns, errs := logLevels(logf.Name())
	report := soakReport(s, samples, load, plat, hooks, due, warns, errs)
	fmt.Print(report)
	return report, nil
}

// soakRun drives the load for s.d, sampling every s.every, and waits for the last answers.
func soakRun(ctx context.Context, s soakOptions, load *soakLoad, srv *tandemProc, conn *pgx.Conn, plat *platform) ([]soakSample, error) {
	var pacers sync.WaitGroup
	defer load.wait() // deferred calls run last first: stop the pacers, wait for them, then for the answers
	defer pacers.Wait()
	start := time.Now()
	lctx, cancel := context.WithDeadline(ctx, start.Add(s.d))
	defer cancel()
	pacers.Go(func() { pace(lctx, start, s.rate, func(at time.Time) { load.launch(false, at) }) })
	pacers.Go(func() { pace(lctx, start, s.webhookRate, func(at time.Time) { load.launch(true, at) }) })
	var samples []soakSample
	last := start
	for k := 1; ; k++ {
		end := start.Add(min(time.Duration(k)*s.every, s.d))
		pause(ctx, time.Until(end))
		if ctx.Err() != nil {
			return samples, errors.New("interrupted")
		}
		sm := load.sample(time.Since(last), plat)
		last = time.Now()
		sm.at = end.Sub(start)
		serverState(ctx, &sm, srv, conn)
		fmt.Println(sm.row())
		samples = append(samples, sm)
		if !end.Before(start.Add(s.d)) {
			return samples, nil
		}
	}
}

// pace calls fire rate times a second from start until ctx ends, on schedule: a slow answer does
// not delay the next send (open loop). fire gets the send's scheduled time.
func pace(ctx context.Context, start time.Time, rate float64, fire func(at time.Time)) {
	if rate <= 0 {
		return
	}
	for i := 0; ; i++ {
		at := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		if d := time.Until(at); d > 0 {
			pause(ctx, d)
		}
		if ctx.Err() != nil {
			return
		}
		fire(at)
	}
}

// soakCustomer is one customer; its messages go one at a time, as a person's do.
type soakCustomer struct {
	mu      sync.Mutex
	id      int
	session int
	n       int    // messages sent in this session
	conv    string // app-API conversation ("" on the webhook)
}

// soakLoad sends the soak's messages and collects each window's figures.
type soakLoad struct {
	api         appClient
	apps, hooks []*soakCustomer
	next        [2]atomic.Int64 // round-robin over apps, hooks
	inflight    atomic.Int64
	wg          sync.WaitGroup

	mu            sync.Mutex
	app, hook     []float64 // this window's latencies, ms
	errors, skip  int       // this window's
	answered      [2]int    // whole run: app, webhook
	totalErrors   int
	totalSkipped  int
	firstErr      error
	conversations int
}

func newSoakLoad(base string, apps, hooks int) *soakLoad {
	l := &soakLoad{api: newAppClient(base, 64)}
	for i := range apps {
		l.apps = append(l.apps, &soakCustomer{id: i})
	}
	for i := range hooks {
		l.hooks = append(l.hooks, &soakCustomer{id: i})
	}
	return l
}

// launch sends one message scheduled at at, on the webhook or the app API, unless too many are
// in flight already.
func (l *soakLoad) launch(hook bool, at time.Time) {
	if l.inflight.Add(1) > soakInflight {
		l.inflight.Add(-1)
		l.record(hook, 0, nil, true)
		return
	}
	k, list := 0, l.apps
	if hook {
		k, list = 1, l.hooks
	}
	c := list[int(l.next[k].Add(1)-1)%len(list)]
	l.wg.Go(func() {
		defer l.inflight.Add(-1)
		c.mu.Lock()
		defer c.mu.Unlock()
		var err error
		if hook {
			err = l.sendWebhook(c)
		} else {
			err = l.sendApp(c)
		}
		l.record(hook, ms(time.Since(at)), err, false)
	})
}

func (l *soakLoad) wait() { l.wg.Wait() }

// sendApp posts the customer's next question, opening a new conversation every session.
func (l *soakLoad) sendApp(c *soakCustomer) error {
	if c.conv == "" || c.n == len(crashQuestions) {
		id, err := l.api.openConversation(fmt.Sprintf("soak-a%d-s%d", c.id, c.session))
		if err != nil {
			return err
		}
		l.mu.Lock()
		l.conversations++
		l.mu.Unlock()
		c.conv, c.n, c.session = id, 0, c.session+1
	}
	body, _ := json.Marshal(map[string]string{"text": crashQuestions[c.n]})
	c.n++
	status, err := l.api.post("/api/v1/conversations/"+c.conv+"/messages", body, nil)
	return statusErr(status, err, http.StatusCreated)
}

// sendWebhook delivers the user's next question; each session is a new platform user.
func (l *soakLoad) sendWebhook(c *soakCustomer) error {
	if c.n == len(crashQuestions) {
		c.n, c.session = 0, c.session+1
	}
	user := fmt.Sprintf("soak-w%d-s%d", c.id, c.session)
	m := &sentMsg{token: fmt.Sprintf("%s-m%d", user, c.n), user: user, webhook: true, text: crashQuestions[c.n]}
	c.n++
	status, err := postWebhook(l.api.client, l.api.base, m)
	return statusErr(status, err, http.StatusOK)
}

func (l *soakLoad) record(hook bool, latency float64, err error, skipped bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case skipped:
		l.skip++
		l.totalSkipped++
	case err != nil:
		l.errors++
		l.totalErrors++
		if l.firstErr == nil {
			l.firstErr = err
		}
	case hook:
		l.hook = append(l.hook, latency)
		l.answered[1]++
	default:
		l.app = append(l.app, latency)
		l.answered[0]++
	}
}

// sample takes the window's figures (window long) and starts the next window.
func (l *soakLoad) sample(window time.Duration, plat *platform) soakSample {
	l.mu.Lock()
	app, hook := quantilesOf(l.app), quantilesOf(l.hook)
	sm := soakSample{rate: float64(len(l.app)+len(l.hook)) / window.Seconds(), appP50: app.p50, appP99: app.p99,
		hookP99: hook.p99, errors: l.errors, skipped: l.skip}
	l.app, l.hook, l.errors, l.skip = nil, nil, 0, 0
	l.mu.Unlock()
	sm.delivered = plat.total()
	return sm
}

// serverState adds the server's memory, goroutines, open files and outbox backlog to sm.
func serverState(ctx context.Context, sm *soakSample, srv *tandemProc, conn *pgx.Conn) {
	sm.rssMB = vmRSSMB(srv.cmd.Process.Pid)
	m := scrapeMetrics(srv.base)
	sm.heapMB = m["go_memstats_heap_inuse_bytes"] / (1 << 20)
	sm.goalMB = m["go_memstats_next_gc_bytes"] / (1 << 20)
	sm.goroutines, sm.fds = int(m["go_goroutines"]), int(m["process_open_fds"])
	sm.pending, _ = outboxDue(ctx, conn)
}

// vmRSSMB reads a process's resident set size from /proc (0 when unavailable).
func vmRSSMB(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// scrapeMetrics returns the unlabelled samples of the server's /metrics.
func scrapeMetrics(base string) map[string]float64 {
	out := map[string]float64{}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") || strings.Contains(name, "{") {
			continue
		}
		if v, err := strconv.ParseFloat(value, 64); err == nil {
			out[name] = v
		}
	}
	return out
}

// logLevels counts the warnings and errors in the server's log.
func logLevels(path string) (warns, errs int) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0
	}
	s := string(data)
	return strings.Count(s, "level=WARN"), strings.Count(s, "level=ERROR")
}

const soakColumns = "     t  msgs/s  app p50 ms  app p99 ms  webhook p99 ms  errors  skipped  RSS MB  heap MB  heap goal MB  goroutines  fds  outbox due  replies delivered"

func (s soakSample) row() string {
	return fmt.Sprintf("%6s  %6.1f  %10.2f  %10.2f  %14.2f  %6d  %7d  %6.1f  %7.1f  %12.1f  %10d  %3d  %10d  %17d",
		clock(s.at), s.rate, s.appP50, s.appP99, s.hookP99, s.errors, s.skipped, s.rssMB, s.heapMB, s.goalMB, s.goroutines, s.fds, s.pending, s.delivered)
}

// clock formats d as m:ss.
func clock(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

// soakReport formats the section: the samples, memory growth after warm-up, totals and the aim.
func soakReport(s soakOptions, samples []soakSample, load *soakLoad, plat *platform, hooks, due, warns, errs int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s — %s, %s at %.0f app-API + %.0f webhook messages/s (open loop), one server on Postgres\n",
		soakHeader, time.Now().UTC().Format(time.RFC3339), s.d, s.rate, s.webhookRate)
	fmt.Fprintf(&b, `machine: %d CPUs, %s/%s; bin/tandem demo on a fresh database, generic webhook channel replying to a fake
platform in the bench; %d app-API customers and %d webhook users, 7-question conversations, then a new one;
latency from each message's scheduled send to its answer (bot reply in hand on the app API, 200 on the webhook);
RSS from /proc/<pid>/status; from /metrics Go heap in use (go_memstats_heap_inuse_bytes, between the live heap and
twice it depending on when in the GC cycle it is read) and heap goal (go_memstats_next_gc_bytes, twice the live heap)
`, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, s.customers, hooks)
	b.WriteString(soakColumns + "\n")
	for _, sm := range samples {
		b.WriteString(sm.row() + "\n")
	}
	warm := min(soakWarmup, s.d/soakWarmShare)
	base, last := baseline(samples, warm), samples[len(samples)-1]
	fmt.Fprintf(&b, "single samples from the end of warm-up (%s → %s): RSS %+.1f %% (%.1f → %.1f MB), heap goal %+.1f %% (%.1f → %.1f MB),\n",
		clock(base.at), clock(last.at), 100*growth(base.rssMB, last.rssMB), base.rssMB, last.rssMB, 100*growth(base.goalMB, last.goalMB), base.goalMB, last.goalMB)
	fmt.Fprintf(&b, "heap in use %+.1f %% (%.1f → %.1f MB), goroutines %d → %d, open fds %d → %d\n",
		100*growth(base.heapMB, last.heapMB), base.heapMB, last.heapMB, base.goroutines, last.goroutines, base.fds, last.fds)
	// One reading of the heap goal reflects whatever was in flight at the last collection, so the
	// aim compares the medians of the first and last few windows after warm-up.
	early, late := ends(samples, warm)
	rss := growth(median(early, func(s soakSample) float64 { return s.rssMB }), median(late, func(s soakSample) float64 { return s.rssMB }))
	goalFrom, goalTo := median(early, func(s soakSample) float64 { return s.goalMB }), median(late, func(s soakSample) float64 { return s.goalMB })
	goal := growth(goalFrom, goalTo)
	fmt.Fprintf(&b, "medians of the first and last %d windows after warm-up: RSS %+.1f %%, heap goal %+.1f %% (%.1f → %.1f MB)\n",
		len(early), 100*rss, 100*goal, goalFrom, goalTo)
	load.mu.Lock()
	defer load.mu.Unlock()
	got, rejected := plat.deliveries()
	dups := 0
	for _, n := range got {
		dups += n - 1
	}
	fmt.Fprintf(&b, "answered %d app-API and %d webhook messages (%d conversations), %d errors, %d skipped (over %d in flight);\n",
		load.answered[0], load.answered[1], load.conversations, load.totalErrors, load.totalSkipped, soakInflight)
	fmt.Fprintf(&b, "after ≤ %s for the outbox: platform received %d webhook replies (%d duplicate, %d refused), %d still due; server log: %d warnings, %d errors\n",
		soakDrain, plat.total(), dups, rejected, due, warns, errs)
	if load.firstErr != nil {
		fmt.Fprintf(&b, "first error: %v\n", load.firstErr)
	}
	met := "met"
	if rss >= soakGrowthAim || goal >= soakGrowthAim {
		met = "missed"
	}
	fmt.Fprintf(&b, "aim: memory growth after warm-up < %.0f %% (RSS and heap goal, medians) — %s (RSS %+.1f %%, heap goal %+.1f %%)\n",
		100*soakGrowthAim, met, 100*rss, 100*goal)
	return b.String()
}

// baseline is the first sample at or after the end of warm-up.
func baseline(samples []soakSample, warm time.Duration) soakSample {
	for _, s := range samples {
		if s.at >= warm {
			return s
		}
	}
	return samples[len(samples)-1]
}

// ends returns the first and the last few samples after warm-up (up to 5, a third of them each).
func ends(samples []soakSample, warm time.Duration) (early, late []soakSample) {
	var post []soakSample
	for _, s := range samples {
		if s.at >= warm {
			post = append(post, s)
		}
	}
	if len(post) == 0 {
		post = samples[len(samples)-1:]
	}
	k := max(1, min(5, len(post)/3))
	return post[:k], post[len(post)-k:]
}

// median is the median of f over samples.
func median(samples []soakSample, f func(soakSample) float64) float64 {
	v := make([]float64, len(samples))
	for i, s := range samples {
		v[i] = f(s)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func growth(from, to float64) float64 {
	if from == 0 {
		return 0
	}
	return to/from - 1
}
