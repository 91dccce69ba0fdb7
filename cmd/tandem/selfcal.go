package main

import (
	"log/slog"

	"tandem/evals"
)

// newSelfCalibration wires the fit of the answer calibrator on the knowledge base.
func newSelfCalibration(kb *knowledge, st settingsStore, target func() float64, log *slog.Logger) *evals.SelfCalibration {
	return &evals.SelfCalibration{Version: kb.sync.Version, VectorsReady: kb.vectorsReady, Documents: kb.index.AllDocuments,
		Fold: kb.search.Fold, Store: st, Target: target, Log: log}
}
