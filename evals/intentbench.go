package evals

import (
	"time"

	"tandem/intent"
)

// HoldoutEvery picks every n-th example of each intent as held-out data when a benchmark has no
// validation file.
const HoldoutEvery = 10

// BenchIntents trains a model on train, calibrates it and picks its thresholds on held, and
// scores test: the work of `tandem eval intents`. With closedSet nothing is rejected as out of
// scope. It returns the report, the model and its out-of-scope threshold.
func BenchIntents(train, held, test []intent.Example, target float64, closedSet bool) (IntentReport, *intent.Model, float64, error) {
	start := time.Now()
	m, err := intent.Train(train)
	if err != nil {
		return IntentReport{}, nil, 0, err
	}
	m.Calibrate(held)
	secs := time.Since(start).Seconds()
	heldScored, testScored := ScoreModel(m, held), ScoreModel(m, test)
	oosT, rule := OOSThreshold(heldScored, closedSet)
	r := IntentMetrics(testScored, oosT, PickAnswerThreshold(heldScored, oosT, target), target)
	r.OOSRule = rule
	r.TrainSeconds = float64(int(secs*100)) / 100
	return r, m, oosT, nil
}

// OOSThreshold picks the probability under which a prediction is out of scope, and names the
// rule: the one that labels the held-out data best when it has out-of-scope lines
// ("held_out_oos"); when it has none, the live router's rule for a model trained without them
// (intent.InScopeThreshold of the held-out in-scope probabilities, "in_scope_quantile"); with
// closedSet, none ("closed_set").
func OOSThreshold(held []Scored, closedSet bool) (float64, string) {
	if closedSet {
		return 0, "closed_set"
	}
	var probs []float64
	for _, s := range held {
		if s.Gold == OOS {
			return PickOOSThreshold(held), "held_out_oos"
		}
		probs = append(probs, s.Prob)
	}
	return intent.InScopeThreshold(probs), "in_scope_quantile"
}

// HoldOut splits every HoldoutEvery-th example of each intent off as held-out data.
func HoldOut(all []intent.Example) (train, held []intent.Example) {
	seen := map[string]int{}
	for _, e := range all {
		seen[e.Intent]++
		if seen[e.Intent]%HoldoutEvery == 0 {
			held = append(held, e)
		} else {
			train = append(train, e)
		}
	}
	return train, held
}

// ScoreModel labels examples with a model.
func ScoreModel(m *intent.Model, xs []intent.Example) []Scored {
	out := make([]Scored, len(xs))
	for i, e := range xs {
		p := m.Predict(e.Text)
		out[i] = Scored{Gold: e.Intent, Pred: p.Intent, Prob: p.Probability}
	}
	return out
}
