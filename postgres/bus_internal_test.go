package postgres

import (
	"encoding/json"
	"strconv"
	"testing"

	"tandem/chat"
)

// TestReplyNoticeIsPublishPayload: the payload the reply's insert sends is, byte for byte, the one
// Publish sends for the same events with the reply's id.
func TestReplyNoticeIsPublishPayload(t *testing.T) {
	conf := 0.5
	tricky := `a "message":{"id":0} <&> 的`
	for name, evs := range map[string][]chat.Event{
		"reply alone": {{Type: "message", ConversationID: "c1", Message: &chat.Message{Author: chat.AuthorBot, Text: "hi"}}},
		"three events": {
			{Type: "owner", ConversationID: "c1", Owner: chat.OwnerBot},
			{Type: "message", ConversationID: "c1", Message: &chat.Message{ID: 9, Author: chat.AuthorCustomer, Text: "]"}},
			{Type: "message", ConversationID: "c1", Message: &chat.Message{Author: chat.AuthorBot, Text: "[x]"}},
		},
		"customer's message first": {
			{Type: "message", ConversationID: `c"1`, Message: &chat.Message{ID: 3, Author: chat.AuthorCustomer, Text: tricky}},
			{Type: "message", ConversationID: `c"1`, Message: &chat.Message{Author: chat.AuthorBot, Text: tricky, Confidence: &conf,
				Sources: []chat.Source{{ID: "d", Title: tricky}}}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			n, err := newReplyNotice(evs)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range []int64{1, 42, 9007199254740993} {
				want, _ := json.Marshal(withReplyID(evs, id))
				if got := n.prefix + strconv.FormatInt(id, 10) + n.suffix; got != string(want) {
					t.Errorf("id %d: payload\n%s\nwant\n%s", id, got, want)
				}
			}
			if want, _ := json.Marshal(syncEvents(evs)); n.whole != string(want) {
				t.Errorf("whole %s, want %s", n.whole, want)
			}
		})
	}
	if _, err := newReplyNotice([]chat.Event{{Type: "owner", ConversationID: "c1"}}); err == nil {
		t.Error("events not ending with a message: no error")
	}
}
