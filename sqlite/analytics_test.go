package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"tandem/analytics"
	"tandem/sqlite"
)

var analyticsStart = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

func openFile(tb testing.TB) (*sqlite.Store, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "tandem.db")
	s, err := sqlite.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s, path
}

// TestAnalyticsFacts stores a generated history through the store's ordinary methods and
// checks the report from AnalyticsFacts against the generator's own figures.
func TestAnalyticsFacts(t *testing.T) {
	s, _ := openFile(t)
	ctx := context.Background()
	h := analytics.Generate(1, 600, analyticsStart)
	if err := h.Store(ctx, s); err != nil {
		t.Fatal(err)
	}
	facts, err := s.AnalyticsFacts(ctx, h.From, h.To)
	if err != nil {
		t.Fatal(err)
	}
	if len(facts) != len(h.WantFacts) {
		t.Fatalf("%d facts, want %d", len(facts), len(h.WantFacts))
	}
	for i, f := range facts {
		if !reflect.DeepEqual(f, h.WantFacts[i]) {
			t.Errorf("facts %d:\n got %+v\nwant %+v", i, f, h.WantFacts[i])
		}
	}
	compareReports(t, analytics.Compute(facts), h.Want)
}

func compareReports(t testing.TB, got, want analytics.Report) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"conversations", float64(got.Conversations), float64(want.Conversations)},
		{"containment", got.Containment, want.Containment},
		{"handoff rate", got.HandoffRate, want.HandoffRate},
		{"wait p90", got.WaitSeconds.P90, want.WaitSeconds.P90},
		{"rating avg", got.RatingAvg, want.RatingAvg},
		{"drop-off rate", got.DropOffRate, want.DropOffRate},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("report:\n got %+v\nwant %+v", got, want)
	}
	if want.Conversations == 0 || want.WaitSeconds.N == 0 || want.RatingCount == 0 || len(want.ByDay) != analytics.GeneratedDays {
		t.Fatalf("the generated history is too thin to test anything: %+v", want.Metrics)
	}
}

// BenchmarkAnalyticsFacts times AnalyticsFacts over 100,000 generated conversations, loaded
// in one transaction (the public methods would take minutes).
func BenchmarkAnalyticsFacts(b *testing.B) {
	s, path := openFile(b)
	ctx := context.Background()
	h := analytics.Generate(2, 100_000, analyticsStart)
	if err := bulkLoad(ctx, path, h); err != nil {
		b.Fatal(err)
	}
	var got analytics.Report
	for b.Loop() {
		facts, err := s.AnalyticsFacts(ctx, h.From, h.To)
		if err != nil {
			b.Fatal(err)
		}
		got = analytics.Compute(facts)
	}
	compareReports(b, got, h.Want)
}

func bulkLoad(ctx context.Context, path string, h analytics.History) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	us := func(t time.Time) int64 { return t.UnixMicro() }
	for _, c := range h.Conversations {
		cv := c.Conversation
		if _, err := tx.ExecContext(ctx, `INSERT INTO customers (id, channel, external_id, created_at) VALUES (?, ?, ?, ?)`,
			c.Customer.ID, c.Customer.Channel, c.Customer.ExternalID, us(c.Customer.CreatedAt)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO conversations (id, customer_id, channel, owner, created_at, updated_at) VALUES (?, ?, ?, 'bot', ?, ?)`,
			cv.ID, cv.CustomerID, cv.Channel, us(cv.CreatedAt), us(cv.UpdatedAt)); err != nil {
			return err
		}
		for _, t := range c.Transitions {
			if _, err := tx.ExecContext(ctx, `INSERT INTO transitions (conversation_id, from_owner, to_owner, actor, reason, assignee, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				t.ConversationID, string(t.From), string(t.To), t.Actor, t.Reason, t.Assignee, us(t.At)); err != nil {
				return err
			}
		}
		for _, m := range c.Messages {
			if _, err := tx.ExecContext(ctx, `INSERT INTO messages (conversation_id, author, text, decision, reason, channel, agent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				m.ConversationID, string(m.Author), m.Text, string(m.Decision), m.Reason, m.Channel, m.Agent, us(m.CreatedAt)); err != nil {
				return err
			}
		}
		for _, r := range c.Ratings {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ratings (conversation_id, score, created_at) VALUES (?, ?, ?)`,
				r.ConversationID, r.Score, us(r.CreatedAt)); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}
