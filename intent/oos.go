package intent

import "sort"

// InScopeRejectShare is the share of held-out in-scope examples that a model trained without
// out-of-scope examples rejects: with no example of what to refuse, it refuses what it is least
// sure of, at the confidence of its least sure 2 % of held-out in-scope examples.
const InScopeRejectShare = 0.02

// InScopeThreshold is the out-of-scope threshold of a model with no out-of-scope class: the
// top-intent probability under which InScopeRejectShare of the held-out in-scope examples' top
// probabilities fall (0 without any). A message whose top probability is under it is out of
// scope. `tandem eval intents` and the live router both use it.
func InScopeThreshold(probs []float64) float64 {
	if len(probs) == 0 {
		return 0
	}
	s := append([]float64(nil), probs...)
	sort.Float64s(s)
	return s[int(InScopeRejectShare*float64(len(s)-1))]
}

// HasOOS reports whether the model was trained with out-of-scope examples.
func (m *Model) HasOOS() bool {
	for _, l := range m.Labels {
		if l == OOS {
			return true
		}
	}
	return false
}
