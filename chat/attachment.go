package chat

import (
	"fmt"
	"strings"
	"unicode"
)

// Attachment kinds: what a customer sent that is not (only) text.
const (
	KindImage    = "image"
	KindFile     = "file"
	KindVoice    = "voice"
	KindAudio    = "audio"
	KindVideo    = "video"
	KindLocation = "location"
	KindSticker  = "sticker"
	KindContact  = "contact"
	KindLink     = "link"
	KindOther    = "other" // a message type the platform does not pass on
)

// Attachment is a non-text part of a customer's message. The bot cannot read it: it reaches an
// agent as a description (Describe) with a link or the platform's id of the media.
type Attachment struct {
	Kind string // one of the Kind constants
	Name string // a file name, a place's name and address, a contact's name and phone, a link's title
	URL  string // where an agent can open it (a link, a map, WeChat's PicUrl); "" if none
	Ref  string // the platform's id of the media (WhatsApp media id, Telegram file_id, WeChat MediaId)
	Type string // the MIME type, if known
}

// maxDescribe bounds one attachment's description.
const maxDescribe = 400

// attachmentTag starts every description line: "📎 [image] …".
func attachmentTag(kind string) string { return "📎 [" + kind + "]" }

// Describe is the attachment as one line for agents, e.g.
// "📎 [image] claim.jpg · image/jpeg · whatsapp media 1234".
func (a Attachment) Describe(channel string) string {
	parts := []string{}
	for _, p := range []string{a.Name, a.URL, a.Type} {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			parts = append(parts, p)
		}
	}
	if a.Ref != "" {
		parts = append(parts, fmt.Sprintf("%s media %s", channel, a.Ref))
	}
	line := attachmentTag(a.Kind)
	if len(parts) > 0 {
		line += " " + strings.Join(parts, " · ")
	}
	if r := []rune(line); len(r) > maxDescribe {
		line = string(r[:maxDescribe-1]) + "…"
	}
	return line
}

// WithAttachments is the stored text of a customer message: the text it carries, then one
// description line per attachment.
func WithAttachments(text, channel string, atts []Attachment) string {
	lines := []string{}
	if text != "" {
		lines = append(lines, text)
	}
	for _, a := range atts {
		lines = append(lines, a.Describe(channel))
	}
	return strings.Join(lines, "\n")
}

// TextOnly strips the attachment description lines WithAttachments added: what the bot reads of
// a stored message (the live path hands the bot the carried text itself).
func TextOnly(stored string) string {
	lines := strings.Split(stored, "\n")
	for len(lines) > 0 && isDescription(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

func isDescription(line string) bool {
	for _, k := range []string{KindImage, KindFile, KindVoice, KindAudio, KindVideo, KindLocation, KindSticker, KindContact, KindLink, KindOther} {
		if strings.HasPrefix(line, attachmentTag(k)) {
			return true
		}
	}
	return false
}

// kindWords names each kind for the customer, in English and Chinese.
var kindWords = map[string][2]string{
	KindImage: {"photo", "图片"}, KindFile: {"file", "文件"}, KindVoice: {"voice message", "语音"}, KindAudio: {"audio", "音频"},
	KindVideo: {"video", "视频"}, KindLocation: {"location", "位置"}, KindSticker: {"sticker", "表情"}, KindContact: {"contact card", "名片"},
	KindLink: {"link", "链接"}, KindOther: {"message", "消息"},
}

// KindWord names an attachment kind for the customer in lang ("zh", else English).
func KindWord(kind, lang string) string {
	w, ok := kindWords[kind]
	if !ok {
		w = kindWords[KindOther]
	}
	if lang == "zh" {
		return w[1]
	}
	return w[0]
}

// GuessLang is "zh" for text with Chinese characters, "en" for other text and "" for none.
func GuessLang(text string) string {
	if strings.TrimSpace(text) == "" {
		return ""
	}
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			return "zh"
		}
	}
	return "en"
}

// KnownKind reports whether kind is one of the Kind constants.
func KnownKind(kind string) bool {
	_, ok := kindWords[kind]
	return ok
}
