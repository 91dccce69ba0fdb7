package main

import (
	"log/slog"

	"tandem/evals"
	"tandem/knowledge"
	"tandem/settings"
)

// newSelfCalibration wires the fit of the answer calibrator on the knowledge base.
func newSelfCalibration(kb *knowledge.Base, st settings.Store, target func() float64, log *slog.Logger) *evals.SelfCalibration {
	return &evals.SelfCalibration{Version: kb.Sync.Version, VectorsReady: kb.VectorsReady, Documents: kb.Index.AllDocuments,
		Fold: kb.Search.Fold, Store: st, Target: target, Log: log}
}
