package analytics

import (
	"reflect"
	"testing"
	"time"

	"tandem/chat"
)

var t0 = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

// at is t0 plus s seconds.
func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

func TestApplyTransitions(t *testing.T) {
	const (
		bot     = chat.OwnerBot
		waiting = chat.OwnerWaiting
		human   = chat.OwnerHuman
		closed  = chat.OwnerClosed
	)
	move := func(from, to chat.Owner, s int) chat.Transition {
		return chat.Transition{From: from, To: to, Reason: string(from) + ">" + string(to), At: at(s)}
	}
	tests := []struct {
		name string
		ts   []chat.Transition
		want Facts
	}{
		{"bot only", nil, Facts{}},
		{"accepted, transferred, closed",
			[]chat.Transition{move(bot, waiting, 1), move(waiting, human, 5), move(human, human, 7), move(human, closed, 9)},
			Facts{HandoffAt: at(1), HandoffReason: "bot>waiting", AcceptedAt: at(5), ReleasedAt: at(9), ClosedAt: at(9)}},
		{"back to the bot, then served",
			[]chat.Transition{move(bot, waiting, 1), move(waiting, bot, 3), move(bot, waiting, 4), move(waiting, human, 6), move(human, bot, 8)},
			Facts{HandoffAt: at(1), HandoffReason: "bot>waiting", AcceptedAt: at(6), ReleasedAt: at(8), DroppedOff: true}},
		{"still waiting: not dropped off (yet)", []chat.Transition{move(bot, waiting, 1)},
			Facts{HandoffAt: at(1), HandoffReason: "bot>waiting", Waiting: true}},
		{"closed from the queue", []chat.Transition{move(bot, waiting, 1), move(waiting, closed, 2)},
			Facts{HandoffAt: at(1), HandoffReason: "bot>waiting", ClosedAt: at(2), DroppedOff: true}},
		{"transferred to a team",
			[]chat.Transition{move(bot, waiting, 1), move(waiting, human, 2), move(human, waiting, 3), move(waiting, human, 4), move(human, closed, 5)},
			Facts{HandoffAt: at(1), HandoffReason: "bot>waiting", AcceptedAt: at(2), ReleasedAt: at(5), ClosedAt: at(5)}},
		{"closed by the bot, reopened, handed off",
			[]chat.Transition{move(bot, closed, 1), move(closed, bot, 2), move(bot, waiting, 3), move(waiting, human, 4)},
			Facts{ClosedAt: at(1), HandoffAt: at(3), HandoffReason: "bot>waiting", AcceptedAt: at(4)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Facts
			got.ApplyTransitions(tt.ts)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestContained(t *testing.T) {
	answered := Facts{CustomerMessages: 1, BotAnswers: 1}
	tests := []struct {
		name string
		f    func(f *Facts)
		want bool
	}{
		{"answered", func(*Facts) {}, true},
		{"silent customer", func(f *Facts) { f.CustomerMessages = 0 }, false},
		{"never answered", func(f *Facts) { f.BotAnswers = 0 }, false},
		{"reopened", func(f *Facts) { f.Reopened = true }, false},
		{"handed off", func(f *Facts) { f.HandoffAt = t0 }, false},
		{"taken by a person", func(f *Facts) { f.AcceptedAt = t0 }, false},
	}
	for _, tt := range tests {
		f := answered
		tt.f(&f)
		if got := f.Contained(); got != tt.want {
			t.Errorf("%s: Contained() = %v, want %v", tt.name, got, tt.want)
		}
	}
}
