package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"tandem/channels"
	"tandem/chat"
)

// Payload is the part of a webhook delivery Tandem reads. Meta's App Dashboard test sends a
// single change (field and value) without the envelope; it is read as one.
type Payload struct {
	Object string `json:"object"`
	Entry  []struct {
		Changes []change `json:"changes"`
	} `json:"entry"`
	change
}

// change is one change of an entry: field "messages" carries messages and statuses.
type change struct {
	Field string `json:"field"`
	Value struct {
		Contacts []struct {
			WaID    string `json:"wa_id"`
			UserID  string `json:"user_id"` // the business-scoped user id (BSUID)
			Profile struct {
				Name     string `json:"name"`
				Username string `json:"username"`
			} `json:"profile"`
		} `json:"contacts"`
		Messages []message `json:"messages"`
		Statuses []status  `json:"statuses"`
	} `json:"value"`
}

// changes are the delivery's changes, the bare test change included.
func (p Payload) changes() ([]change, error) {
	if p.Object == "" && p.Field != "" {
		return []change{p.change}, nil
	}
	if p.Object != "whatsapp_business_account" {
		return nil, errors.New("whatsapp payload: object is not whatsapp_business_account")
	}
	var out []change
	for _, e := range p.Entry {
		out = append(out, e.Changes...)
	}
	return out, nil
}

// message is one incoming message of any type.
type message struct {
	From       string `json:"from"`         // the phone number; absent for users with a username
	FromUserID string `json:"from_user_id"` // the business-scoped user id (BSUID), e.g. "US.13491208655302741918"
	ID         string `json:"id"`
	Type       string `json:"type"`
	Text       struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *media `json:"image"`
	Video    *media `json:"video"`
	Audio    *media `json:"audio"`
	Document *media `json:"document"`
	Sticker  *media `json:"sticker"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
	} `json:"location"`
	Contacts []struct {
		Name struct {
			FormattedName string `json:"formatted_name"`
		} `json:"name"`
		Phones []struct {
			Phone string `json:"phone"`
		} `json:"phones"`
	} `json:"contacts"`
	Interactive *struct {
		Type        string    `json:"type"`
		ButtonReply *choice   `json:"button_reply"`
		ListReply   *choice   `json:"list_reply"`
		NFMReply    *struct { // a WhatsApp Flow's answers
			Name         string `json:"name"`
			Body         string `json:"body"`
			ResponseJSON string `json:"response_json"`
		} `json:"nfm_reply"`
	} `json:"interactive"`
	Order *struct {
		CatalogID string `json:"catalog_id"`
		Text      string `json:"text"`
	} `json:"order"`
	Button *struct { // a template's quick-reply button
		Text    string `json:"text"`
		Payload string `json:"payload"`
	} `json:"button"`
	Errors []apiError `json:"errors"`
}

// media is an image, video, audio, document or sticker: an id to fetch it from the Graph API.
type media struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	Voice    bool   `json:"voice"` // audio recorded as a voice message
}

// choice is the button or list row the customer picked.
type choice struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// status is a delivery report on a message Tandem sent.
type status struct {
	ID     string     `json:"id"`
	Status string     `json:"status"` // sent, delivered, read, failed
	Errors []apiError `json:"errors"`
}

// apiError is an error object of the Cloud API, in send responses and webhooks alike.
type apiError struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

func (e apiError) String() string {
	s := fmt.Sprintf("error %d %s", e.Code, strings.TrimSpace(e.Title+" "+e.Message))
	if d := e.ErrorData.Details; d != "" {
		s += ": " + d
	}
	return s
}

// Delivery is what one webhook delivery carries for Tandem: customer messages, and failures
// Meta reports on messages Tandem sent.
type Delivery struct {
	Messages []channels.Inbound
	Failures []Failure
}

// Failure is a "failed" status: the message Meta accepted (by its wamid) did not reach the user.
type Failure struct {
	WAMID  string
	Reason string
}

// ParsePayload decodes one delivery: every customer message (text, captions, button and list
// replies as text; media, locations, contacts and stickers as attachments) and every failed
// status. Reactions and system messages are left out.
func ParsePayload(body []byte) (Delivery, error) {
	var p Payload
	var d Delivery
	if err := json.Unmarshal(body, &p); err != nil {
		return d, fmt.Errorf("whatsapp payload: %w", err)
	}
	changes, err := p.changes()
	if err != nil {
		return d, err
	}
	for _, c := range changes {
		if c.Field != "messages" && c.Field != "" { // "": a hand-made change without its field
			continue
		}
		names := map[string]string{}
		for _, ct := range c.Value.Contacts {
			name := ct.Profile.Name
			if name == "" && ct.Profile.Username != "" {
				name = "@" + strings.TrimPrefix(ct.Profile.Username, "@")
			}
			names[ct.WaID], names[ct.UserID] = name, name
		}
		for _, m := range c.Value.Messages {
			if in, ok := inbound(m); ok {
				in.Name = names[in.ExternalID]
				d.Messages = append(d.Messages, in)
			}
		}
		for _, s := range c.Value.Statuses {
			if s.Status == "failed" && s.ID != "" {
				d.Failures = append(d.Failures, Failure{WAMID: s.ID, Reason: failureReason(s.Errors)})
			}
		}
	}
	return d, nil
}

func failureReason(errs []apiError) string {
	if len(errs) == 0 {
		return "WhatsApp reported the message failed"
	}
	parts := []string{}
	for _, e := range errs {
		parts = append(parts, e.String())
	}
	return "WhatsApp reported the message failed: " + strings.Join(parts, "; ")
}

// sender is the user's id: the phone number when Meta sends it, else the BSUID of a user with a
// username (Send tells them apart: a BSUID is not all digits).
func (m message) sender() string {
	if m.From != "" {
		return m.From
	}
	return m.FromUserID
}

// inbound turns a message into an Inbound; false for what Tandem does not answer.
func inbound(m message) (channels.Inbound, bool) {
	user := m.sender()
	if m.ID == "" || user == "" {
		return channels.Inbound{}, false
	}
	in := channels.Inbound{Channel: Channel, CustomerKey: customerPref + user, ExternalID: user, MessageID: m.ID}
	switch m.kind() {
	case "text":
		in.Text = m.Text.Body
	case "interactive":
		if i := m.Interactive; i != nil {
			for _, c := range []*choice{i.ButtonReply, i.ListReply} {
				if c != nil {
					in.Text = firstOf(c.Title, c.ID)
				}
			}
			if f := i.NFMReply; f != nil && in.Text == "" { // a Flow's answers: for a person to read
				in.Attachments = []chat.Attachment{{Kind: chat.KindOther, Name: strings.TrimSpace("WhatsApp Flow " + f.Name + " response: " + f.ResponseJSON)}}
			}
		}
		if in.Text == "" && len(in.Attachments) == 0 { // an interactive reply of a kind Tandem does not read
			in.Attachments = []chat.Attachment{{Kind: chat.KindOther, Name: "interactive"}}
		}
	case "button":
		if m.Button != nil {
			in.Text = firstOf(m.Button.Text, m.Button.Payload)
		}
	case "image", "video", "audio", "document", "sticker":
		in.Text, in.Attachments = mediaAttachment(m)
	case "location":
		if l := m.Location; l != nil {
			in.Attachments = []chat.Attachment{{Kind: chat.KindLocation, Name: strings.TrimSpace(l.Name + " " + l.Address),
				URL: channels.MapLink(l.Latitude, l.Longitude)}}
		}
	case "contacts":
		for _, c := range m.Contacts {
			a := chat.Attachment{Kind: chat.KindContact, Name: c.Name.FormattedName}
			for _, p := range c.Phones {
				a.Name = strings.TrimSpace(a.Name + " " + p.Phone)
			}
			in.Attachments = append(in.Attachments, a)
		}
	case "reaction", "system", "request_welcome":
		return in, false // not something to answer
	default: // "unsupported", "unknown", orders, …: a person looks at it in WhatsApp
		name := m.kind()
		if len(m.Errors) > 0 {
			name = m.Errors[0].String()
		}
		if o := m.Order; o != nil { // the note sent with an order goes to the bot, like a caption
			name, in.Text = strings.TrimSpace(fmt.Sprintf("order from catalog %s: %s", o.CatalogID, o.Text)), o.Text
		}
		in.Attachments = []chat.Attachment{{Kind: chat.KindOther, Name: name}}
	}
	if strings.TrimSpace(in.Text) == "" && len(in.Attachments) == 0 {
		return in, false
	}
	return in, true
}

// kind is the message's type; a message without one is named by the object it carries.
func (m message) kind() string {
	if m.Type != "" {
		return m.Type
	}
	switch {
	case m.Text.Body != "":
		return "text"
	case m.Location != nil:
		return "location"
	case len(m.Contacts) > 0:
		return "contacts"
	case m.Interactive != nil:
		return "interactive"
	case m.Button != nil:
		return "button"
	case m.Image != nil:
		return "image"
	case m.Video != nil:
		return "video"
	case m.Audio != nil:
		return "audio"
	case m.Document != nil:
		return "document"
	case m.Sticker != nil:
		return "sticker"
	}
	return ""
}

// mediaAttachment is a media message's caption (for the bot) and the media (for an agent).
func mediaAttachment(m message) (string, []chat.Attachment) {
	kinds := map[string]string{"image": chat.KindImage, "video": chat.KindVideo, "audio": chat.KindAudio, "document": chat.KindFile, "sticker": chat.KindSticker}
	t := m.kind()
	md := map[string]*media{"image": m.Image, "video": m.Video, "audio": m.Audio, "document": m.Document, "sticker": m.Sticker}[t]
	if md == nil {
		return "", []chat.Attachment{{Kind: kinds[t]}}
	}
	kind := kinds[t]
	if md.Voice {
		kind = chat.KindVoice
	}
	return md.Caption, []chat.Attachment{{Kind: kind, Name: md.Filename, Ref: md.ID, Type: md.MimeType}}
}

func firstOf(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
