package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"tandem/bot"
	"tandem/knowledge"
	"tandem/settings"
)

// selfCalibrationKey is the setting that holds the calibrator fitted on the knowledge base and the
// fit's progress, so every replica and `tandem kb status` see it.
const selfCalibrationKey = "kb_calibration"

// selfCalibrationInterval is how often the fit checks whether the knowledge changed.
const selfCalibrationInterval = 200 * time.Millisecond

// progressEvery is how many questions the fit measures between stored progress updates.
const progressEvery = 50

// selfCalStatus is the fit's state as stored and reported.
type selfCalStatus struct {
	State     string            `json:"state"` // "waiting" (for vectors), "running", "done" or "failed"
	Version   string            `json:"version"`
	Done      int               `json:"done"`
	Total     int               `json:"total"`
	Error     string            `json:"error,omitempty"`
	Fit       *bot.KnowledgeFit `json:"fit,omitempty"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// selfCalibration fits the answer calibrator on the deployment's own knowledge (see
// bot.FitKnowledge) in the background, after the knowledge base is loaded and fully embedded and
// again after every change (imports, phrasings, synonyms).
type selfCalibration struct {
	kb     *knowledge.Base
	store  settings.Store
	target func() float64
	log    *slog.Logger
	fit    atomic.Pointer[bot.KnowledgeFit]
	mu     sync.Mutex
	status selfCalStatus
}

// For returns the fitted calibrator for a language, or nil.
func (c *selfCalibration) For(lang string) *bot.Calibrator { return c.fit.Load().For(lang) }

// Status is the fit's current state.
func (c *selfCalibration) Status() selfCalStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// Ready reports whether the calibrator is fitted on the knowledge version the index holds.
func (c *selfCalibration) Ready() bool {
	f := c.fit.Load()
	v := c.kb.Sync.Version()
	return f != nil && v != "" && f.Version == v
}

// run refits whenever the loaded knowledge version differs from the fitted one, until ctx ends.
func (c *selfCalibration) run(ctx context.Context) error {
	t := time.NewTicker(selfCalibrationInterval)
	defer t.Stop()
	for {
		if err := c.step(ctx); err != nil && ctx.Err() == nil {
			c.log.Warn("fitting the answer calibrator on the knowledge base failed; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// step fits once when needed: it adopts a fit another replica stored for the same version, waits
// while vectors are still being computed, and otherwise fits and stores.
func (c *selfCalibration) step(ctx context.Context) error {
	v := c.kb.Sync.Version()
	if v == "" || c.Ready() {
		return nil
	}
	if stored, err := c.stored(ctx); err == nil && stored.State == "done" && stored.Version == v && stored.Fit != nil {
		c.fit.Store(stored.Fit)
		c.set(stored)
		return nil
	}
	if !c.kb.VectorsReady(ctx) {
		c.set(selfCalStatus{State: "waiting", Version: v, UpdatedAt: time.Now().UTC()})
		return nil
	}
	docs := c.kb.Index.AllDocuments()
	start := time.Now()
	c.publish(ctx, selfCalStatus{State: "running", Version: v})
	fold := func(drop func(docID, phrasing string) bool) bot.Searcher { return c.kb.Search.Fold(drop) }
	fit, err := bot.FitKnowledge(ctx, fold, docs, c.target(), func(done, total int) {
		s := selfCalStatus{State: "running", Version: v, Done: done, Total: total}
		if done%progressEvery == 0 {
			c.publish(ctx, s)
		} else {
			c.set(s)
		}
	})
	if err != nil {
		c.publish(ctx, selfCalStatus{State: "failed", Version: v, Error: err.Error()})
		return err
	}
	fit.Version = v
	if c.kb.Sync.Version() != v { // the knowledge changed while fitting: fit again
		return nil
	}
	c.fit.Store(fit)
	st := c.Status()
	c.publish(ctx, selfCalStatus{State: "done", Version: v, Done: st.Total, Total: st.Total, Fit: fit})
	attrs := []any{"version", v, "seconds", time.Since(start).Seconds()}
	for lang, l := range fit.Langs {
		attrs = append(attrs, lang+"_ece", l.ECE, lang+"_coverage", l.Coverage)
	}
	c.log.Info("answer calibrator fitted on the knowledge base", attrs...)
	return nil
}

func (c *selfCalibration) set(s selfCalStatus) {
	if s.UpdatedAt.IsZero() {
		s.UpdatedAt = time.Now().UTC()
	}
	c.mu.Lock()
	c.status = s
	c.mu.Unlock()
}

// publish sets and stores the status; a failing store is logged (the fit still applies here).
func (c *selfCalibration) publish(ctx context.Context, s selfCalStatus) {
	c.set(s)
	b, _ := json.Marshal(c.Status())
	if err := c.store.PutSetting(ctx, selfCalibrationKey, string(b), time.Now().UTC()); err != nil && ctx.Err() == nil {
		c.log.Warn("storing the calibration progress failed", "err", err)
	}
}

func (c *selfCalibration) stored(ctx context.Context) (selfCalStatus, error) {
	return readSelfCalibration(ctx, c.store)
}

// readSelfCalibration reads the stored fit and progress (zero when there is none).
func readSelfCalibration(ctx context.Context, st settings.Store) (selfCalStatus, error) {
	var s selfCalStatus
	v, err := st.Setting(ctx, selfCalibrationKey)
	if err != nil || v == "" {
		return s, err
	}
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return s, fmt.Errorf("stored %s: %w", selfCalibrationKey, err)
	}
	return s, nil
}

// describeSelfCalibration is the status as one line per language for `tandem kb status`.
func describeSelfCalibration(s selfCalStatus) []string {
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
	for _, lang := range sortedKeys(s.Fit.Langs) {
		l := s.Fit.Langs[lang]
		out = append(out, fmt.Sprintf("  %s: %d similar questions, held-out ECE %.3f, coverage %.2f at precision %.2f", lang, l.Questions, l.ECE, l.Coverage, l.Precision))
	}
	if len(s.Fit.Langs) == 0 {
		out = append(out, "  no language has enough similar questions; the default calibrator answers")
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
