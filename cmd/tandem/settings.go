package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"tandem/bot"
	"tandem/evals"
	"tandem/handoff"
	"tandem/intent"
)

// settingsStore keeps settings trainers change at run time.
type settingsStore interface {
	Setting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string, at time.Time) error
}

// Setting keys: the least P(right) at which the bot answers; business hours per team (JSON).
const (
	targetPrecisionKey = "target_precision"
	hoursKey           = "hours"
	calibrationKey     = "calibration"
)

// tuning holds the trainer's settings, reloaded from the store, with the configuration's values as
// defaults.
type tuning struct {
	store    settingsStore
	fallback float64
	log      *slog.Logger
	target   atomic.Uint64 // float64 bits
	// hours is the business-hours schedule: the stored setting, else fallbackHours (TANDEM_HOURS).
	hours         atomic.Pointer[handoff.Schedule]
	fallbackHours handoff.Schedule
	// intents, when set, gets the calibrated intent threshold of the active calibration.
	intents *intent.Live
	// calibrator is the active calibration's answer calibrator (nil: the default).
	calibrator atomic.Pointer[bot.Calibrator]
	// self, when set, is the calibrator fitted on the knowledge base, used when trainers have not
	// activated a calibration of their own.
	self *evals.SelfCalibration
}

// Calibrator is the answer calibrator for a language: the trainers' active calibration, else the
// one fitted on the knowledge base, else nil for the default.
func (t *tuning) Calibrator(lang string) *bot.Calibrator {
	if c := t.calibrator.Load(); c != nil {
		return c
	}
	if t.self != nil {
		return t.self.For(lang)
	}
	return nil
}

func newTuning(st settingsStore, fallback float64, hours handoff.Schedule, log *slog.Logger) *tuning {
	t := &tuning{store: st, fallback: fallback, fallbackHours: hours, log: log}
	t.target.Store(math.Float64bits(fallback))
	t.hours.Store(&hours)
	return t
}

// Hours is the current business-hours schedule.
func (t *tuning) Hours() handoff.Schedule { return *t.hours.Load() }

// setHours validates, stores and applies a business-hours schedule (JSON; {} is 24/7).
func (t *tuning) setHours(ctx context.Context, raw []byte) error {
	h, err := handoff.ParseSchedule(raw)
	if err != nil {
		return err
	}
	if err := t.store.PutSetting(ctx, hoursKey, string(raw), time.Now().UTC()); err != nil {
		return err
	}
	t.hours.Store(&h)
	return nil
}

// loadHours reads the stored schedule, if any.
func (t *tuning) loadHours(ctx context.Context) error {
	v, err := t.store.Setting(ctx, hoursKey)
	if err != nil {
		return err
	}
	h := t.fallbackHours
	if v != "" {
		if h, err = handoff.ParseSchedule([]byte(v)); err != nil {
			return fmt.Errorf("stored %s: %w", hoursKey, err)
		}
	}
	t.hours.Store(&h)
	return nil
}

// TargetPrecision is the current target precision.
func (t *tuning) TargetPrecision() float64 { return math.Float64frombits(t.target.Load()) }

// load reads the settings from the store.
func (t *tuning) load(ctx context.Context) error {
	v, err := t.store.Setting(ctx, targetPrecisionKey)
	if err != nil {
		return err
	}
	target := t.fallback
	if v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !validTarget(f) {
			return fmt.Errorf("stored %s %q is not a number between 0.5 and 0.99", targetPrecisionKey, v)
		}
		target = f
	}
	t.target.Store(math.Float64bits(target))
	if err := t.loadCalibration(ctx); err != nil {
		return err
	}
	return t.loadHours(ctx)
}

// calibration is a fitted intent threshold and answer calibrator, versioned so it can be reverted.
type calibration struct {
	Version          int     `json:"version"`
	Set              string  `json:"set"`
	Target           float64 `json:"target"`
	Threshold        float64 `json:"threshold"`          // the intent threshold (0: the router's default)
	Coverage         float64 `json:"coverage"`           // of intent cases, on the held-out half
	HeldOutPrecision float64 `json:"held_out_precision"` // of intent cases, on the held-out half
	// The answer calibrator fitted on the set's knowledge cases (nil: the default), and on the
	// held-out half the coverage and precision of answering at P ≥ Target, and its ECE.
	Calibrator       *bot.Calibrator `json:"calibrator,omitempty"`
	AnswerCoverage   float64         `json:"answer_coverage,omitempty"`
	AnswerPrecision  float64         `json:"answer_precision,omitempty"`
	AnswerECE        float64         `json:"answer_ece,omitempty"`
	DefaultAnswerECE float64         `json:"default_answer_ece,omitempty"`
	CreatedAt        time.Time       `json:"created_at"`
}

// calibrations is the stored history; the last is active.
type calibrations struct {
	History []calibration `json:"history"`
}

func (t *tuning) calibrations(ctx context.Context) (calibrations, error) {
	var c calibrations
	v, err := t.store.Setting(ctx, calibrationKey)
	if err != nil || v == "" {
		return c, err
	}
	if err := json.Unmarshal([]byte(v), &c); err != nil {
		return c, fmt.Errorf("stored %s: %w", calibrationKey, err)
	}
	return c, nil
}

// loadCalibration applies the active calibration's intent threshold and answer calibrator.
func (t *tuning) loadCalibration(ctx context.Context) error {
	c, err := t.calibrations(ctx)
	if err != nil {
		return err
	}
	var active calibration
	if n := len(c.History); n > 0 {
		active = c.History[n-1]
	}
	t.calibrator.Store(active.Calibrator)
	if t.intents != nil {
		t.intents.SetThreshold(active.Threshold)
	}
	return nil
}

// activate stores a new calibration as the active version.
func (t *tuning) activate(ctx context.Context, cal calibration) (calibration, error) {
	c, err := t.calibrations(ctx)
	if err != nil {
		return cal, err
	}
	cal.Version = 1
	if n := len(c.History); n > 0 {
		cal.Version = c.History[n-1].Version + 1
	}
	c.History = append(c.History, cal)
	return cal, t.saveCalibrations(ctx, c)
}

// revert drops the active calibration; the previous one (or none) is active again.
func (t *tuning) revert(ctx context.Context) (*calibration, error) {
	c, err := t.calibrations(ctx)
	if err != nil {
		return nil, err
	}
	if len(c.History) == 0 {
		return nil, errors.New("no calibration to revert")
	}
	c.History = c.History[:len(c.History)-1]
	if err := t.saveCalibrations(ctx, c); err != nil {
		return nil, err
	}
	if n := len(c.History); n > 0 {
		return &c.History[n-1], nil
	}
	return nil, nil
}

func (t *tuning) saveCalibrations(ctx context.Context, c calibrations) error {
	b, _ := json.Marshal(c)
	return t.store.PutSetting(ctx, calibrationKey, string(b), time.Now().UTC())
}

func validTarget(f float64) bool { return f >= 0.5 && f <= 0.99 }

// setTarget stores a new target precision and applies it here at once.
func (t *tuning) setTarget(ctx context.Context, f float64) error {
	if !validTarget(f) {
		return fmt.Errorf("target_precision must be between 0.5 and 0.99")
	}
	if err := t.store.PutSetting(ctx, targetPrecisionKey, strconv.FormatFloat(f, 'f', -1, 64), time.Now().UTC()); err != nil {
		return err
	}
	t.target.Store(math.Float64bits(f))
	return nil
}

// poll calls load every interval until ctx ends, logging failures (the previous state stays), so
// a change made on another replica or through the CLI arrives within one interval.
func poll(ctx context.Context, interval time.Duration, load func(context.Context) error, log *slog.Logger, failed string) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if err := load(ctx); err != nil && ctx.Err() == nil {
				log.Warn(failed, "err", err)
			}
		}
	}
}
