package conversation

import (
	"context"
	"testing"
	"time"

	"tandem/chat"
)

// draftPages serves n drafts, a minute apart from t0, in pages as a store would.
type draftPages struct {
	t0     time.Time
	drafts []chat.Draft
	calls  int
}

func (d *draftPages) Drafts(ctx context.Context, from, to time.Time, limit int) ([]chat.Draft, error) {
	d.calls++
	var out []chat.Draft
	for _, x := range d.drafts {
		if !x.CreatedAt.Before(from) && x.CreatedAt.Before(to) && len(out) < limit {
			out = append(out, x)
		}
	}
	return out, nil
}

func (d *draftPages) Message(ctx context.Context, id int64) (chat.Message, error) {
	return chat.Message{ID: id, Text: "mail me at ann@example.com"}, nil
}

func TestEachCoauthoredPagesAndMasks(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	st := &draftPages{t0: t0}
	for i := range draftsPage + 5 {
		d := chat.Draft{ID: int64(i), MessageID: int64(i), Text: "call 400-800-1234", CreatedAt: t0.Add(time.Duration(i) * time.Second)}
		if i%2 == 0 {
			sent := d.CreatedAt.Add(time.Minute)
			d.SentAt, d.Final = &sent, "write to bo@example.com"
		}
		st.drafts = append(st.drafts, d)
	}
	var all, sent []Coauthored
	if err := EachCoauthored(context.Background(), st, t0, t0.Add(time.Hour), false, func(c Coauthored) error { all = append(all, c); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(all) != draftsPage+5 || st.calls != 2 {
		t.Fatalf("%d lines in %d pages, want %d in 2", len(all), st.calls, draftsPage+5)
	}
	if all[0].Customer != "mail me at [email]" || all[0].Final != "write to [email]" {
		t.Errorf("personal data not masked: %+v", all[0])
	}
	if err := EachCoauthored(context.Background(), st, t0, t0.Add(time.Hour), true, func(c Coauthored) error { sent = append(sent, c); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(sent) != (draftsPage+6)/2 {
		t.Errorf("sent only: %d lines, want %d", len(sent), (draftsPage+6)/2)
	}
}
