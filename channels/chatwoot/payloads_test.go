package chatwoot

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"tandem/channels/channeltest"
)

// TestRealPayloads feeds the events in testdata (see testdata/README.md) through the signed
// webhook: a customer's public message reaches the receiver in its conversation's thread; our own
// and agents' messages, notes, templates, activities, edits and contact or widget events are
// acknowledged with 200 and nothing delivered; a status change is followed.
func TestRealPayloads(t *testing.T) {
	now := time.Unix(1_752_161_800, 0)
	for _, tc := range []struct {
		file   string
		want   string // "customer key|thread|text|for person" or ""
		follow string // "thread owner" or ""
	}{
		{"docs_sample_message_created.json", "cw-1-contact-1|1/1|Hi|", ""},
		{"agent_bot_message_created.json", "cw-3-contact-52870|3/13098|hola desde el body 🫡 |", ""},
		{"incoming_audio.json", "cw-3-contact-52870|3/13098|[audio https://cw.example/rails/active_storage/blobs/voice.ogg]|attachment", ""},
		{"outgoing_agent.json", "", ""},
		{"outgoing_agent_bot.json", "", ""},
		{"private_note.json", "", ""},
		{"template_message.json", "", ""},
		{"activity_message.json", "", ""},
		{"message_updated.json", "", ""},
		{"automation_conversation_created.json", "", ""},
		{"contact_updated.json", "", ""},
		{"webwidget_triggered.json", "", ""},
		{"conversation_status_changed.json", "", "3/13098 closed"},
		{"conversation_opened.json", "", "3/13098 waiting"},
		{"conversation_resolved.json", "", "3/13098 closed"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			rec := &channeltest.Recorder{}
			a := &Adapter{Secret: "bot-secret", Receiver: rec, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }}
			req := httptest.NewRequest("POST", "/webhooks/chatwoot", strings.NewReader(string(body)))
			req.Header.Set("X-Chatwoot-Timestamp", strconv.FormatInt(now.Unix(), 10))
			req.Header.Set("X-Chatwoot-Signature", sign("bot-secret", now.Unix(), body))
			w := httptest.NewRecorder()
			a.ServeHTTP(w, req)
			if w.Code != 200 {
				t.Fatalf("status %d (%s), want 200", w.Code, w.Body)
			}
			var got []string
			for _, in := range rec.Got {
				got = append(got, strings.Join([]string{in.CustomerKey, in.Thread, in.Text, in.ForPerson}, "|"))
			}
			if g := strings.Join(got, "\n"); g != tc.want {
				t.Fatalf("delivered %q, want %q", g, tc.want)
			}
			var followed []string
			for _, o := range rec.Followed {
				followed = append(followed, o.Thread+" "+string(o.Owner))
			}
			if f := strings.Join(followed, "\n"); f != tc.follow {
				t.Fatalf("followed %q, want %q", f, tc.follow)
			}
		})
	}
}
