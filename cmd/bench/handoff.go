package main

// The handoff-notification benchmark: two replicas on one Postgres schema, customers on replica A
// (app API), agents' consoles on replica B. It measures how long after a customer asks for a human
// on A the "queue" event (owner "waiting") reaches the agents' console sockets on B, and, in the
// same run, the database's own NOTIFY→LISTEN round trip as the reference.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
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
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"tandem/httpapi"
	"tandem/postgres"
)

// handoffHeader starts the benchmark's section of the results file.
const handoffHeader = "Handoff notification"

// handoffAimMS is the aim for the notification's p99.
const handoffAimMS = 100.0

type handoffOptions struct {
	agents   int
	convs    int
	rate     float64 // handoffs per second
	inflight int     // most handoff POSTs in flight
	profile  string  // directory for CPU profiles of A, B and the load generator ("" = none)
}

// handoffSample is one conversation's handoff: when its POST went out and came back, and when
// agent sockets received its "queue" event with owner "waiting".
type handoffSample struct {
	mu          sync.Mutex
	sent, resp  time.Time
	first, last time.Time
	sockets     int
	syncs       int
	err         error
}

type handoffResult struct {
	expected, received, all, errors, syncs int
	minSockets                             int
	send, resp, fanout                     quantiles // first socket − send, first socket − response, last − first socket
	lastSend                               quantiles // last socket − send
	post                                   quantiles // POST round trip
	rate                                   float64   // handoffs/s achieved
	lagMS                                  float64   // worst lateness of a send against its schedule
}

type quantiles struct{ p50, p90, p99, max float64 }

func quantilesOf(ms []float64) quantiles {
	if len(ms) == 0 {
		return quantiles{}
	}
	slices.Sort(ms)
	q := func(p float64) float64 { return ms[min(len(ms)-1, int(p*float64(len(ms))))] }
	return quantiles{q(0.50), q(0.90), q(0.99), ms[len(ms)-1]}
}

func (q quantiles) String() string {
	return fmt.Sprintf("p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %7.2f ms", q.p50, q.p90, q.p99, q.max)
}

// handoffBench runs the benchmark and returns its report section.
func handoffBench(o options, h handoffOptions) (string, error) {
	ctx := context.Background()
	fmt.Printf("handoff: %d agents, %d conversations, %.0f handoffs/s, ≤ %d in flight, %d CPUs\n",
		h.agents, h.convs, h.rate, h.inflight, runtime.NumCPU())

	ref, err := notifyReference(ctx, o.db, h.convs, h.rate)
	if err != nil {
		return "", fmt.Errorf("NOTIFY reference: %w", err)
	}
	fmt.Printf("reference NOTIFY→LISTEN: %s\n", ref)

	schema := fmt.Sprintf("bench_handoff_%d", time.Now().UnixNano())
	st, err := postgres.OpenSchema(ctx, o.db, schema)
	if err != nil {
		return "", err
	}
	defer func() {
		if err := st.DropSchema(context.Background(), schema); err != nil {
			fmt.Fprintln(os.Stderr, "bench: drop schema:", err)
		}
		st.Close()
	}()
	u, err := url.Parse(o.db)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	db := u.String()

	key := "tk_bench_handoff_key"
	secret := strings.Repeat("b", 40)
	common := []string{"DATABASE_URL=" + db, "TANDEM_ADDR=127.0.0.1:0", "TANDEM_LOG_LEVEL=warn", "TANDEM_VISITOR_SECRET=" + secret, benchConns}
	var debugA, debugB string
	if h.profile != "" {
		debugA, debugB = freeAddr(), freeAddr()
	}
	a, err := startReplica(o.bin, "demo", append(common, "TANDEM_DEMO_API_KEY="+key, debugEnv(debugA)))
	if err != nil {
		return "", fmt.Errorf("replica A: %w", err)
	}
	defer a.stop()
	b, err := startReplica(o.bin, "serve", append(common, debugEnv(debugB)))
	if err != nil {
		return "", fmt.Errorf("replica B: %w", err)
	}
	defer b.stop()
	fmt.Printf("replica A (customers) %s, replica B (agents) %s, schema %s\n", a.base, b.base, schema)

	names, tokens, err := createAgents(ctx, st, h.agents)
	if err != nil {
		return "", err
	}
	sctx, stopSockets := context.WithCancel(ctx)
	defer stopSockets()
	board := &handoffBoard{}
	var frames atomic.Int64
	var sockWG sync.WaitGroup
	if err := connectAgents(sctx, b.base, names, tokens, board, &frames, &sockWG); err != nil {
		return "", err
	}
	fmt.Printf("%d agents online with a console socket on B\n", len(names))

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: h.inflight, MaxConnsPerHost: h.inflight}, Timeout: 30 * time.Second}
	convs, err := createConversations(a.base, key, client, h.convs, h.inflight)
	if err != nil {
		return "", err
	}
	board.set(convs)
	fmt.Printf("%d conversations open on A\n", len(convs))
	time.Sleep(time.Second) // let the creations' events drain from the sockets

	var stopProfiles func() error
	if h.profile != "" {
		d := time.Duration(float64(h.convs)/h.rate*float64(time.Second)) + time.Second
		stopProfiles, err = startProfiles(h.profile, debugA, debugB, d)
		if err != nil {
			return "", err
		}
	}
	frames.Store(0)
	dropped.Store(0)
	cpu0 := sampleCPU(a.cmd.Process.Pid, b.cmd.Process.Pid)
	res := driveHandoffs(a.base, key, client, board, &frames, convs, h, len(names))
	cpu := sampleCPU(a.cmd.Process.Pid, b.cmd.Process.Pid).since(cpu0)
	framesSeen := frames.Load()
	droppedSockets := dropped.Load()
	if stopProfiles != nil {
		if err := stopProfiles(); err != nil {
			fmt.Fprintln(os.Stderr, "bench: profiles:", err)
		}
	}
	stopSockets()
	sockWG.Wait()
	if res.errors == res.expected {
		return "", fmt.Errorf("every handoff POST failed: %v", board.firstErr())
	}

	met := "met"
	if res.send.p99 > handoffAimMS || res.received < res.expected {
		met = "missed"
	}
	report := fmt.Sprintf(`
%s — %s, 2 replicas on Postgres, %d agents, %d conversations
machine: %d CPUs, %s/%s; replicas, Postgres and load generator on the same machine; customers on replica A
(app API, "I want a human" → bot hands off), %d agents' console sockets on replica B; %d handoffs at %.0f/s
paced (achieved %.0f/s, ≤ %d POSTs in flight, worst send %.0f ms behind schedule); all %d conversations
stay open (none closed) throughout
queue event at first agent − POST sent:     %s
queue event at first agent − POST answered: %s
queue event at last agent − POST sent:      %s
fan-out (last agent − first agent):         %s
handoff POST round trip:                    %s
received %d/%d handoffs (%d by all %d agents, fewest sockets for one %d; %d sync fallbacks); %d POST errors
%d console frames read by the agents during the handoffs (%.0f per handoff); %d of %d agent sockets closed by B
(StatusTryAgainLater: the console lagged %d events behind)
CPU while handing off and draining (%.1f s, cores of %d): replica A %.2f, replica B %.2f, Postgres %.2f, load generator %.2f,
other processes and kernel %.2f; machine busy %.0f%%
reference NOTIFY→LISTEN (pgx, one notifier, one listener, %d notifications at %.0f/s, same server): %s
ratio p99 (first agent − POST sent) ÷ NOTIFY p99: %.1f
aim: handoff-to-console p99 ≤ %.0f ms — %s (p99 %.2f ms)
`, handoffHeader, time.Now().UTC().Format(time.RFC3339), h.agents, h.convs,
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, h.agents, res.expected, h.rate,
		res.rate, h.inflight, res.lagMS, h.convs,
		res.send, res.resp, res.lastSend, res.fanout, res.post,
		res.received, res.expected, res.all, h.agents, res.minSockets, res.syncs, res.errors,
		framesSeen, float64(framesSeen)/float64(max(1, res.expected)), droppedSockets, h.agents, consoleLag,
		cpu.wall, runtime.NumCPU(), cpu.a, cpu.b, cpu.pg, cpu.self,
		max(0, cpu.busy*float64(runtime.NumCPU())-cpu.a-cpu.b-cpu.pg-cpu.self), 100*cpu.busy,
		h.convs, h.rate, ref, res.send.p99/ref.p99, handoffAimMS, met, res.send.p99)
	fmt.Print(report)
	return report, nil
}

// handoffBoard maps conversation ids to their samples; the agents' readers fill it.
type handoffBoard struct {
	mu      sync.RWMutex
	samples map[string]*handoffSample
}

func (b *handoffBoard) set(ids []string) {
	m := make(map[string]*handoffSample, len(ids))
	for _, id := range ids {
		m[id] = &handoffSample{}
	}
	b.mu.Lock()
	b.samples = m
	b.mu.Unlock()
}

func (b *handoffBoard) get(id string) *handoffSample {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.samples[id]
}

func (b *handoffBoard) firstErr() error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, s := range b.samples {
		if s.err != nil {
			return s.err
		}
	}
	return nil
}

// seen records that one agent socket received a frame for the conversation at t.
func (b *handoffBoard) seen(id string, t time.Time, sync bool) {
	s := b.get(id)
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sent.IsZero() { // before its handoff was sent: not ours
		return
	}
	if sync {
		s.syncs++
		return
	}
	if s.first.IsZero() || t.Before(s.first) {
		s.first = t
	}
	if t.After(s.last) {
		s.last = t
	}
	s.sockets++
}

// driveHandoffs posts "I want a human" once in every conversation, paced at h.rate with at most
// h.inflight in flight, then waits for the agents' sockets to report the queue events.
func driveHandoffs(base, key string, client *http.Client, board *handoffBoard, frames *atomic.Int64, convs []string, h handoffOptions, agents int) handoffResult {
	sem := make(chan struct{}, h.inflight)
	var wg sync.WaitGroup
	start := time.Now()
	interval := time.Duration(float64(time.Second) / h.rate)
	var lag time.Duration
	for i, id := range convs {
		at := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(at))
		sem <- struct{}{}
		lag = max(lag, time.Since(at))
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			s := board.get(id)
			req, _ := http.NewRequest("POST", base+"/api/v1/conversations/"+id+"/messages", strings.NewReader(`{"text":"I want a human"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+key)
			s.mu.Lock()
			s.sent = time.Now()
			s.mu.Unlock()
			resp, err := client.Do(req)
			var data []byte
			if err == nil {
				data, _ = io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					err = fmt.Errorf("POST messages: %d %s", resp.StatusCode, data)
				} else if !bytes.Contains(data, []byte(`"handoff"`)) {
					err = fmt.Errorf("the bot did not hand off: %s", data)
				}
			}
			now := time.Now()
			s.mu.Lock()
			s.resp, s.err = now, err
			s.mu.Unlock()
		}()
	}
	wg.Wait()
	sendDone := time.Since(start)
	// Wait for stragglers: until every handoff reached every agent, or the sockets went quiet for
	// 3 s, or 60 s.
	deadline, quietSince, lastFrames := time.Now().Add(60*time.Second), time.Now(), frames.Load()
	for time.Now().Before(deadline) && time.Since(quietSince) < 3*time.Second {
		done := true
		for _, id := range convs {
			s := board.get(id)
			s.mu.Lock()
			if s.err == nil && s.sockets < agents {
				done = false
			}
			s.mu.Unlock()
			if !done {
				break
			}
		}
		if done {
			break
		}
		if n := frames.Load(); n != lastFrames {
			lastFrames, quietSince = n, time.Now()
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // late duplicates, if any, still count in sockets

	r := handoffResult{expected: len(convs), minSockets: agents, lagMS: ms(lag), rate: float64(len(convs)) / sendDone.Seconds()}
	var send, resp, fan, last, post []float64
	for _, id := range convs {
		s := board.get(id)
		s.mu.Lock()
		if s.err != nil {
			r.errors++
		}
		r.syncs += s.syncs
		if !s.resp.IsZero() && s.err == nil {
			post = append(post, ms(s.resp.Sub(s.sent)))
		}
		r.minSockets = min(r.minSockets, s.sockets)
		if !s.first.IsZero() {
			r.received++
			if s.sockets >= agents {
				r.all++
			}
			send = append(send, ms(s.first.Sub(s.sent)))
			resp = append(resp, ms(s.first.Sub(s.resp)))
			last = append(last, ms(s.last.Sub(s.sent)))
			fan = append(fan, ms(s.last.Sub(s.first)))
		}
		s.mu.Unlock()
	}
	r.send, r.resp, r.lastSend, r.fanout, r.post = quantilesOf(send), quantilesOf(resp), quantilesOf(last), quantilesOf(fan), quantilesOf(post)
	return r
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// createAgents stores n agent accounts, their agent records and a console session for each
// straight in the schema
// (bcrypt at its least cost, sessions without signing in: the benchmark is about notifications,
// not sign-ins, which are rate limited per address) and returns their usernames and session
// tokens.
func createAgents(ctx context.Context, st *postgres.Store, n int) (names, tokens []string, err error) {
	hash, err := bcrypt.GenerateFromPassword([]byte("agent-bench"), bcrypt.MinCost)
	if err != nil {
		return nil, nil, err
	}
	names, tokens = make([]string, n), make([]string, n)
	hashes := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("bench-agent-%03d", i+1)
		b := make([]byte, 32)
		rand.Read(b)
		tokens[i] = base64.RawURLEncoding.EncodeToString(b)
		hashes[i] = httpapi.HashKey(tokens[i])
	}
	err = st.Exec(ctx, `INSERT INTO accounts (username, role, password_hash, created_at)
		SELECT u, 'agent', $2, now() FROM unnest($1::text[]) AS u ON CONFLICT (username) DO NOTHING`, names, string(hash))
	if err != nil {
		return nil, nil, err
	}
	err = st.Exec(ctx, `INSERT INTO agents (username) SELECT u FROM unnest($1::text[]) AS u ON CONFLICT (username) DO NOTHING`, names)
	if err != nil {
		return nil, nil, err
	}
	err = st.Exec(ctx, `INSERT INTO sessions (hash, username, created_at, expires_at)
		SELECT h, u, now(), now() + interval '12 hours' FROM unnest($1::text[], $2::text[]) AS x(u, h)`, names, hashes)
	return names, tokens, err
}

// connectAgents sets every agent online on base with their session and opens their console
// sockets, whose readers report queue events to board until ctx ends.
func connectAgents(ctx context.Context, base string, names, tokens []string, board *handoffBoard, frames *atomic.Int64, wg *sync.WaitGroup) error {
	errs := make(chan error, len(names))
	sem := make(chan struct{}, 16)
	var setup sync.WaitGroup
	for i, name := range names {
		setup.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; setup.Done() }()
			c, err := agentSocket(ctx, base, tokens[i])
			if err != nil {
				errs <- fmt.Errorf("agent %s: %w", name, err)
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				readConsole(ctx, c, board, frames)
			}()
		}()
	}
	setup.Wait()
	close(errs)
	return <-errs
}

func agentSocket(ctx context.Context, base, token string) (*websocket.Conn, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	cookie := "tandem_session=" + token
	do := func(method, path, body string) error {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Cookie", cookie)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
		}
		return nil
	}
	if err := do("PUT", "/api/console/presence", `{"status":"online"}`); err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(dctx, strings.Replace(base, "http://", "ws://", 1)+"/api/console/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {cookie}}})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(1 << 20)
	return c, nil
}

var (
	queueType    = []byte(`"type":"queue"`)
	syncType     = []byte(`"type":"sync"`)
	ownerWaiting = []byte(`"owner":"waiting"`)
)

// consoleLag is the server's console buffer (httpapi.consoleBuffer): a console that falls this
// many events behind is closed with StatusTryAgainLater.
const consoleLag = 1024

// dropped counts agent sockets the server closed during the run.
var dropped atomic.Int64

// readConsole reads one agent's socket until ctx ends, timing each frame as it arrives, and
// pings the server often enough that it keeps the socket.
func readConsole(ctx context.Context, c *websocket.Conn, board *handoffBoard, frames *atomic.Int64) {
	defer c.CloseNow()
	go func() {
		t := time.NewTicker(20 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				c.Write(wctx, websocket.MessageText, []byte(`{"type":"ping"}`))
				cancel()
			}
		}
	}()
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			if ctx.Err() == nil {
				dropped.Add(1)
				if websocket.CloseStatus(err) != websocket.StatusTryAgainLater {
					fmt.Fprintln(os.Stderr, "bench: console socket closed:", err)
				}
			}
			return
		}
		now := time.Now()
		frames.Add(1)
		isSync := bytes.Contains(data, syncType)
		if !isSync && !(bytes.Contains(data, queueType) && bytes.Contains(data, ownerWaiting)) {
			continue
		}
		if id, ok := conversationID(data); ok {
			board.seen(id, now, isSync)
		}
	}
}

// conversationID picks the event's top-level conversation_id out of a console frame without
// decoding it all (chat.Event marshals it second, right after "type"; ids need no escaping).
func conversationID(data []byte) (string, bool) {
	const key = `"conversation_id":"`
	i := bytes.Index(data, []byte(key))
	if i < 0 {
		return "", false
	}
	rest := data[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return "", false
	}
	return string(rest[:j]), true
}

// createConversations opens n conversations on base, inflight at a time, and returns their ids.
func createConversations(base, key string, client *http.Client, n, inflight int) ([]string, error) {
	ids := make([]string, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, inflight)
	var wg sync.WaitGroup
	stamp := time.Now().UnixNano()
	for i := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			req, _ := http.NewRequest("POST", base+"/api/v1/conversations", strings.NewReader(fmt.Sprintf(`{"customer":{"id":"handoff-%d-%d"}}`, stamp, i)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+key)
			resp, err := client.Do(req)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			var conv struct{ ID string }
			if resp.StatusCode != http.StatusCreated || json.Unmarshal(data, &conv) != nil || conv.ID == "" {
				errs <- fmt.Errorf("create conversation: %d %s", resp.StatusCode, data)
				return
			}
			ids[i] = conv.ID
		}()
	}
	wg.Wait()
	close(errs)
	return ids, <-errs
}

// notifyReference measures Postgres's own NOTIFY→LISTEN round trip: one connection notifies n
// times at rate/s (payloads the size of a handoff's event batch), another listens.
func notifyReference(ctx context.Context, db string, n int, rate float64) (quantiles, error) {
	listener, err := pgx.Connect(ctx, db)
	if err != nil {
		return quantiles{}, err
	}
	defer listener.Close(context.Background())
	notifier, err := pgx.Connect(ctx, db)
	if err != nil {
		return quantiles{}, err
	}
	defer notifier.Close(context.Background())
	channel := fmt.Sprintf("bench_notify_%d", os.Getpid())
	if _, err := listener.Exec(ctx, "LISTEN "+channel); err != nil {
		return quantiles{}, err
	}
	sent := make([]time.Time, n)
	var mu sync.Mutex
	got := make([]float64, 0, n)
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for len(got) < n {
			msg, err := listener.WaitForNotification(lctx)
			if err != nil {
				return
			}
			now := time.Now()
			var i int
			fmt.Sscanf(msg.Payload, "%d", &i)
			mu.Lock()
			got = append(got, ms(now.Sub(sent[i])))
			mu.Unlock()
		}
	}()
	pad := strings.Repeat("x", 1500) // a handoff's batch (customer message, bot reply, owner, queue) is about this big
	start := time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	for i := range n {
		time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
		mu.Lock()
		sent[i] = time.Now()
		mu.Unlock()
		if _, err := notifier.Exec(ctx, "SELECT pg_notify($1, $2)", channel, fmt.Sprintf("%d %s", i, pad)); err != nil {
			return quantiles{}, err
		}
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cancel()
		<-done
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) < n {
		return quantiles{}, fmt.Errorf("%d of %d notifications arrived", len(got), n)
	}
	return quantilesOf(got), nil
}

var replicaListenRE = regexp.MustCompile(`(?:listening on|Demo page with the chat widget)\s+(http://[0-9.:]+)`)

// startReplica runs `tandem <command>` with env added and waits for it to listen.
func startReplica(bin, command string, env []string) (*tandemProc, error) {
	dir, err := os.MkdirTemp("", "tandem-bench-*")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, command)
	cmd.Env = append(append(os.Environ(), "TANDEM_DATA_DIR="+dir), env...)
	cmd.Stderr = os.Stderr
	return launch(cmd, "", "tandem "+command)
}

// launch starts cmd and waits until it prints the address it listens on; what names it in errors.
func launch(cmd *exec.Cmd, key, what string) (*tandemProc, error) {
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w (run make build first)", cmd.Path, err)
	}
	p := &tandemProc{cmd: cmd, key: key}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := replicaListenRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case p.base = <-found:
		return p, nil
	case <-time.After(60 * time.Second):
		p.kill()
		return nil, fmt.Errorf("%s did not start within 60s", what)
	}
}

// freeAddr returns a localhost address that was free a moment ago.
func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return ""
	}
	defer ln.Close()
	return ln.Addr().String()
}

func debugEnv(addr string) string {
	if addr == "" {
		return "TANDEM_BENCH_NO_DEBUG=1"
	}
	return "TANDEM_DEBUG_ADDR=" + addr
}

// startProfiles takes CPU profiles of both replicas (through their pprof endpoints) and of this
// process for d, into dir; the returned func waits for them.
func startProfiles(dir, debugA, debugB string, d time.Duration) (func() error, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(dir, "loadgen.pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for name, addr := range map[string]string{"replica-a.pprof": debugA, "replica-b.pprof": debugB} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, max(1, int(d.Seconds()))))
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			out, err := os.Create(filepath.Join(dir, name))
			if err != nil {
				errs <- err
				return
			}
			defer out.Close()
			_, err = io.Copy(out, resp.Body)
			errs <- err
		}()
	}
	return func() error {
		pprof.StopCPUProfile()
		f.Close()
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				return err
			}
		}
		fmt.Printf("CPU profiles in %s: replica-a.pprof, replica-b.pprof, loadgen.pprof (go tool pprof -top FILE)\n", dir)
		return nil
	}, nil
}

// replaceSection puts section in place of the report's section that starts with header (sections
// are separated by blank lines), or appends it.
func replaceSection(report, header, section string) string {
	parts := strings.Split(strings.TrimRight(report, "\n"), "\n\n")
	section = strings.Trim(section, "\n")
	for i, p := range parts {
		if strings.HasPrefix(p, header) {
			parts[i] = section
			return strings.Join(parts, "\n\n") + "\n"
		}
	}
	if strings.TrimSpace(report) == "" {
		return section + "\n"
	}
	return strings.Join(append(parts, section), "\n\n") + "\n"
}

// cpuSample is CPU time (seconds) used so far by the replicas, Postgres and this process, and the
// machine's busy and total time, from /proc.
type cpuSample struct {
	at             time.Time
	a, b, pg, self float64
	busy, total    float64
}

// cpuUse is CPU used between two samples, in cores (busy is the machine's busy fraction).
type cpuUse struct{ wall, a, b, pg, self, busy float64 }

const clockTicks = 100 // USER_HZ

func procCPU(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	_, rest, ok := strings.Cut(string(data), ") ") // comm may hold spaces
	if !ok {
		return 0
	}
	f := strings.Fields(rest) // f[0] is field 3 (state); utime and stime are fields 14 and 15
	if len(f) < 13 {
		return 0
	}
	var ut, st float64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &st)
	return (ut + st) / clockTicks
}

func sampleCPU(pidA, pidB int) cpuSample {
	s := cpuSample{at: time.Now(), a: procCPU(pidA), b: procCPU(pidB), self: procCPU(os.Getpid())}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		var pid int
		if _, err := fmt.Sscan(d.Name(), &pid); err != nil {
			continue
		}
		if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.TrimSpace(string(comm)) == "postgres" {
			s.pg += procCPU(pid)
		}
	}
	if data, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(data), "\n")
		for i, f := range strings.Fields(line)[1:] {
			var v float64
			fmt.Sscan(f, &v)
			s.total += v
			if i != 3 && i != 4 { // idle, iowait
				s.busy += v
			}
		}
	}
	return s
}

func (s cpuSample) since(o cpuSample) cpuUse {
	wall := s.at.Sub(o.at).Seconds()
	u := cpuUse{wall: wall, a: (s.a - o.a) / wall, b: (s.b - o.b) / wall, pg: (s.pg - o.pg) / wall, self: (s.self - o.self) / wall}
	if s.total > o.total {
		u.busy = (s.busy - o.busy) / (s.total - o.total)
	}
	return u
}
