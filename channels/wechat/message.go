package wechat

import (
	"strconv"
	"strings"

	"tandem/channels"
	"tandem/chat"
)

// inbound is the Inbound of a customer message: text, a voice message's transcript (its
// Recognition) as text, and images, voice without a transcript, videos, files, locations and links as
// attachments for an agent. Events (follow, menu clicks, …) are acknowledged without an answer.
func inbound(m Message) (channels.Inbound, bool) {
	in := channels.Inbound{Channel: Channel, CustomerKey: customerPref + m.FromUserName, ExternalID: m.FromUserName,
		MessageID: strconv.FormatInt(m.MsgID, 10), Lang: "zh"}
	if m.MsgID == 0 { // no MsgId: deduplicate on sender and time, as WeChat advises for events
		in.MessageID = m.FromUserName + ":" + strconv.FormatInt(m.CreateTime, 10)
	}
	switch m.MsgType {
	case "text":
		in.Text = m.Content
	case "voice":
		in.Text = m.Recognition
		in.Attachments = []chat.Attachment{{Kind: chat.KindVoice, Ref: m.MediaID, Type: m.Format}}
	case "image":
		in.Attachments = []chat.Attachment{{Kind: chat.KindImage, URL: m.PicURL, Ref: m.MediaID}}
	case "video", "shortvideo":
		in.Attachments = []chat.Attachment{{Kind: chat.KindVideo, Ref: m.MediaID}}
	case "location":
		in.Attachments = []chat.Attachment{{Kind: chat.KindLocation, Name: m.Label, URL: channels.MapLink(m.LocationX, m.LocationY)}}
	case "file": // sent from WeChat on a computer: Title is the file name
		in.Attachments = []chat.Attachment{{Kind: chat.KindFile, Name: m.Title, Ref: m.FileKey}}
	case "link":
		in.Attachments = []chat.Attachment{{Kind: chat.KindLink, Name: strings.TrimSpace(m.Title + " " + m.Description), URL: m.URL}}
	case "event":
		return in, false
	default: // a type this account's API does not describe: a person looks at it in WeChat
		in.Attachments = []chat.Attachment{{Kind: chat.KindOther, Name: m.MsgType, Ref: m.MediaID}}
	}
	return in, strings.TrimSpace(in.Text) != "" || len(in.Attachments) > 0
}
