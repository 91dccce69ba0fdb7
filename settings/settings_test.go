package settings

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"tandem/bot"
)

// memStore is a settings table in memory.
type memStore struct {
	mu   sync.Mutex
	vals map[string]string
	err  error
}

func (m *memStore) Setting(ctx context.Context, key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.vals[key], m.err
}

func (m *memStore) PutSetting(ctx context.Context, key, value string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.vals == nil {
		m.vals = map[string]string{}
	}
	m.vals[key] = value
	return m.err
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestTargetPrecision(t *testing.T) {
	ctx := context.Background()
	st := &memStore{}
	tune := NewTuning(st, 0.8, nil, quiet())
	if err := tune.Load(ctx); err != nil || tune.TargetPrecision() != 0.8 {
		t.Fatalf("nothing stored: target %v, err %v; want the fallback 0.8", tune.TargetPrecision(), err)
	}
	for _, bad := range []float64{0.49, 1} {
		if err := tune.SetTarget(ctx, bad); err == nil {
			t.Errorf("SetTarget(%v) accepted", bad)
		}
	}
	if err := tune.SetTarget(ctx, 0.9); err != nil || tune.TargetPrecision() != 0.9 || st.vals[TargetPrecisionKey] != "0.9" {
		t.Fatalf("SetTarget(0.9): target %v, stored %q, err %v", tune.TargetPrecision(), st.vals[TargetPrecisionKey], err)
	}
	other := NewTuning(st, 0.8, nil, quiet()) // another replica
	if err := other.Load(ctx); err != nil || other.TargetPrecision() != 0.9 {
		t.Fatalf("another replica loads %v (err %v), want 0.9", other.TargetPrecision(), err)
	}
	for _, broken := range []string{"high", "0.2"} {
		st.vals[TargetPrecisionKey] = broken
		if err := other.Load(ctx); err == nil || !strings.Contains(err.Error(), broken) {
			t.Errorf("stored %q: err %v, want one naming it", broken, err)
		}
		if other.TargetPrecision() != 0.9 {
			t.Errorf("stored %q replaced the previous target: %v", broken, other.TargetPrecision())
		}
	}
}

func TestHours(t *testing.T) {
	ctx := context.Background()
	st := &memStore{}
	tune := NewTuning(st, 0.8, nil, quiet())
	week := `{"": {"tz": "UTC", "week": {"mon": [{"open": "09:00", "close": "17:00"}]}}}`
	if err := tune.SetHours(ctx, []byte(`{"": 5}`)); err == nil {
		t.Fatal("a broken schedule was accepted")
	}
	if _, ok := st.vals[HoursKey]; ok {
		t.Fatal("a broken schedule was stored")
	}
	if err := tune.SetHours(ctx, []byte(week)); err != nil {
		t.Fatal(err)
	}
	other := NewTuning(st, 0.8, nil, quiet())
	if err := other.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if got := other.Hours(); len(got) != 1 {
		t.Errorf("loaded schedule has %d teams, want 1", len(got))
	}
}

// threshold records the intent threshold it is given.
type threshold struct{ v float64 }

func (th *threshold) SetThreshold(v float64) { th.v = v }

// fixed is a self-fitted calibrator.
type fixed struct{ c *bot.Calibrator }

func (f fixed) For(string) *bot.Calibrator { return f.c }

func TestCalibrationHistory(t *testing.T) {
	ctx := context.Background()
	st := &memStore{}
	th := &threshold{}
	self := &bot.Calibrator{B: 1}
	tune := NewTuning(st, 0.8, nil, quiet())
	tune.Intents, tune.Self = th, fixed{self}
	if tune.Calibrator("en") != self {
		t.Fatal("without an active calibration the self-fitted calibrator answers")
	}
	if _, err := tune.Revert(ctx); err == nil {
		t.Fatal("reverting an empty history succeeded")
	}
	first, err := tune.Activate(ctx, Calibration{Set: "a", Threshold: 0.4})
	if err != nil || first.Version != 1 {
		t.Fatalf("first activation: version %d, err %v", first.Version, err)
	}
	trained := &bot.Calibrator{B: 2}
	second, err := tune.Activate(ctx, Calibration{Set: "b", Threshold: 0.6, Calibrator: trained})
	if err != nil || second.Version != 2 {
		t.Fatalf("second activation: version %d, err %v", second.Version, err)
	}
	if err := tune.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if th.v != 0.6 || tune.Calibrator("en") != tune.calibrator.Load() || tune.Calibrator("en").B != 2 {
		t.Fatalf("active calibration not applied: threshold %v, calibrator %+v", th.v, tune.Calibrator("en"))
	}
	prev, err := tune.Revert(ctx)
	if err != nil || prev == nil || prev.Version != 1 {
		t.Fatalf("revert: %+v, %v; want version 1 active again", prev, err)
	}
	if err := tune.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if th.v != 0.4 || tune.Calibrator("en") != self {
		t.Errorf("after revert: threshold %v, calibrator %+v; want 0.4 and the self-fitted one", th.v, tune.Calibrator("en"))
	}
	if prev, err := tune.Revert(ctx); err != nil || prev != nil {
		t.Errorf("reverting the last: %+v, %v; want none active", prev, err)
	}
	st.vals[CalibrationKey] = "{"
	if err := tune.Load(ctx); err == nil {
		t.Error("a broken calibration history loaded")
	}
}

func TestOrigins(t *testing.T) {
	ctx := context.Background()
	st := &memStore{}
	o := NewOrigins(st)
	if err := o.Load(ctx); err != nil || len(o.Stored()) != 0 {
		t.Fatalf("nothing stored: %v, %v", o.Stored(), err)
	}
	list := []string{"https://shop.example"}
	if err := o.Save(ctx, list); err != nil {
		t.Fatal(err)
	}
	list[0] = "changed by the caller"
	other := NewOrigins(st)
	if err := other.Load(ctx); err != nil || len(other.Stored()) != 1 || other.Stored()[0] != "https://shop.example" || o.Stored()[0] != "https://shop.example" {
		t.Fatalf("stored %v, loaded %v (err %v)", o.Stored(), other.Stored(), err)
	}
	st.vals[WidgetOriginsKey] = `["https://shop.example/path"]`
	if err := other.Load(ctx); err == nil || other.Stored()[0] != "https://shop.example" {
		t.Errorf("a stored path was accepted as an origin (err %v) or replaced the list: %v", err, other.Stored())
	}
}

func TestPollReloadsUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	loads := make(chan struct{}, 10)
	done := make(chan error)
	go func() {
		done <- Poll(ctx, time.Millisecond, func(context.Context) error {
			loads <- struct{}{}
			return io.ErrUnexpectedEOF // logged; polling goes on
		}, quiet(), "reload failed")
	}()
	<-loads
	<-loads
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Poll returned %v after cancel, want nil", err)
	}
}
