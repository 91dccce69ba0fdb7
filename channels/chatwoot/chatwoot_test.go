package chatwoot

import "testing"

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
	f.Fuzz(func(t *testing.T, b []byte) {
		e, handle, err := ParseEvent(b)
		if err == nil && handle && (e.ID <= 0 || e.Conversation.ID <= 0 || e.Account.ID <= 0) {
			t.Fatalf("handled an incomplete event %+v", e)
		}
	})
}
