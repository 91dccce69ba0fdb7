package conversation

import (
	"context"
	"time"

	"tandem/chat"
)

// Recovery bounds: a customer message still unanswered strandedAfter after it arrived was
// orphaned by a crash (a bot turn takes seconds at most); one older than strandedWindow is left
// alone, since an answer that late would confuse more than help.
const (
	strandedAfter  = 20 * time.Second
	strandedWindow = time.Hour
	strandedBatch  = 50
)

// RecoveryInterval is how often messages stranded by a crash are looked for.
const RecoveryInterval = 5 * time.Second

// RunRecovery answers stranded messages every interval until ctx ends.
func (s *Service) RunRecovery(ctx context.Context, interval time.Duration) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if _, err := s.Recover(ctx); err != nil && ctx.Err() == nil {
			s.Log.Warn("recovery failed", "err", err)
		}
	}
}

// Recover runs the bot turn for customer messages stored just before a crash whose reply was never
// written: the platform's redelivery of such a message is a duplicate, so nothing else would
// answer it. Each is claimed first, so one replica answers it once. It returns how many it answered.
func (s *Service) Recover(ctx context.Context) (int, error) {
	now := s.Now().UTC()
	msgs, err := s.Store.Stranded(ctx, now.Add(-strandedWindow), now.Add(-strandedAfter), strandedBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range msgs {
		ok, err := s.recoverOne(ctx, m, now)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

func (s *Service) recoverOne(ctx context.Context, m chat.Message, now time.Time) (bool, error) {
	if ok, err := s.Store.ClaimStranded(ctx, m.ID, now); err != nil || !ok {
		return false, err
	}
	conv, err := s.Store.Conversation(ctx, m.ConversationID)
	if err != nil || conv.Owner != chat.OwnerBot {
		return false, err
	}
	s.Log.Info("answering a message stranded by a crash", "conversation_id", conv.ID, "message_id", m.ID)
	b := &batch{}
	defer s.flush(ctx, b)
	if chat.TextOnly(m.Text) == "" { // attachments only: a person looks at them
		_, err = s.forPerson(ctx, b, conv, Inbound{ForPerson: ReasonAttachment}, m.ID)
		return err == nil, err
	}
	_, err = s.botTurn(ctx, b, conv, m, nil)
	return err == nil, err
}
