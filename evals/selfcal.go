package evals

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"tandem/bot"
	"tandem/chat"
	"tandem/retrieval"
)

// SelfCalibrationKey is the setting that holds the calibrator fitted on the knowledge base and
// the fit's progress, so every replica and `tandem kb status` see it.
const SelfCalibrationKey = "kb_calibration"

// selfCalibrationInterval is how often the fit checks whether the knowledge changed.
const selfCalibrationInterval = 200 * time.Millisecond

// progressEvery is how many questions the fit measures between stored progress updates.
const progressEvery = 50

// SettingsStore keeps the settings the fit is stored in.
type SettingsStore interface {
	Setting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string, at time.Time) error
}

// SelfCalStatus is the fit's state as stored and reported.
type SelfCalStatus struct {
	State     string            `json:"state"` // "waiting" (for vectors), "running", "done" or "failed"
	Version   string            `json:"version"`
	Done      int               `json:"done"`
	Total     int               `json:"total"`
	Error     string            `json:"error,omitempty"`
	Fit       *bot.KnowledgeFit `json:"fit,omitempty"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// SelfCalibration fits the answer calibrator on the deployment's own knowledge (see
// bot.FitKnowledge) in the background, after the knowledge base is loaded and fully embedded and
// again after every change (imports, phrasings, synonyms).
type SelfCalibration struct {
	// Version is the knowledge version the index holds ("" before it is loaded).
	Version func() string
	// VectorsReady reports whether every chunk and similar question has its vector.
	VectorsReady func(ctx context.Context) bool
	// Documents are the indexed documents; Fold is the search without what drop drops.
	Documents func() []chat.Document
	Fold      func(drop func(docID, phrasing string) bool) *retrieval.Searcher
	Store     SettingsStore
	Target    func() float64
	Log       *slog.Logger

	fit    atomic.Pointer[bot.KnowledgeFit]
	mu     sync.Mutex
	status SelfCalStatus
}

// For returns the fitted calibrator for a language, or nil.
func (c *SelfCalibration) For(lang string) *bot.Calibrator { return c.fit.Load().For(lang) }

// Status is the fit's current state.
func (c *SelfCalibration) Status() SelfCalStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// Ready reports whether the calibrator is fitted on the knowledge version the index holds.
func (c *SelfCalibration) Ready() bool {
	f := c.fit.Load()
	v := c.Version()
	return f != nil && v != "" && f.Version == v
}

// Run refits whenever the loaded knowledge version differs from the fitted one, until ctx ends.
func (c *SelfCalibration) Run(ctx context.Context) error {
	t := time.NewTicker(selfCalibrationInterval)
	defer t.Stop()
	for {
		if err := c.Step(ctx); err != nil && ctx.Err() == nil {
			c.Log.Warn("fitting the answer calibrator on the knowledge base failed; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Step fits once when needed: it adopts a fit another replica stored for the same version, waits
// while vectors are still being computed, and otherwise fits and stores.
func (c *SelfCalibration) Step(ctx context.Context) error {
	v := c.Version()
	if v == "" || c.Ready() {
		return nil
	}
	if stored, err := ReadSelfCalibration(ctx, c.Store); err == nil && stored.State == "done" && stored.Version == v && stored.Fit != nil {
		c.fit.Store(stored.Fit)
		c.set(stored)
		return nil
	}
	if !c.VectorsReady(ctx) {
		c.set(SelfCalStatus{State: "waiting", Version: v, UpdatedAt: time.Now().UTC()})
		return nil
	}
	docs := c.Documents()
	start := time.Now()
	c.publish(ctx, SelfCalStatus{State: "running", Version: v})
	fold := func(drop func(docID, phrasing string) bool) bot.Searcher { return c.Fold(drop) }
	fit, err := bot.FitKnowledge(ctx, fold, docs, c.Target(), func(done, total int) {
		s := SelfCalStatus{State: "running", Version: v, Done: done, Total: total}
		if done%progressEvery == 0 {
			c.publish(ctx, s)
		} else {
			c.set(s)
		}
	})
	if err != nil {
		c.publish(ctx, SelfCalStatus{State: "failed", Version: v, Error: err.Error()})
		return err
	}
	fit.Version = v
	if c.Version() != v { // the knowledge changed while fitting: fit again
		return nil
	}
	c.fit.Store(fit)
	st := c.Status()
	c.publish(ctx, SelfCalStatus{State: "done", Version: v, Done: st.Total, Total: st.Total, Fit: fit})
	attrs := []any{"version", v, "seconds", time.Since(start).Seconds()}
	for lang, l := range fit.Langs {
		attrs = append(attrs, lang+"_ece", l.ECE, lang+"_threshold", l.Threshold, lang+"_coverage", l.Coverage)
	}
	c.Log.Info("answer calibrator fitted on the knowledge base", attrs...)
	return nil
}

func (c *SelfCalibration) set(s SelfCalStatus) {
	if s.UpdatedAt.IsZero() {
		s.UpdatedAt = time.Now().UTC()
	}
	c.mu.Lock()
	c.status = s
	c.mu.Unlock()
}

// publish sets and stores the status; a failing store is logged (the fit still applies here).
func (c *SelfCalibration) publish(ctx context.Context, s SelfCalStatus) {
	c.set(s)
	b, _ := json.Marshal(c.Status())
	if err := c.Store.PutSetting(ctx, SelfCalibrationKey, string(b), time.Now().UTC()); err != nil && ctx.Err() == nil {
		c.Log.Warn("storing the calibration progress failed", "err", err)
	}
}

// ReadSelfCalibration reads the stored fit and progress (zero when there is none).
func ReadSelfCalibration(ctx context.Context, st SettingsStore) (SelfCalStatus, error) {
	var s SelfCalStatus
	v, err := st.Setting(ctx, SelfCalibrationKey)
	if err != nil || v == "" {
		return s, err
	}
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return s, fmt.Errorf("stored %s: %w", SelfCalibrationKey, err)
	}
	return s, nil
}

// Lines describes the status, one line per language, for `tandem kb status`.
func (s SelfCalStatus) Lines() []string {
	switch s.State {
	case "":
		return []string{"answer calibrator: not fitted yet (a running server fits it on the knowledge base)"}
	case "waiting":
		return []string{"answer calibrator: waiting for vectors"}
	case "running":
		return []string{fmt.Sprintf("answer calibrator: fitting, %d of %d questions", s.Done, s.Total)}
	case "failed":
		return []string{"answer calibrator: fit failed: " + s.Error}
	}
	out := []string{fmt.Sprintf("answer calibrator: fitted on the knowledge base (version %s, target precision %.2f)", s.Version, s.Fit.Target)}
	for _, lang := range slices.Sorted(maps.Keys(s.Fit.Langs)) {
		l := s.Fit.Langs[lang]
		out = append(out, fmt.Sprintf("  %s: %d similar questions, held-out ECE %.3f; answers at P ≥ %.2f: coverage %.2f at precision %.2f", lang, l.Questions, l.ECE, l.Threshold, l.Coverage, l.Precision))
	}
	if len(s.Fit.Langs) == 0 {
		out = append(out, "  no language has enough similar questions; the default calibrator answers")
	}
	return out
}
