package intent

import (
	"strings"
	"testing"
	"time"

	"tandem/chat"
)

// FuzzParseJSONL checks the intents importer either returns valid intents or a clear invalid-input
// error for any file, and never panics.
func FuzzParseJSONL(f *testing.F) {
	f.Add(`{"text":"how do i file a claim","intent":"claim"}` + "\n" + `{"intent":"claim","action":"handoff","team":"claims"}`)
	f.Add(`{"text":"x","intent":"oos"}`)
	f.Add(`{"intent":"a","action":"answer","answers":{"zh":"你好"}}`)
	f.Add("\n\n{\"text\":1}")
	f.Fuzz(func(t *testing.T, data string) {
		ins, err := ParseJSONL(strings.NewReader(data), time.Unix(0, 0))
		if err != nil {
			if chat.ErrorCode(err) != chat.EINVALID {
				t.Fatalf("ParseJSONL err = %v, want invalid", err)
			}
			return
		}
		for _, in := range ins {
			if err := Validate(in); err != nil {
				t.Fatalf("ParseJSONL returned an invalid intent %+v: %v", in, err)
			}
		}
	})
}
