package wecomkf

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"tandem/channels"
	"tandem/chat"
)

// Origins of a synced message.
const (
	OriginCustomer = 3 // 微信客户发送的消息
	OriginSystem   = 4 // 系统推送的事件消息
	OriginServicer = 5 // 接待人员在企业微信客户端发送的消息
)

// Message is one item of kf/sync_msg's msg_list (the parts Tandem reads).
type Message struct {
	MsgID          string `json:"msgid"`
	OpenKfID       string `json:"open_kfid"`
	ExternalUserID string `json:"external_userid"`
	SendTime       int64  `json:"send_time"`
	Origin         int    `json:"origin"`
	ServicerUserID string `json:"servicer_userid"`
	MsgType        string `json:"msgtype"`
	Text           *struct {
		Content string `json:"content"`
		MenuID  string `json:"menu_id"` // set when the customer clicked a menu item
	} `json:"text"`
	Image *media `json:"image"`
	Voice *media `json:"voice"`
	Video *media `json:"video"`
	File  *media `json:"file"`
	Link  *struct {
		Title  string `json:"title"`
		Desc   string `json:"desc"`
		URL    string `json:"url"`
		PicURL string `json:"pic_url"`
	} `json:"link"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
	} `json:"location"`
	BusinessCard *struct {
		UserID string `json:"userid"`
	} `json:"business_card"`
	MiniProgram *struct {
		Title    string `json:"title"`
		AppID    string `json:"appid"`
		PagePath string `json:"pagepath"`
	} `json:"miniprogram"`
	ShopProduct *struct {
		Title      string `json:"title"`
		SalesPrice string `json:"sales_price"`
		Shop       string `json:"shop_nickname"`
	} `json:"channels_shop_product"`
	ShopOrder *struct {
		OrderID       string `json:"order_id"`
		ProductTitles string `json:"product_titles"`
		State         string `json:"state"`
	} `json:"channels_shop_order"`
	MergedMsg *struct {
		Title string `json:"title"`
	} `json:"merged_msg"`
	Channels *struct {
		Nickname string `json:"nickname"`
		Title    string `json:"title"`
	} `json:"channels"`
	MsgMenu *struct {
		HeadContent string `json:"head_content"`
		TailContent string `json:"tail_content"`
	} `json:"msgmenu"`
	Event *Event `json:"event"`
}

type media struct {
	MediaID string `json:"media_id"`
}

// Event is an event message's event object.
type Event struct {
	EventType         string `json:"event_type"`
	OpenKfID          string `json:"open_kfid"`
	ExternalUserID    string `json:"external_userid"`
	Scene             string `json:"scene"`
	WelcomeCode       string `json:"welcome_code"`
	FailMsgID         string `json:"fail_msgid"`
	FailType          int    `json:"fail_type"`
	ChangeType        int    `json:"change_type"`
	OldServicerUserID string `json:"old_servicer_userid"`
	NewServicerUserID string `json:"new_servicer_userid"`
	ServicerUserID    string `json:"servicer_userid"`
	Status            int    `json:"status"`
}

// Event types Tandem acts on.
const (
	EventEnterSession  = "enter_session"
	EventMsgSendFail   = "msg_send_fail"
	EventSessionStatus = "session_status_change"
)

// change_type values of session_status_change.
const (
	ChangeFromPool  = 1 // 从接待池接入会话
	ChangeTransfer  = 2 // 转接会话
	ChangeEnd       = 3 // 结束会话
	ChangeReconnect = 4 // 重新接入已结束/已转接会话
)

// failTypes explains msg_send_fail's fail_type.
var failTypes = map[int]string{
	0: "unknown reason", 1: "the customer service account was deleted", 2: "the app was closed",
	4: "the session expired (over 48 hours)", 5: "the session was closed", 6: "over the 5-message limit",
	8: "the company is not verified", 10: "the customer refused messages",
	11: "no member of the company is signed in to the WeCom app", 12: "a message type the account may not send",
}

// customer returns who a message is from or about: events carry it in their event object.
func (m Message) customer() (openKfID, externalUserID string) {
	openKfID, externalUserID = m.OpenKfID, m.ExternalUserID
	if m.Event != nil {
		if m.Event.OpenKfID != "" {
			openKfID = m.Event.OpenKfID
		}
		if m.Event.ExternalUserID != "" {
			externalUserID = m.Event.ExternalUserID
		}
	}
	return openKfID, externalUserID
}

// BotText is the text of a customer message that the bot can take: a typed text, a menu item's
// content, a shared link's title (its description when it has none). Empty for everything else.
func (m Message) BotText() string {
	switch {
	case m.MsgType == "text" && m.Text != nil:
		return strings.TrimSpace(m.Text.Content)
	case m.MsgType == "link" && m.Link != nil:
		return strings.TrimSpace(firstNonEmpty(strings.TrimSpace(m.Link.Title), m.Link.Desc))
	}
	return ""
}

// Attachments are the parts of a customer message the bot cannot read, for an agent: media by
// WeCom's media_id (fetched with the 获取临时素材 API), a location with a map link, a business
// card's userid, a mini program's title and page, a Channels shop product or order, a chat
// record's title, a Channels post.
func (m Message) Attachments() []chat.Attachment {
	ref := func(x *media) string {
		if x == nil {
			return ""
		}
		return x.MediaID
	}
	switch m.MsgType {
	case "text":
		return nil
	case "image":
		return []chat.Attachment{{Kind: chat.KindImage, Ref: ref(m.Image)}}
	case "voice":
		return []chat.Attachment{{Kind: chat.KindVoice, Ref: ref(m.Voice), Type: "audio/amr"}}
	case "video":
		return []chat.Attachment{{Kind: chat.KindVideo, Ref: ref(m.Video)}}
	case "file":
		return []chat.Attachment{{Kind: chat.KindFile, Ref: ref(m.File)}}
	case "location":
		if l := m.Location; l != nil {
			return []chat.Attachment{{Kind: chat.KindLocation, Name: strings.TrimSpace(l.Name + " " + l.Address), URL: channels.MapLink(l.Latitude, l.Longitude)}}
		}
	case "link":
		if l := m.Link; l != nil {
			return []chat.Attachment{{Kind: chat.KindLink, Name: strings.TrimSpace(l.Title + " " + l.Desc), URL: l.URL}}
		}
	case "business_card":
		if c := m.BusinessCard; c != nil {
			return []chat.Attachment{{Kind: chat.KindContact, Name: "WeCom userid " + c.UserID}}
		}
	case "miniprogram":
		if p := m.MiniProgram; p != nil {
			return []chat.Attachment{{Kind: chat.KindOther, Name: fmt.Sprintf("mini program %s (appid %s, page %s)", p.Title, p.AppID, p.PagePath)}}
		}
	case "channels_shop_product":
		if p := m.ShopProduct; p != nil {
			return []chat.Attachment{{Kind: chat.KindOther, Name: fmt.Sprintf("Channels shop product %s (%s, shop %s)", p.Title, p.SalesPrice, p.Shop)}}
		}
	case "channels_shop_order":
		if o := m.ShopOrder; o != nil {
			return []chat.Attachment{{Kind: chat.KindOther, Name: fmt.Sprintf("Channels shop order %s: %s, %s", o.OrderID, o.ProductTitles, o.State)}}
		}
	case "merged_msg":
		if r := m.MergedMsg; r != nil {
			return []chat.Attachment{{Kind: chat.KindOther, Name: "chat record " + r.Title}}
		}
	case "channels":
		if c := m.Channels; c != nil {
			return []chat.Attachment{{Kind: chat.KindOther, Name: fmt.Sprintf("Channels post by %s: %s", c.Nickname, c.Title)}}
		}
	}
	return []chat.Attachment{{Kind: chat.KindOther, Name: m.MsgType}}
}

// Callback is the decrypted body of a WeCom callback.
type Callback struct {
	ToUserName string `xml:"ToUserName"`
	CreateTime int64  `xml:"CreateTime"`
	MsgType    string `xml:"MsgType"`
	Event      string `xml:"Event"`
	Token      string `xml:"Token"`
	OpenKfID   string `xml:"OpenKfId"`
}

// envelope is an encrypted callback body.
type envelope struct {
	ToUserName string `xml:"ToUserName"`
	AgentID    string `xml:"AgentID"`
	Encrypt    string `xml:"Encrypt"`
}

// ParseCallback decodes a decrypted callback; a kf_msg_or_event needs its Token and OpenKfId.
func ParseCallback(plain []byte) (Callback, error) {
	var c Callback
	if err := xml.Unmarshal(plain, &c); err != nil {
		return c, fmt.Errorf("wecomkf callback: %w", err)
	}
	if c.MsgType == "event" && c.Event == "kf_msg_or_event" && (c.Token == "" || c.OpenKfID == "") {
		return c, errors.New("wecomkf callback: kf_msg_or_event without Token or OpenKfId")
	}
	return c, nil
}
