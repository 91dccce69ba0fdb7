package telegram

import (
	"fmt"
	"strconv"
	"strings"

	"tandem/channels"
	"tandem/chat"
)

// file is any of the Bot API's file objects: a file_id to fetch it with getFile.
type file struct {
	FileID   string `json:"file_id"`
	FileName string `json:"file_name"`
	MimeType string `json:"mime_type"`
	Title    string `json:"title"` // audio
	Emoji    string `json:"emoji"` // sticker
	SetName  string `json:"set_name"`
}

type location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// media is the non-text content a message may carry.
type media struct {
	Caption   string    `json:"caption"`
	Photo     []file    `json:"photo"` // sizes, smallest first
	Document  *file     `json:"document"`
	Voice     *file     `json:"voice"`
	Audio     *file     `json:"audio"`
	Video     *file     `json:"video"`
	VideoNote *file     `json:"video_note"`
	Animation *file     `json:"animation"`
	Sticker   *file     `json:"sticker"`
	Location  *location `json:"location"`
	Venue     *struct {
		Location location `json:"location"`
		Title    string   `json:"title"`
		Address  string   `json:"address"`
	} `json:"venue"`
	Contact *struct {
		PhoneNumber string `json:"phone_number"`
		FirstName   string `json:"first_name"`
		LastName    string `json:"last_name"`
	} `json:"contact"`
	// What else a customer can send that the bot cannot read: a person looks at it.
	Dice *struct {
		Emoji string `json:"emoji"`
		Value int    `json:"value"`
	} `json:"dice"`
	Poll *struct {
		Question string `json:"question"`
	} `json:"poll"`
	Story     *struct{} `json:"story"`
	PaidMedia *struct{} `json:"paid_media"`
	Game      *struct {
		Title string `json:"title"`
	} `json:"game"`
}

// attachments lists what the message carries besides text, for an agent.
func (m media) attachments() []chat.Attachment {
	var out []chat.Attachment
	add := func(kind string, f *file, name string) {
		if f != nil {
			out = append(out, chat.Attachment{Kind: kind, Name: strings.TrimSpace(cmpOr(name, f.FileName, f.Title)), Ref: f.FileID, Type: f.MimeType})
		}
	}
	if n := len(m.Photo); n > 0 {
		add(chat.KindImage, &m.Photo[n-1], "") // the largest size
	}
	if m.Animation == nil { // a GIF comes as both animation and document: counted once, as a video
		add(chat.KindFile, m.Document, "")
	}
	add(chat.KindVoice, m.Voice, "")
	add(chat.KindAudio, m.Audio, "")
	add(chat.KindVideo, m.Video, "")
	add(chat.KindVideo, m.VideoNote, "")
	add(chat.KindVideo, m.Animation, "")
	if s := m.Sticker; s != nil {
		add(chat.KindSticker, s, strings.TrimSpace(s.Emoji+" "+s.SetName))
	}
	switch {
	case m.Venue != nil:
		out = append(out, chat.Attachment{Kind: chat.KindLocation, Name: strings.TrimSpace(m.Venue.Title + " " + m.Venue.Address),
			URL: channels.MapLink(m.Venue.Location.Latitude, m.Venue.Location.Longitude)})
	case m.Location != nil:
		out = append(out, chat.Attachment{Kind: chat.KindLocation, URL: channels.MapLink(m.Location.Latitude, m.Location.Longitude)})
	}
	if c := m.Contact; c != nil {
		out = append(out, chat.Attachment{Kind: chat.KindContact, Name: strings.TrimSpace(c.FirstName + " " + c.LastName + " " + c.PhoneNumber)})
	}
	return append(out, m.others()...)
}

// others describes what a customer sent that is neither text nor a file: a dice throw, a poll,
// a shared story, paid media or a game.
func (m media) others() []chat.Attachment {
	var out []chat.Attachment
	other := func(name string) { out = append(out, chat.Attachment{Kind: chat.KindOther, Name: name}) }
	if d := m.Dice; d != nil {
		other(fmt.Sprintf("dice %s %d", d.Emoji, d.Value))
	}
	if p := m.Poll; p != nil {
		other("poll: " + p.Question)
	}
	if m.Story != nil {
		other("story")
	}
	if m.PaidMedia != nil {
		other("paid media")
	}
	if g := m.Game; g != nil {
		other("game " + g.Title)
	}
	return out
}

func cmpOr(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// greetCommands are the commands answered with the greeting instead of a bot turn: /start is
// the first thing every new user sends (with a deep-link payload after it, sometimes).
var greetCommands = map[string]bool{"/start": true, "/help": true}

// isGreeting reports whether text is /start or /help, with or without "@botname" and a payload.
func isGreeting(text string) bool {
	cmd, _, _ := strings.Cut(strings.TrimSpace(text), " ")
	cmd, _, _ = strings.Cut(cmd, "@")
	return greetCommands[strings.ToLower(cmd)]
}

// lang maps the user's Telegram language_code to Tandem's languages ("" when unknown).
func lang(code string) string {
	switch {
	case code == "":
		return ""
	case strings.HasPrefix(strings.ToLower(code), "zh"):
		return "zh"
	}
	return "en"
}

// inbound is the Inbound of a private message; false when it carries nothing to answer (a
// service message such as a pin).
func (a *Adapter) inbound(u Update) (channels.Inbound, bool) {
	m := u.Message
	id := strconv.FormatInt(m.Chat.ID, 10)
	in := channels.Inbound{Channel: Channel, CustomerKey: customerPref + id, ExternalID: id, MessageID: strconv.FormatInt(u.UpdateID, 10),
		Text: cmpOr(m.Text, m.Caption), Attachments: m.attachments()}
	if m.From != nil {
		in.Name = strings.TrimSpace(m.From.FirstName + " " + m.From.LastName)
		in.Lang = lang(m.From.LanguageCode)
	}
	if isGreeting(m.Text) {
		in.Reply = a.Greeting
		if in.Reply == "" {
			in.Reply = chat.Notice(chat.NoticeGreeting, in.Lang)
		}
	}
	return in, strings.TrimSpace(in.Text) != "" || len(in.Attachments) > 0
}
