package settings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"tandem/bot"
)

// Calibration is a fitted intent threshold and answer calibrator, versioned so it can be reverted.
type Calibration struct {
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

// Calibrations is the stored history; the last is active.
type Calibrations struct {
	History []Calibration `json:"history"`
}

// Calibrations reads the stored history.
func (t *Tuning) Calibrations(ctx context.Context) (Calibrations, error) {
	var c Calibrations
	v, err := t.store.Setting(ctx, CalibrationKey)
	if err != nil || v == "" {
		return c, err
	}
	if err := json.Unmarshal([]byte(v), &c); err != nil {
		return c, fmt.Errorf("stored %s: %w", CalibrationKey, err)
	}
	return c, nil
}

// loadCalibration applies the active calibration's intent threshold and answer calibrator.
func (t *Tuning) loadCalibration(ctx context.Context) error {
	c, err := t.Calibrations(ctx)
	if err != nil {
		return err
	}
	var active Calibration
	if n := len(c.History); n > 0 {
		active = c.History[n-1]
	}
	t.calibrator.Store(active.Calibrator)
	if t.Intents != nil {
		t.Intents.SetThreshold(active.Threshold)
	}
	return nil
}

// Activate stores a new calibration as the active version.
func (t *Tuning) Activate(ctx context.Context, cal Calibration) (Calibration, error) {
	c, err := t.Calibrations(ctx)
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

// Revert drops the active calibration; the previous one (or none, nil) is active again.
func (t *Tuning) Revert(ctx context.Context) (*Calibration, error) {
	c, err := t.Calibrations(ctx)
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

func (t *Tuning) saveCalibrations(ctx context.Context, c Calibrations) error {
	b, _ := json.Marshal(c)
	return t.store.PutSetting(ctx, CalibrationKey, string(b), time.Now().UTC())
}
