package httpapi

import (
	"context"
	"testing"

	"tandem/chat"
)

// FuzzWidgetFrame checks any client frame is either refused as a bad frame or handled, never a
// panic, and what passes keeps within the frame limits.
func FuzzWidgetFrame(f *testing.F) {
	for _, seed := range []string{`{"type":"typing"}`, `{"type":"ping"}`, `{"type":"watch","conversation_id":"01J"}`,
		`{"type":1}`, `[]`, `null`, `{"type":"typing","conversation_id":"` + string(make([]byte, 70)) + `"}`, "\xff"} {
		f.Add([]byte(seed))
	}
	k := &socket{s: &Server{}, convID: "c1"}
	k.owner.Store(chat.OwnerHuman)
	view := &consoleView{agent: "amy", mine: map[string]bool{}}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := parseFrame(data)
		if err != nil {
			if err != errBadFrame {
				t.Fatalf("parseFrame(%q) = %v, want errBadFrame", data, err)
			}
			return
		}
		if len(fr.ConversationID) > maxFrameConversationID {
			t.Fatalf("parseFrame(%q) passed a %d-byte conversation id", data, len(fr.ConversationID))
		}
		k.onFrame(context.Background(), fr)
		if fr.Type == "watch" {
			view.watch(fr.ConversationID)
		}
	})
}
