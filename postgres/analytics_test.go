package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/analytics"
	"tandem/postgres"
)

var analyticsStart = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

// TestAnalyticsFacts stores a generated history through the store's ordinary methods and
// checks the report from AnalyticsFacts against the generator's own figures.
func TestAnalyticsFacts(t *testing.T) {
	s := open(t)
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
	h := analytics.Generate(2, 100_000, analyticsStart)
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
	compareReports(b, got, h.Want)
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
