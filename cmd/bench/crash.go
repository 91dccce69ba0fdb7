package main

// The crash-safety benchmark: customers write through the app API and the generic webhook
// channel, the server is killed with SIGKILL in the middle of it and restarted on the same
// database, the platform redelivers what was not acknowledged, and SQL checks that every
// acknowledged message was kept and every bot reply reached the fake platform exactly once or is
// still waiting in the outbox.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/channels/webhook"
)

// crashHeader starts the benchmark's section of the results file.
const crashHeader = "Crash safety"

// Crash benchmark settings.
const (
	benchKey      = "tk_bench_key"
	webhookSecret = "bench-generic-webhook-secret-0123456789" // the server wants ≥ 32 characters
	crashMinLoad  = time.Second                               // shortest load before the kill
	crashMaxLoad  = 4 * time.Second                           // longest
	drainPoll     = 250 * time.Millisecond                    // how often the outbox is checked after the restart
	maxExamples   = 5                                         // problem examples kept per run
)

type crashOptions struct {
	runs      int
	customers int           // half on the app API, half on the generic webhook
	think     time.Duration // pause between one customer's messages
	drain     time.Duration // longest wait for the outbox after the restart
}

// crashQuestions are questions the demo bot answers without handing off, asked once each per
// session, so every customer message expects one bot reply.
var crashQuestions = []string{
	"How do I file a claim?", "如何报案？", "What payment methods can I use?", "How do I reset my password?",
	"When are your agents available?", "What is a deductible?", "Can I cancel my policy?",
}

// tokenRE finds the unique reference the bench puts in each customer message.
var tokenRE = regexp.MustCompile(`\[ref (r\d+-[aw]\d+-s\d+-m\d+)\]`)

// crashResult is one run: what was acknowledged and what the database and platform hold after.
type crashResult struct {
	load, restart, drain   time.Duration
	ackedAPI, ackedWebhook int
	errors                 int // non-2xx answers before the kill
	lost                   int // acknowledged customer messages not stored
	storedTwice            int // customer messages stored more than once
	unackedStored          int // not acknowledged but stored (allowed)
	recovered              int // customer messages stranded by the kill and answered by the recovery loop
	resent, resentOK, once int // unacknowledged webhook messages redelivered, answered 200, stored exactly once
	replies                int // bot replies to webhook customers
	delivered              int // of them, received by the platform
	resends                int // sends beyond the first of a reply, with the same Idempotency-Key (the platform shows it once)
	pending                int // not received and still due in the outbox
	lostReplies            int // neither received nor pending
	unanswered             int // stored webhook messages of bot-owned conversations without a bot reply
	stray, rejected        int // deliveries of unknown message ids; deliveries refused by the platform
	problems               []string
	kept                   string // database and log directory kept for a failed run
	drainedOK              bool
}

// failed says whether the run missed the aim: something acknowledged was lost, stored twice or
// never answered, or a reply was lost or shown twice.
func (r crashResult) failed() bool {
	return r.lost > 0 || r.storedTwice > 0 || r.lostReplies > 0 || r.resent != r.once || r.unanswered > 0 || r.rejected > 0
}

// crashBench runs the crash test c.runs times and returns its report section.
func crashBench(o options, c crashOptions) (string, error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	fmt.Printf("crash: %d runs, %d customers (%d app API, %d webhook), SIGKILL after %s–%s of load, %d CPUs\n",
		c.runs, c.customers, (c.customers+1)/2, c.customers/2, crashMinLoad, crashMaxLoad, runtime.NumCPU())
	fmt.Println(crashColumns)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var runs []crashResult
	for n := 1; n <= c.runs; n++ {
		r, err := crashRun(ctx, o, c, n, rng)
		if err != nil {
			return "", fmt.Errorf("crash run %d: %w", n, err)
		}
		fmt.Println(r.row(strconv.Itoa(n)))
		for _, p := range r.problems {
			fmt.Println("   ", p)
		}
		runs = append(runs, r)
	}
	report := crashReport(c, runs)
	fmt.Print(report)
	return report, nil
}

const crashColumns = "run   load  acked api/wh  lost  stored 2×  replies  delivered  again  pending  lost replies  unanswered  resent/200/once  restart  drain"

func (r crashResult) row(name string) string {
	drain := fmt.Sprintf("%5.1fs", r.drain.Seconds())
	if !r.drainedOK {
		drain += "+"
	}
	return fmt.Sprintf("%-4s %5.1fs  %5d/%-5d  %4d  %9d  %7d  %9d  %5d  %7d  %12d  %10d  %6d/%d/%d  %6.2fs  %s",
		name, r.load.Seconds(), r.ackedAPI, r.ackedWebhook, r.lost, r.storedTwice, r.replies, r.delivered, r.resends,
		r.pending, r.lostReplies, r.unanswered, r.resent, r.resentOK, r.once, r.restart.Seconds(), drain)
}

// crashReport formats the section: one row per run, the totals and the aim.
func crashReport(c crashOptions, runs []crashResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s — %s, %d runs of SIGKILL under load, %d customers\n", crashHeader, time.Now().UTC().Format(time.RFC3339), len(runs), c.customers)
	fmt.Fprintf(&b, `machine: %d CPUs, %s/%s; each run: fresh Postgres database, bin/tandem demo with the generic webhook channel
replying to a fake platform in the bench (signatures and Idempotency-Keys checked, sends counted per message_id,
repeats included); %d customers on the app API and %d on the webhook send back to back (%s think time, 7-message sessions);
SIGKILL after a random %s–%s; restart on the same database and data dir; unacknowledged webhook messages
redelivered with the same message_id; outbox drained and stranded messages answered (≤ %s, + = not); server
stopped; checked with SQL
`, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, (c.customers+1)/2, c.customers/2, c.think, crashMinLoad, crashMaxLoad, c.drain)
	b.WriteString(crashColumns + "\n")
	var total crashResult
	total.drainedOK = true
	var restarts []float64
	for i, r := range runs {
		b.WriteString(r.row(strconv.Itoa(i+1)) + "\n")
		total = total.add(r)
		restarts = append(restarts, ms(r.restart))
	}
	n := time.Duration(max(1, len(runs)))
	total.load, total.restart, total.drain = total.load/n, total.restart/n, total.drain/n
	b.WriteString(total.row("sum") + "  (times: mean)\n")
	q := quantilesOf(restarts)
	fmt.Fprintf(&b, "restart (SIGKILL → listening again): p50 %.0f ms, max %.0f ms; %d non-2xx answers before the kills; %d unacknowledged app-API messages stored anyway\n",
		q.p50, q.max, total.errors, total.unackedStored)
	fmt.Fprintf(&b, "recovered: %d customer messages were stored just before a kill without their reply, and answered by the recovery loop after the restart\n", total.recovered)
	fmt.Fprintf(&b, "platform: %d deliveries refused (bad signature or Idempotency-Key), %d of unknown message ids\n", total.rejected, total.stray)
	if total.unanswered > 0 {
		fmt.Fprintf(&b, "unanswered: %d webhook messages were stored before the kill but never got a bot reply\n", total.unanswered)
	}
	fmt.Fprintf(&b, "again: %d replies were sent a second time after a kill between the platform's 200 and the outbox recording it\n", total.resends)
	b.WriteString("(delivery is at least once); each carried its first send's Idempotency-Key, so the platform showed it once — a platform\n")
	b.WriteString("without idempotency keys (Telegram, WhatsApp) would have shown these twice\n")
	for _, r := range runs {
		if r.kept != "" {
			b.WriteString("kept for inspection: " + r.kept + "\n")
		}
	}
	met := "met"
	if total.failed() {
		met = "missed"
	}
	fmt.Fprintf(&b, "aim: 0 lost and 0 shown twice over %d runs — %s (%d acknowledged, %d lost, %d stored twice, %d unanswered, %d lost replies,\n",
		len(runs), met, total.ackedAPI+total.ackedWebhook, total.lost, total.storedTwice, total.unanswered, total.lostReplies)
	fmt.Fprintf(&b, "%d replies shown twice, %d sent again under their key; %d of %d redeliveries stored exactly once)\n", total.rejected, total.resends, total.once, total.resent)
	return b.String()
}

// add sums two results (durations too, drain not drained if any run was not).
func (r crashResult) add(o crashResult) crashResult {
	r.load += o.load
	r.restart += o.restart
	r.drain += o.drain
	r.ackedAPI += o.ackedAPI
	r.ackedWebhook += o.ackedWebhook
	r.errors += o.errors
	r.lost += o.lost
	r.storedTwice += o.storedTwice
	r.unackedStored += o.unackedStored
	r.recovered += o.recovered
	r.resent += o.resent
	r.resentOK += o.resentOK
	r.once += o.once
	r.replies += o.replies
	r.delivered += o.delivered
	r.resends += o.resends
	r.pending += o.pending
	r.lostReplies += o.lostReplies
	r.unanswered += o.unanswered
	r.stray += o.stray
	r.rejected += o.rejected
	r.drainedOK = r.drainedOK && o.drainedOK
	return r
}

// crashRun is one crash: load, SIGKILL, restart, redelivery, drain, stop, check.
func crashRun(ctx context.Context, o options, c crashOptions, n int, rng *rand.Rand) (crashResult, error) {
	name := fmt.Sprintf("tandem_crash_%02d", n)
	db, err := freshDatabase(o.db, name)
	if err != nil {
		return crashResult{}, err
	}
	dir, err := os.MkdirTemp("", "tandem-crash-*")
	if err != nil {
		return crashResult{}, err
	}
	var res crashResult
	defer func() {
		if res.kept == "" {
			os.RemoveAll(dir)
		}
	}()
	logf, err := os.Create(filepath.Join(dir, "tandem.log"))
	if err != nil {
		return crashResult{}, err
	}
	defer logf.Close()
	plat, err := newPlatform()
	if err != nil {
		return crashResult{}, err
	}
	defer plat.close()
	start := func() (*tandemProc, error) { return startChannelServer(o.bin, db, dir, plat.url, logf) }

	srv, err := start()
	if err != nil {
		return crashResult{}, err
	}
	defer srv.stop()
	res.load = crashMinLoad + time.Duration(rng.Int64N(int64(crashMaxLoad-crashMinLoad)))
	l := &ledger{}
	killed := loadAndKill(ctx, srv, c, n, res.load, l)
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if srv, err = start(); err != nil {
		return res, fmt.Errorf("restart after SIGKILL failed (log %s): %w", logf.Name(), err)
	}
	defer srv.stop()
	res.restart = time.Since(killed)

	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		return res, err
	}
	defer conn.Close(context.Background())
	res.resent, res.resentOK = redeliver(ctx, srv.base, l)
	res.drain, res.drainedOK, err = waitDrain(ctx, conn, c.drain)
	if err != nil {
		return res, err
	}
	srv.stop()
	if err := check(ctx, conn, l, plat, &res); err != nil {
		return res, err
	}
	conn.Close(context.Background())
	if res.failed() {
		res.kept = fmt.Sprintf("run %d: database %s, server log %s", n, name, logf.Name())
		return res, nil
	}
	return res, dropDatabase(o.db, name)
}

// dropDatabase drops a database beside the admin URL's.
func dropDatabase(admin, name string) error {
	if out, err := exec.Command("psql", admin, "-qc", "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)").CombinedOutput(); err != nil {
		return fmt.Errorf("drop %s: %v: %s", name, err, out)
	}
	return nil
}

// sentMsg is one customer message and whether the server acknowledged it.
type sentMsg struct {
	token   string // unique in the run; in the text, and the webhook message_id
	user    string // webhook user_id; "" on the app API
	text    string
	webhook bool
	acked   bool
	resent  bool // redelivered after the restart
	resOK   bool // the redelivery was answered 200
}

// ledger is every message the customers sent, in order.
type ledger struct {
	mu       sync.Mutex
	msgs     []*sentMsg
	errs     int
	firstErr error
}

// add records m; err is a refusal before the kill (after it, failures are expected).
func (l *ledger) add(m *sentMsg, err error, killed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, m)
	if err != nil && !killed {
		l.errs++
		if l.firstErr == nil {
			l.firstErr = err
		}
	}
}

func (l *ledger) acked() (api, hook, errs int, first error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.msgs {
		switch {
		case m.acked && m.webhook:
			hook++
		case m.acked:
			api++
		}
	}
	return api, hook, l.errs, l.firstErr
}

// crashLoad is one run's customers against one server.
type crashLoad struct {
	appClient
	run    int
	think  time.Duration
	ledger *ledger
	killed chan struct{} // closed at the kill
}

// loadAndKill runs the customers for d, kills the server with SIGKILL, stops the customers and
// returns the time of the kill.
func loadAndKill(ctx context.Context, srv *tandemProc, c crashOptions, run int, d time.Duration, l *ledger) time.Time {
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cl := &crashLoad{appClient: newAppClient(srv.base, c.customers), run: run, think: c.think, ledger: l, killed: make(chan struct{})}
	defer cl.client.CloseIdleConnections()
	var wg sync.WaitGroup
	for i := range c.customers {
		if i%2 == 0 {
			wg.Go(func() { cl.appCustomer(lctx, i) })
		} else {
			wg.Go(func() { cl.webhookCustomer(lctx, i) })
		}
	}
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
	close(cl.killed) // first, so failures the kill causes are not counted as errors
	srv.kill()
	at := time.Now()
	cancel()
	wg.Wait()
	return at
}

func (cl *crashLoad) isKilled() bool {
	select {
	case <-cl.killed:
		return true
	default:
		return false
	}
}

// appCustomer opens conversations on the app API and asks each question once per conversation.
func (cl *crashLoad) appCustomer(ctx context.Context, i int) {
	for s := 0; ctx.Err() == nil; s++ {
		id, err := cl.openConversation(fmt.Sprintf("crash-r%d-a%d-s%d", cl.run, i, s))
		if err != nil {
			pause(ctx, cl.think)
			continue
		}
		for j, q := range crashQuestions {
			if ctx.Err() != nil {
				return
			}
			m := &sentMsg{token: fmt.Sprintf("r%d-a%d-s%d-m%d", cl.run, i, s, j)}
			m.text = fmt.Sprintf("%s [ref %s]", q, m.token)
			body, _ := json.Marshal(map[string]string{"text": m.text})
			status, err := cl.post("/api/v1/conversations/"+id+"/messages", body, nil)
			m.acked = err == nil && status == http.StatusCreated
			cl.ledger.add(m, statusErr(status, err, http.StatusCreated), cl.isKilled())
			if !m.acked {
				break
			}
			pause(ctx, cl.think)
		}
	}
}

// webhookCustomer writes through the generic webhook; each session is a new platform user.
func (cl *crashLoad) webhookCustomer(ctx context.Context, i int) {
	for s := 0; ctx.Err() == nil; s++ {
		user := fmt.Sprintf("r%d-w%d-s%d", cl.run, i, s)
		for j, q := range crashQuestions {
			if ctx.Err() != nil {
				return
			}
			m := &sentMsg{token: fmt.Sprintf("r%d-w%d-s%d-m%d", cl.run, i, s, j), user: user, webhook: true}
			m.text = fmt.Sprintf("%s [ref %s]", q, m.token)
			status, err := postWebhook(cl.client, cl.base, m)
			m.acked = err == nil && status == http.StatusOK
			cl.ledger.add(m, statusErr(status, err, http.StatusOK), cl.isKilled())
			if !m.acked {
				pause(ctx, cl.think)
				break
			}
			pause(ctx, cl.think)
		}
	}
}

func statusErr(status int, err error, want int) error {
	if err == nil && status != want {
		return fmt.Errorf("HTTP %d, want %d", status, want)
	}
	return err
}

// appClient calls the app API with the bench's key.
type appClient struct {
	base   string
	client *http.Client
}

func newAppClient(base string, conns int) appClient {
	return appClient{base: base, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns}, Timeout: 30 * time.Second}}
}

// openConversation starts a conversation for customer and returns its id.
func (a appClient) openConversation(customer string) (string, error) {
	var conv struct{ ID string }
	status, err := a.post("/api/v1/conversations", fmt.Appendf(nil, `{"customer":{"id":%q}}`, customer), &conv)
	if err == nil && status != http.StatusCreated {
		err = fmt.Errorf("create conversation: HTTP %d", status)
	}
	return conv.ID, err
}

// post sends an app-API request and decodes a 2xx answer into out (when not nil).
func (a appClient) post(path string, body []byte, out any) (int, error) {
	req, _ := http.NewRequest(http.MethodPost, a.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+benchKey)
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err // the answer was cut: not an acknowledgement
	}
	if out != nil && resp.StatusCode/100 == 2 {
		err = json.Unmarshal(data, out)
	}
	return resp.StatusCode, err
}

// postWebhook delivers m as the platform would: signed, with m.token as message_id.
func postWebhook(client *http.Client, base string, m *sentMsg) (int, error) {
	body, _ := json.Marshal(webhook.Message{UserID: m.user, Name: "Bench " + m.user, MessageID: m.token, Text: m.text})
	ts := time.Now().Unix()
	req, _ := http.NewRequest(http.MethodPost, base+"/webhooks/"+webhook.Channel, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Tandem-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Tandem-Signature", webhook.Sign(webhookSecret, ts, body))
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// redeliver posts each unacknowledged webhook message again with the same message_id, as a
// platform retries, and returns how many it tried and how many were answered 200.
func redeliver(ctx context.Context, base string, l *ledger) (tried, ok int) {
	client := &http.Client{Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.msgs {
		if !m.webhook || m.acked || ctx.Err() != nil {
			continue
		}
		m.resent = true
		tried++
		status, err := postWebhook(client, base, m)
		if m.resOK = err == nil && status == http.StatusOK; m.resOK {
			ok++
		}
	}
	return tried, ok
}

// waitDrain waits until the outbox has nothing left to deliver and no bot-owned conversation
// ends with an unanswered customer message (the server answers those stranded by the kill after
// 20 s), or d has passed.
func waitDrain(ctx context.Context, conn *pgx.Conn, d time.Duration) (time.Duration, bool, error) {
	start := time.Now()
	for {
		n, err := outboxDue(ctx, conn)
		if err != nil {
			return time.Since(start), false, err
		}
		var waiting int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM conversations c WHERE c.owner = 'bot' AND
			(SELECT author FROM messages m WHERE m.conversation_id = c.id ORDER BY id DESC LIMIT 1) = 'customer'`).Scan(&waiting); err != nil {
			return time.Since(start), false, fmt.Errorf("unanswered: %w", err)
		}
		if n+waiting == 0 || time.Since(start) >= d {
			return time.Since(start), n+waiting == 0, nil
		}
		pause(ctx, drainPoll)
		if ctx.Err() != nil {
			return time.Since(start), false, ctx.Err()
		}
	}
}

// outboxDue counts the outbox items still to deliver.
func outboxDue(ctx context.Context, conn *pgx.Conn) (int, error) {
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("outbox due: %w", err)
	}
	return n, nil
}

// storedMsg is a row of messages with its outbox state.
type storedMsg struct {
	id                      int64
	conv, author, channel   string
	ext, text, decision     string
	queued, delivered, dead bool
	attempts                int
}

func loadMessages(ctx context.Context, conn *pgx.Conn) ([]storedMsg, error) {
	rows, err := conn.Query(ctx, `SELECT m.id, m.conversation_id, m.author, m.channel, coalesce(m.external_id, ''), m.text, m.decision,
		o.id IS NOT NULL, o.delivered_at IS NOT NULL, o.dead_at IS NOT NULL, coalesce(o.attempts, 0)
		FROM messages m LEFT JOIN outbox o ON o.message_id = m.id ORDER BY m.conversation_id, m.id`)
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (storedMsg, error) {
		var m storedMsg
		err := r.Scan(&m.id, &m.conv, &m.author, &m.channel, &m.ext, &m.text, &m.decision, &m.queued, &m.delivered, &m.dead, &m.attempts)
		return m, err
	})
}

// check fills res from the database and the platform's deliveries.
func check(ctx context.Context, conn *pgx.Conn, l *ledger, plat *platform, res *crashResult) error {
	msgs, err := loadMessages(ctx, conn)
	if err != nil {
		return err
	}
	var first error
	res.ackedAPI, res.ackedWebhook, res.errors, first = l.acked()
	if first != nil {
		res.note("first error before the kill: %v", first)
	}
	checkInbound(msgs, l, res)
	got, rejected := plat.deliveries()
	res.rejected = rejected
	checkReplies(msgs, got, res)
	checkAnswered(msgs, res)
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM messages WHERE recovered_at IS NOT NULL`).Scan(&res.recovered); err != nil {
		return fmt.Errorf("recovered: %w", err)
	}
	return nil
}

// checkInbound counts each sent message's rows by its token (and external id for webhooks).
func checkInbound(msgs []storedMsg, l *ledger, res *crashResult) {
	stored := map[string]int{}
	for _, m := range msgs {
		if m.author != "customer" {
			continue
		}
		t := tokenRE.FindStringSubmatch(m.text)
		if t == nil {
			continue
		}
		stored[t[1]]++
		if m.channel == webhook.Channel && m.ext != webhook.Channel+":"+t[1] {
			res.note("message %d: webhook message %s stored with external_id %q", m.id, t[1], m.ext)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.msgs {
		n := stored[m.token]
		switch {
		case m.acked && n == 0:
			res.lost++
			res.note("lost: acknowledged %s message %s not stored", channelOf(m), m.token)
		case n > 1:
			res.storedTwice++
			res.note("stored %d times: %s message %s", n, channelOf(m), m.token)
		case !m.acked && n == 1 && !m.resent:
			res.unackedStored++
		}
		if m.resent && m.resOK && n == 1 {
			res.once++
		}
	}
}

func channelOf(m *sentMsg) string {
	if m.webhook {
		return "webhook"
	}
	return "app API"
}

// checkReplies matches the bot's replies to webhook customers against the platform's deliveries.
func checkReplies(msgs []storedMsg, got map[int64]int, res *crashResult) {
	replies := map[int64]bool{}
	for _, m := range msgs {
		if m.channel != webhook.Channel || m.author != "bot" {
			continue
		}
		replies[m.id] = true
		res.replies++
		n := got[m.id]
		switch {
		case n > 0:
			res.delivered++
			if n > 1 {
				res.resends += n - 1
				res.note("sent again: reply message_id %d sent %d times under one Idempotency-Key (outbox attempts %d)", m.id, n, m.attempts)
			}
		case m.queued && !m.delivered && !m.dead:
			res.pending++
		default:
			res.lostReplies++
			res.note("lost reply: message_id %d never reached the platform (queued %v, marked delivered %v, dead %v)", m.id, m.queued, m.delivered, m.dead)
		}
	}
	for id, n := range got {
		if !replies[id] {
			res.stray += n
		}
	}
}

// checkAnswered counts webhook customer messages that never got a bot reply while the bot owned
// the conversation (the customers ask only questions the demo bot answers).
func checkAnswered(msgs []storedMsg, res *crashResult) {
	var waiting *storedMsg
	botOwned, conv := true, ""
	settle := func() {
		if waiting != nil && botOwned {
			res.unanswered++
			res.note("unanswered: webhook message %d (%s) has no bot reply", waiting.id, waiting.ext)
		}
		waiting = nil
	}
	for i := range msgs {
		m := &msgs[i]
		if m.conv != conv {
			settle()
			conv, botOwned = m.conv, true
		}
		if m.channel != webhook.Channel {
			continue
		}
		switch m.author {
		case "customer":
			settle()
			waiting = m
		case "bot":
			waiting = nil
			botOwned = m.decision != "handoff"
		}
	}
	settle()
}

// note keeps a few examples of the run's problems.
func (r *crashResult) note(format string, args ...any) {
	if len(r.problems) < maxExamples {
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
	}
}

// platform fakes the far side of the generic webhook channel: it checks each reply's signature,
// timestamp and Idempotency-Key as a real platform would and counts sends per message_id, repeats
// included; a send without its message's key is refused (a repeat of it would be shown twice).
type platform struct {
	url string
	srv *http.Server

	mu       sync.Mutex
	got      map[int64]int
	rejected int
}

func newPlatform() (*platform, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &platform{url: "http://" + ln.Addr().String() + "/replies", got: map[int64]int{}}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go p.srv.Serve(ln)
	return p, nil
}

func (p *platform) close() { p.srv.Close() }

// ServeHTTP takes one reply.
func (p *platform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var m struct {
		MessageID int64 `json:"message_id"`
	}
	if err == nil {
		err = p.verify(r, body)
	}
	if err == nil {
		err = json.Unmarshal(body, &m)
	}
	if err == nil && r.Header.Get("Idempotency-Key") != webhook.IdempotencyKey(m.MessageID) {
		err = errors.New("no Idempotency-Key, or not the message's")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil || m.MessageID == 0 {
		p.rejected++
		http.Error(w, "bad reply", http.StatusUnauthorized)
		return
	}
	p.got[m.MessageID]++
	w.WriteHeader(http.StatusOK)
}

func (p *platform) verify(r *http.Request, body []byte) error {
	ts, err := strconv.ParseInt(r.Header.Get("X-Tandem-Timestamp"), 10, 64)
	if err != nil {
		return err
	}
	if d := time.Since(time.Unix(ts, 0)); d > webhook.ReplayWindow || d < -webhook.ReplayWindow {
		return errors.New("timestamp outside the replay window")
	}
	if r.Header.Get("X-Tandem-Signature") != webhook.Sign(webhookSecret, ts, body) {
		return errors.New("bad signature")
	}
	return nil
}

// deliveries returns a copy of the deliveries per message_id and the number refused.
func (p *platform) deliveries() (map[int64]int, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[int64]int, len(p.got))
	for k, v := range p.got {
		out[k] = v
	}
	return out, p.rejected
}

// total is the number of deliveries so far.
func (p *platform) total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, v := range p.got {
		n += v
	}
	return n
}

// startChannelServer runs `tandem demo` on db with the generic webhook channel replying to
// replyURL, its log to logw, and waits for it to listen. The server dies with the bench.
func startChannelServer(bin, db, dir, replyURL string, logw io.Writer) (*tandemProc, error) {
	cmd := exec.Command(bin, "demo")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db, "TANDEM_ADDR=127.0.0.1:0", "TANDEM_DATA_DIR="+dir,
		"TANDEM_DEMO_API_KEY="+benchKey, "TANDEM_LOG_LEVEL=warn", "TANDEM_VISITOR_SECRET="+webhookSecret,
		"TANDEM_WEBHOOK_SECRET="+webhookSecret, "TANDEM_WEBHOOK_URL="+replyURL, benchConns)
	cmd.Stderr = logw
	dieWithParent(cmd)
	return launch(cmd, benchKey, "tandem demo")
}

// dieWithParent asks Linux to SIGKILL the child when the bench dies, even by SIGKILL; elsewhere
// it does nothing. The field is set by name because it exists only on Linux.
func dieWithParent(cmd *exec.Cmd) {
	attr := &syscall.SysProcAttr{}
	if f := reflect.ValueOf(attr).Elem().FieldByName("Pdeathsig"); f.IsValid() {
		f.Set(reflect.ValueOf(syscall.SIGKILL))
	}
	cmd.SysProcAttr = attr
}

// kill ends the process at once, as a power cut or the OOM killer would, and reaps it.
func (p *tandemProc) kill() {
	p.cmd.Process.Kill()
	p.cmd.Wait()
}
