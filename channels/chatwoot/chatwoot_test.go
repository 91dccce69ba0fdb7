package chatwoot

import (
	"os"
	"strings"
	"testing"
)

func TestParseEvent(t *testing.T) {
	in := `{"event":"message_created","id":99,"content":"Where is my refund?","message_type":"incoming","content_type":"text","private":false,
 "sender":{"id":5,"name":"Lee"},"conversation":{"id":41,"status":"pending","meta":{"hmac_verified":false}},"account":{"id":7},"inbox":{"id":3}}`
	e, handle, err := ParseEvent([]byte(in))
	if err != nil || !handle || e.Conversation.ID != 41 || e.Account.ID != 7 || e.Sender.Name != "Lee" {
		t.Fatalf("%+v %v %v", e, handle, err)
	}
	for _, skip := range []string{
		`{"event":"message_created","id":1,"content":"our reply","message_type":"outgoing","conversation":{"id":1},"account":{"id":1}}`,
		`{"event":"message_created","id":1,"content":"a note","message_type":"incoming","private":true,"conversation":{"id":1},"account":{"id":1}}`,
		`{"event":"conversation_opened","conversation":{"id":1},"account":{"id":1}}`,
	} {
		if _, handle, err := ParseEvent([]byte(skip)); err != nil || handle {
			t.Errorf("handled %s (%v)", skip, err)
		}
	}
	for _, bad := range []string{``, `{}`, `[]`} {
		if _, _, err := ParseEvent([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(`{"event":"message_created","id":1,"content":"x","message_type":"incoming","conversation":{"id":1},"account":{"id":1}}`))
	files, _ := os.ReadDir("testdata")
	for _, file := range files {
		if b, err := os.ReadFile("testdata/" + file.Name()); err == nil && strings.HasSuffix(file.Name(), ".json") {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, handle, err := ParseEvent(b)
		if err == nil && handle && (e.ID <= 0 || e.Conversation.ID <= 0 || e.Account.ID <= 0) {
			t.Fatalf("handled an incomplete event %+v", e)
		}
	})
}

func TestParseAttachmentOnly(t *testing.T) {
	in := `{"event":"message_created","id":7,"content":null,"message_type":"incoming","private":false,"sender":{"id":5,"name":"Lee","type":"contact"},
 "conversation":{"id":41,"status":"pending","meta":{"assignee":null}},"account":{"id":7},
 "attachments":[{"id":91,"message_id":7,"file_type":"image","account_id":7,"extension":null,"data_url":"https://cw.example/receipt.jpg","thumb_url":"","file_size":1,"width":1,"height":1},
  {"id":92,"message_id":7,"file_type":"location","account_id":7,"coordinates_lat":31.2,"coordinates_long":121.5,"fallback_title":"Shanghai","data_url":""}]}`
	e, handle, err := ParseEvent([]byte(in))
	if err != nil || !handle {
		t.Fatalf("attachment-only message not handled: %v", err)
	}
	if d := describe(e.Attachments); d != "[image https://cw.example/receipt.jpg]\n[location 31.200000,121.500000 Shanghai]" {
		t.Fatalf("description %q", d)
	}
}

func TestOwnerFollowsChatwoot(t *testing.T) {
	person := &Person{ID: 12, Name: "Amy", Type: "user"}
	bot := &Person{ID: 3, Name: "Tandem", Type: "agent_bot"}
	for _, tc := range []struct {
		status   string
		assignee *Person
		explicit bool
		want     string
	}{
		{"open", person, false, "human chatwoot:12"},
		{"open", nil, false, "waiting "},
		{"open", bot, true, "waiting "},
		{"snoozed", person, true, "human chatwoot:12"},
		{"pending", nil, true, "bot "},
		{"pending", nil, false, "-"}, // a message's status may predate Tandem's own handoff
		{"resolved", nil, true, "closed "},
		{"resolved", nil, false, "-"},
	} {
		c := Conversation{Status: tc.status}
		c.Meta.Assignee = tc.assignee
		to, who, ok := owner(c, tc.explicit)
		got := "-"
		if ok {
			got = string(to) + " " + who
		}
		if got != tc.want {
			t.Errorf("%s %+v explicit=%v: %q, want %q", tc.status, tc.assignee, tc.explicit, got, tc.want)
		}
	}
}
