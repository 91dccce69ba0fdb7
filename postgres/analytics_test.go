package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/analytics"
	"tandem/postgres"
	"tandem/storetest"
)

// TestAnalyticsFacts checks AnalyticsFacts against a generated history (storetest).
func TestAnalyticsFacts(t *testing.T) {
	s := open(t)
	storetest.RunAnalyticsFacts(t, s)
}

// BenchmarkAnalyticsFacts times AnalyticsFacts over 100,000 generated conversations, loaded
// with COPY (the public methods would take many minutes). Without a database it skips, except
// in CI where that is a failure.
func BenchmarkAnalyticsFacts(b *testing.B) {
	ctx := context.Background()
	schema := fmt.Sprintf("b_%d_%d", time.Now().UnixNano(), rand.IntN(1e6))
	s, err := postgres.OpenSchema(ctx, testURL(), schema)
	if err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatalf("postgres unavailable in CI: %v", err)
		}
		b.Skipf("postgres unavailable: %v", err)
	}
	b.Cleanup(func() {
		s.DropSchema(context.Background(), schema)
		s.Close()
	})
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	h := analytics.Generate(2, 100_000, storetest.AnalyticsStart)
	if err := copyHistory(ctx, schema, h); err != nil {
		b.Fatal(err)
	}
	if err := s.Exec(ctx, `ANALYZE`); err != nil {
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

func copyHistory(ctx context.Context, schema string, h analytics.History) error {
	conn, err := pgx.Connect(ctx, testURL())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SET search_path = `+pgx.Identifier{schema}.Sanitize()+`, public`); err != nil {
		return err
	}
	var customers, convs, transitions, messages, ratings [][]any
	for _, c := range h.Conversations {
		cv := c.Conversation
		customers = append(customers, []any{c.Customer.ID, c.Customer.Channel, c.Customer.ExternalID, c.Customer.CreatedAt})
		convs = append(convs, []any{cv.ID, cv.CustomerID, cv.Channel, "bot", cv.CreatedAt, cv.UpdatedAt})
		for _, t := range c.Transitions {
			transitions = append(transitions, []any{t.ConversationID, string(t.From), string(t.To), t.Actor, t.Reason, t.Assignee, t.At})
		}
		for _, m := range c.Messages {
			messages = append(messages, []any{m.ConversationID, string(m.Author), m.Text, string(m.Decision), m.Reason, m.Channel, m.Agent, m.CreatedAt})
		}
		for _, r := range c.Ratings {
			ratings = append(ratings, []any{r.ConversationID, r.Score, r.CreatedAt})
		}
	}
	for _, tbl := range []struct {
		name string
		cols []string
		rows [][]any
	}{
		{"customers", []string{"id", "channel", "external_id", "created_at"}, customers},
		{"conversations", []string{"id", "customer_id", "channel", "owner", "created_at", "updated_at"}, convs},
		{"transitions", []string{"conversation_id", "from_owner", "to_owner", "actor", "reason", "assignee", "at"}, transitions},
		{"messages", []string{"conversation_id", "author", "text", "decision", "reason", "channel", "agent", "created_at"}, messages},
		{"ratings", []string{"conversation_id", "score", "created_at"}, ratings},
	} {
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{tbl.name}, tbl.cols, pgx.CopyFromRows(tbl.rows)); err != nil {
			return fmt.Errorf("copy %s: %w", tbl.name, err)
		}
	}
	return nil
}
