package intent

import (
	"context"
	"sync"
	"time"
)

// JobStatus is what a trainer sees of background training.
type JobStatus struct {
	Training   bool      `json:"training"`             // a run is going on now
	Queued     bool      `json:"queued"`               // another run follows it
	StartedAt  time.Time `json:"started_at,omitzero"`  // of the current or last run
	FinishedAt time.Time `json:"finished_at,omitzero"` // of the last finished run
	Seconds    float64   `json:"seconds"`              // the last finished run took
	Error      string    `json:"error,omitempty"`      // the last finished run's failure
}

// Job retrains in the background, one run at a time: Start asks for a run and returns at once;
// asks while a run goes on add up to one more run. Training a big intent set takes minutes, which
// is no time to hold a request open.
type Job struct {
	Train func(ctx context.Context) error
	Now   func() time.Time

	kick   chan struct{}
	once   sync.Once
	mu     sync.Mutex
	status JobStatus
}

func (j *Job) init() { j.once.Do(func() { j.kick = make(chan struct{}, 1) }) }

// Start asks for a run.
func (j *Job) Start() {
	j.init()
	j.mu.Lock()
	defer j.mu.Unlock()
	select {
	case j.kick <- struct{}{}:
		j.status.Queued = true
	default: // one is queued already
	}
}

// Status reports the current and last run.
func (j *Job) Status() JobStatus {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.status
}

// Run trains whenever asked, until ctx ends.
func (j *Job) Run(ctx context.Context) error {
	j.init()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-j.kick:
		}
		j.mu.Lock()
		start := j.Now()
		j.status.Training, j.status.Queued, j.status.StartedAt = true, len(j.kick) > 0, start
		j.mu.Unlock()
		err := j.Train(ctx)
		j.mu.Lock()
		j.status.Training, j.status.FinishedAt, j.status.Seconds, j.status.Error = false, j.Now(), j.Now().Sub(start).Seconds(), ""
		if err != nil {
			j.status.Error = err.Error()
		}
		j.mu.Unlock()
	}
}
