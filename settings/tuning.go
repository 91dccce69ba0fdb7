package settings

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"tandem/bot"
	"tandem/handoff"
)

// Setting keys: the least P(right) at which the bot answers; business hours per team (JSON); the
// calibration history (JSON).
const (
	TargetPrecisionKey = "target_precision"
	HoursKey           = "hours"
	CalibrationKey     = "calibration"
)

// Thresholder takes the active calibration's intent threshold (the intent router).
type Thresholder interface {
	SetThreshold(float64)
}

// SelfCalibrator is the answer calibrator fitted on the knowledge base.
type SelfCalibrator interface {
	For(lang string) *bot.Calibrator
}

// Tuning holds the trainers' settings, reloaded from the store, with the configuration's values
// as defaults.
type Tuning struct {
	store    Store
	fallback float64
	log      *slog.Logger
	target   atomic.Uint64 // float64 bits
	// hours is the business-hours schedule: the stored setting, else fallbackHours (TANDEM_HOURS).
	hours         atomic.Pointer[handoff.Schedule]
	fallbackHours handoff.Schedule
	// calibrator is the active calibration's answer calibrator (nil: the default).
	calibrator atomic.Pointer[bot.Calibrator]

	// Intents, when set, gets the calibrated intent threshold of the active calibration.
	Intents Thresholder
	// Self, when set, is the calibrator fitted on the knowledge base, used when trainers have not
	// activated a calibration of their own.
	Self SelfCalibrator
}

// NewTuning returns the settings at their fallbacks (the configuration's) until Load.
func NewTuning(st Store, fallback float64, hours handoff.Schedule, log *slog.Logger) *Tuning {
	t := &Tuning{store: st, fallback: fallback, fallbackHours: hours, log: log}
	t.target.Store(math.Float64bits(fallback))
	t.hours.Store(&hours)
	return t
}

// Calibrator is the answer calibrator for a language: the trainers' active calibration, else the
// one fitted on the knowledge base, else nil for the default.
func (t *Tuning) Calibrator(lang string) *bot.Calibrator {
	if c := t.calibrator.Load(); c != nil {
		return c
	}
	if t.Self != nil {
		return t.Self.For(lang)
	}
	return nil
}

// Hours is the current business-hours schedule.
func (t *Tuning) Hours() handoff.Schedule { return *t.hours.Load() }

// SetHours validates, stores and applies a business-hours schedule (JSON; {} is 24/7).
func (t *Tuning) SetHours(ctx context.Context, raw []byte) error {
	h, err := handoff.ParseSchedule(raw)
	if err != nil {
		return err
	}
	if err := t.store.PutSetting(ctx, HoursKey, string(raw), time.Now().UTC()); err != nil {
		return err
	}
	t.hours.Store(&h)
	return nil
}

// loadHours reads the stored schedule, if any.
func (t *Tuning) loadHours(ctx context.Context) error {
	v, err := t.store.Setting(ctx, HoursKey)
	if err != nil {
		return err
	}
	h := t.fallbackHours
	if v != "" {
		if h, err = handoff.ParseSchedule([]byte(v)); err != nil {
			return fmt.Errorf("stored %s: %w", HoursKey, err)
		}
	}
	t.hours.Store(&h)
	return nil
}

// TargetPrecision is the current target precision.
func (t *Tuning) TargetPrecision() float64 { return math.Float64frombits(t.target.Load()) }

// Load reads the settings from the store.
func (t *Tuning) Load(ctx context.Context) error {
	v, err := t.store.Setting(ctx, TargetPrecisionKey)
	if err != nil {
		return err
	}
	target := t.fallback
	if v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !ValidTarget(f) {
			return fmt.Errorf("stored %s %q is not a number between 0.5 and 0.99", TargetPrecisionKey, v)
		}
		target = f
	}
	t.target.Store(math.Float64bits(target))
	if err := t.loadCalibration(ctx); err != nil {
		return err
	}
	return t.loadHours(ctx)
}

// ValidTarget reports whether f is a target precision the bot accepts.
func ValidTarget(f float64) bool { return f >= 0.5 && f <= 0.99 }

// SetTarget stores a new target precision and applies it here at once.
func (t *Tuning) SetTarget(ctx context.Context, f float64) error {
	if !ValidTarget(f) {
		return fmt.Errorf("target_precision must be between 0.5 and 0.99")
	}
	if err := t.store.PutSetting(ctx, TargetPrecisionKey, strconv.FormatFloat(f, 'f', -1, 64), time.Now().UTC()); err != nil {
		return err
	}
	t.target.Store(math.Float64bits(f))
	return nil
}
