package telegram

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"tandem/channels/channeltest"
)

// TestRealPayloads feeds the updates in testdata (see testdata/README.md) through the webhook:
// a private message with text, a caption or media reaches the receiver from the right chat, with
// one attachment per thing sent; edits, callbacks, member changes, groups, channels, reactions,
// service messages and the bot's own messages are acknowledged with 200 and nothing delivered.
func TestRealPayloads(t *testing.T) {
	for _, tc := range []struct {
		file string
		want string // "customer key|text|attachment kinds|greeting?" or "" for nothing delivered
	}{
		{"start_premium.json", "tg-714862471|/start||greeting"},
		{"text_premium.json", "tg-714862471|I'm not even tracked fool||"},
		{"text_chat_differs_from_user.json", "tg-5234823942|testtext||"},
		{"forward_quote_reply.json", "tg-1111111|What does this claim number cover?||"},
		{"forwarded_text.json", "tg-1111111|New opening hours from Monday||"},
		{"media_group_caption.json", "tg-1111111|Damage to my car, how do I claim?|image|"},
		{"animation_gif.json", "tg-1111111||video|"},
		{"video_note.json", "tg-1111111||video|"},
		{"venue.json", "tg-1111111||location|"},
		{"dice.json", "tg-1111111||other|"},
		{"poll.json", "tg-1111111||other|"},
		{"story.json", "tg-1111111||other|"},
		{"edited_message.json", ""},
		{"my_chat_member_kicked.json", ""},
		{"callback_query.json", ""},
		{"channel_post.json", ""},
		{"group_text.json", ""},
		{"group_new_members.json", ""},
		{"pinned_service.json", ""},
		{"business_message.json", ""},
		{"message_reaction.json", ""},
		{"from_bot.json", ""},
		{"inline_query.json", ""},
		{"poll_answer.json", ""},
		{"chat_join_request.json", ""},
		{"successful_payment.json", ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				fmt.Fprint(w, `{"ok":true,"result":true}`)
			}))
			defer api.Close()
			rec := &channeltest.Recorder{}
			a := &Adapter{Token: "T", Secret: "s3cr3t_Token-1", APIBase: api.URL, Receiver: rec, Client: api.Client(),
				Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Greeting: "Welcome!"}
			req := httptest.NewRequest("POST", "/webhooks/telegram", strings.NewReader(string(body)))
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cr3t_Token-1")
			w := httptest.NewRecorder()
			a.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d, want 200", w.Code)
			}
			var got []string
			for _, in := range rec.Got {
				var kinds []string
				for _, at := range in.Attachments {
					kinds = append(kinds, at.Kind)
				}
				greet := ""
				if in.Reply != "" {
					greet = "greeting"
				}
				got = append(got, strings.Join([]string{in.CustomerKey, in.Text, strings.Join(kinds, ","), greet}, "|"))
			}
			if g := strings.Join(got, "\n"); g != tc.want {
				t.Fatalf("delivered %q, want %q", g, tc.want)
			}
		})
	}
}

// FuzzWebhook posts arbitrary bodies to the webhook: it never panics, answers 200 or 400, and
// what it delivers comes from a private chat and carries text or an attachment.
func FuzzWebhook(f *testing.F) {
	files, _ := os.ReadDir("testdata")
	for _, file := range files {
		if strings.HasSuffix(file.Name(), ".json") {
			b, _ := os.ReadFile("testdata/" + file.Name())
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := &channeltest.Recorder{}
		a := &Adapter{Token: "T", Secret: "s", APIBase: "http://127.0.0.1:1", Receiver: rec, Client: &http.Client{},
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		req := httptest.NewRequest("POST", "/webhooks/telegram", strings.NewReader(string(body)))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s")
		w := httptest.NewRecorder()
		a.ServeHTTP(w, req)
		if w.Code != 200 && w.Code != 400 {
			t.Fatalf("status %d", w.Code)
		}
		for _, in := range rec.Got {
			if !strings.HasPrefix(in.CustomerKey, "tg-") || strings.TrimSpace(in.Text) == "" && len(in.Attachments) == 0 {
				t.Fatalf("delivered %+v", in)
			}
		}
	})
}
