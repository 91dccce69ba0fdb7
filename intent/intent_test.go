package intent

import (
	"math"
	"testing"
)

var examples = []Example{
	{"how do i file a claim", "claim"}, {"report an accident", "claim"}, {"make a claim for water damage", "claim"},
	{"如何报案", "claim"}, {"我要报案", "claim"},
	{"pay my premium", "pay"}, {"how can i pay by card", "pay"}, {"payment options", "pay"}, {"怎么缴费", "pay"},
}

func TestTrainPredict(t *testing.T) {
	m, err := Train(examples)
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{"i want to file a claim": "claim", "can i pay with my card": "pay", "报案流程": "claim"} {
		if p := m.Predict(text); p.Intent != want || p.Probability <= 0.5 || p.Probability > 1 {
			t.Errorf("Predict(%q) = %+v, want %s", text, p, want)
		}
	}
	if _, err := Train(examples[:1]); err == nil {
		t.Error("one intent accepted")
	}
	if _, err := Train(nil); err == nil {
		t.Error("no examples accepted")
	}
}

func TestCalibrateLowersOverconfidence(t *testing.T) {
	m, _ := Train(examples)
	before := m.Predict("something about payments and claims").Probability
	// Held-out labels that contradict the model: it is overconfident, so the temperature rises.
	m.Calibrate([]Example{{"how can i pay by card", "claim"}, {"report an accident", "pay"}, {"payment options", "claim"}, {"我要报案", "pay"}})
	after := m.Predict("something about payments and claims").Probability
	if m.Temperature <= 1 || after >= before {
		t.Fatalf("temperature %.2f, probability %.3f → %.3f; confusing held-out data should soften it", m.Temperature, before, after)
	}
}

func TestGoldenMin(t *testing.T) {
	if got := goldenMin(func(x float64) float64 { return (x - 2.5) * (x - 2.5) }, 0, 10); math.Abs(got-2.5) > 1e-6 {
		t.Fatalf("goldenMin = %v", got)
	}
}
