package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"tandem/analytics"
	"tandem/sqlite"
	"tandem/storetest"
)

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

// TestAnalyticsFacts checks AnalyticsFacts against a generated history (storetest).
func TestAnalyticsFacts(t *testing.T) {
	s, _ := openFile(t)
	storetest.RunAnalyticsFacts(t, s)
}

// BenchmarkAnalyticsFacts times AnalyticsFacts over 100,000 generated conversations, loaded
// in one transaction (the public methods would take minutes).
func BenchmarkAnalyticsFacts(b *testing.B) {
	s, path := openFile(b)
	ctx := context.Background()
	h := analytics.Generate(2, 100_000, storetest.AnalyticsStart)
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
	storetest.CompareReports(b, got, h.Want)
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
