package conversation

import (
	"context"
	"time"

	"tandem/chat"
	"tandem/pii"
)

// Coauthored is one line of the co-authoring record: a bot draft written while a person owned the
// conversation, the customer's message it answers and, when an agent replied, what they sent.
// Texts have personal data masked.
type Coauthored struct {
	ConversationID string        `json:"conversation_id"`
	Customer       string        `json:"customer"`
	Draft          string        `json:"draft"`
	Decision       chat.Decision `json:"decision,omitempty"`
	Confidence     float64       `json:"confidence"`
	Sources        []chat.Source `json:"sources"`
	Final          string        `json:"final,omitempty"`
	EditDistance   *int          `json:"edit_distance,omitempty"`
	Agent          string        `json:"agent,omitempty"`
	CreatedAt      time.Time     `json:"created_at"`
	SentAt         *time.Time    `json:"sent_at,omitempty"`
}

// DraftReader reads drafts and the messages they answer.
type DraftReader interface {
	Drafts(ctx context.Context, from, to time.Time, limit int) ([]chat.Draft, error)
	Message(ctx context.Context, id int64) (chat.Message, error)
}

// draftsPage is how many drafts one query reads.
const draftsPage = 1000

// EachCoauthored calls emit with the record of every draft written in [from, to), oldest first,
// page by page; sentOnly leaves out drafts no agent replied to.
func EachCoauthored(ctx context.Context, st DraftReader, from, to time.Time, sentOnly bool, emit func(Coauthored) error) error {
	for {
		page, err := st.Drafts(ctx, from, to, draftsPage)
		if err != nil {
			return err
		}
		for _, d := range page {
			if sentOnly && d.SentAt == nil {
				continue
			}
			line := Coauthored{ConversationID: d.ConversationID, Draft: pii.Mask(d.Text), Decision: d.Decision, Confidence: d.Confidence,
				Sources: d.Sources, Final: pii.Mask(d.Final), EditDistance: d.EditDistance, Agent: d.Agent, CreatedAt: d.CreatedAt, SentAt: d.SentAt}
			if m, err := st.Message(ctx, d.MessageID); err == nil {
				line.Customer = pii.Mask(m.Text)
			}
			if err := emit(line); err != nil {
				return err
			}
		}
		if len(page) < draftsPage {
			return nil
		}
		from = page[len(page)-1].CreatedAt.Add(time.Microsecond)
	}
}
