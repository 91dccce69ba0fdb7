package telegram

import "testing"

func TestParseUpdate(t *testing.T) {
	u, err := ParseUpdate([]byte(`{"update_id":10000,"message":{"message_id":1365,"from":{"id":1111111,"is_bot":false,"first_name":"Ann"},
 "chat":{"id":1111111,"type":"private","first_name":"Ann"},"date":1441645532,"text":"Where is my order?"}}`))
	if err != nil || u.UpdateID != 10000 || u.Message.Chat.ID != 1111111 || u.Message.Text != "Where is my order?" || u.Message.From.FirstName != "Ann" {
		t.Fatalf("%+v %v", u, err)
	}
	// 52-bit ids fit.
	if u, err := ParseUpdate([]byte(`{"update_id":1,"message":{"chat":{"id":4503599627370495,"type":"private"},"text":"x"}}`)); err != nil || u.Message.Chat.ID != 4503599627370495 {
		t.Fatalf("large chat id: %+v %v", u, err)
	}
	for _, bad := range []string{``, `{}`, `[]`, `{"update_id":"x"}`, `{"update_id":1,"message":{"chat":{"id":"x"}}}`} {
		if _, err := ParseUpdate([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func FuzzParseUpdate(f *testing.F) {
	f.Add([]byte(`{"update_id":10000,"message":{"message_id":1,"chat":{"id":1,"type":"private"},"text":"hi"}}`))
	f.Add([]byte(`{"update_id":1,"edited_message":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := ParseUpdate(b)
		if err == nil && u.UpdateID == 0 {
			t.Fatal("accepted an update without update_id")
		}
	})
}
