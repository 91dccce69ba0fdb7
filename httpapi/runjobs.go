package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"tandem/chat"
)

// RunFunc replays an eval set through the current configuration, as `tandem eval run --set NAME
// --baseline latest` does, reporting progress; it returns the stored run's id.
type RunFunc func(ctx context.Context, set string, progress func(done, total int)) (runID string, err error)

// RunJob is one eval run started from the trainer console, as the console polls it.
type RunJob struct {
	ID       string    `json:"id"`
	Set      string    `json:"set"`
	Status   string    `json:"status"` // running, done or failed
	Done     int       `json:"done"`
	Total    int       `json:"total"`
	RunID    string    `json:"run_id,omitempty"`
	Error    string    `json:"error,omitempty"`
	Started  time.Time `json:"started_at"`
	Finished time.Time `json:"finished_at,omitzero"`
}

// Job limits: how long a run from the console may take, and how many finished jobs are kept
// for their pages to read.
const (
	runJobTimeout = 30 * time.Minute
	runJobsKept   = 50
)

// RunJobs runs eval sets in the background for the trainer console, one at a time per set. Jobs
// live in this replica's memory; the run itself is stored, so every replica lists it when done.
type RunJobs struct {
	Run RunFunc
	Log *slog.Logger

	mu   sync.Mutex
	jobs map[string]*RunJob
	ids  []string // oldest first
}

// Start begins a run of set, or returns the one already running for it.
func (r *RunJobs) Start(set string) RunJob {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, j := range r.jobs {
		if j.Set == set && j.Status == "running" {
			return *j
		}
	}
	var b [8]byte
	rand.Read(b[:])
	j := &RunJob{ID: "job-" + hex.EncodeToString(b[:]), Set: set, Status: "running", Started: time.Now().UTC()}
	if r.jobs == nil {
		r.jobs = map[string]*RunJob{}
	}
	r.jobs[j.ID], r.ids = j, append(r.ids, j.ID)
	r.trim()
	go r.execute(j)
	return *j
}

// trim forgets the oldest finished jobs beyond runJobsKept.
func (r *RunJobs) trim() {
	for len(r.ids) > runJobsKept {
		old := r.jobs[r.ids[0]]
		if old.Status == "running" {
			return
		}
		delete(r.jobs, r.ids[0])
		r.ids = r.ids[1:]
	}
}

func (r *RunJobs) execute(j *RunJob) {
	ctx, cancel := context.WithTimeout(context.Background(), runJobTimeout)
	defer cancel()
	id, err := r.Run(ctx, j.Set, func(done, total int) {
		r.mu.Lock()
		j.Done, j.Total = done, total
		r.mu.Unlock()
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	j.Finished, j.RunID, j.Status = time.Now().UTC(), id, "done"
	if err != nil {
		j.Status, j.Error = "failed", err.Error()
		if r.Log != nil {
			r.Log.Warn("eval run from the console failed", "set", j.Set, "err", err)
		}
	}
}

// Get returns a job by id.
func (r *RunJobs) Get(id string) (RunJob, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	j, ok := r.jobs[id]
	if !ok {
		return RunJob{}, false
	}
	return *j, true
}

// startRun handles POST /api/trainer/sets/:name/run: 202 with the job to poll.
func (s *Server) startRun(c echo.Context) error {
	if s.Trainer.Runs == nil {
		return chat.Errorf(chat.EUNAVAILABLE, "runs from the console are not available on this server")
	}
	set := c.Param("name")
	sets, err := s.Trainer.Store.EvalSets(c.Request().Context())
	if err != nil {
		return err
	}
	for _, st := range sets {
		if st.Name == set {
			return c.JSON(http.StatusAccepted, s.Trainer.Runs.Start(set))
		}
	}
	return chat.Errorf(chat.ENOTFOUND, "eval set %s not found", set)
}

// runJob handles GET /api/trainer/jobs/:id: a run's progress and, when done, its run id.
func (s *Server) runJob(c echo.Context) error {
	if s.Trainer.Runs == nil {
		return chat.Errorf(chat.ENOTFOUND, "job not found")
	}
	j, ok := s.Trainer.Runs.Get(c.Param("id"))
	if !ok {
		return chat.Errorf(chat.ENOTFOUND, "job not found on this server; its run, once done, is listed with the set's runs")
	}
	return c.JSON(http.StatusOK, j)
}
