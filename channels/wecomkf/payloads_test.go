package wecomkf

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"tandem/channels"
)

// recordingDesk keeps what the channel hands the conversation core.
type recordingDesk struct {
	got      []string
	notes    []string
	followed []channels.Ownership
}

func (d *recordingDesk) FromChannel(_ context.Context, in channels.Inbound) error {
	kinds := []string{}
	for _, a := range in.Attachments {
		kinds = append(kinds, a.Kind+":"+a.Name)
	}
	d.got = append(d.got, in.CustomerKey+"|"+in.Text+"|"+strings.Join(kinds, ","))
	return nil
}

func (d *recordingDesk) Follow(_ context.Context, o channels.Ownership) error {
	d.followed = append(d.followed, o)
	return nil
}

func (d *recordingDesk) Note(_ context.Context, _, _, _, text string) error {
	d.notes = append(d.notes, text)
	return nil
}

// TestMoreMessageTypes takes every item of testdata/sync_msg_more_types.json (see
// testdata/README.md) through the channel's handling of a synced message: a customer's text goes
// to the bot, a shop product, order, chat record or channels post goes to a person as an
// attachment, recall and switch events change nothing, and a servicer's reply is a note.
func TestMoreMessageTypes(t *testing.T) {
	body, err := os.ReadFile("testdata/sync_msg_more_types.json")
	if err != nil {
		t.Fatal(err)
	}
	var page syncPage
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	desk := &recordingDesk{}
	a := &Adapter{Desk: desk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now}
	for _, m := range page.MsgList {
		if err := a.take(context.Background(), m); err != nil {
			t.Fatalf("%s: %v", m.MsgID, err)
		}
	}
	key := "wk-wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q.wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw"
	want := []string{
		key + "||other:Channels shop product 理赔服务卡 (100, shop 示例小店)",
		key + "||other:Channels shop order 3705115058471208928: 理赔服务卡, 待发货",
		key + "||other:chat record 客户的聊天记录",
		key + "||other:Channels post by 视频号名称: 视频号动态标题",
		key + "|理赔要多久？😊|",
	}
	if strings.Join(desk.got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("delivered\n%s\nwant\n%s", strings.Join(desk.got, "\n"), strings.Join(want, "\n"))
	}
	if len(desk.followed) != 0 || len(desk.notes) != 1 || !strings.Contains(desk.notes[0], "您好，我是客服张三") {
		t.Fatalf("followed %v, notes %q", desk.followed, desk.notes)
	}
}

// FuzzSyncedMessage takes arbitrary msg_list items through the channel's handling of a synced
// message: it never panics, and what reaches the desk names the customer and the message.
func FuzzSyncedMessage(f *testing.F) {
	for _, file := range []string{"testdata/sync_msg_more_types.json", "testdata/sync_msg_response.json"} {
		body, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var page struct {
			MsgList []json.RawMessage `json:"msg_list"`
		}
		json.Unmarshal(body, &page)
		for _, m := range page.MsgList {
			f.Add([]byte(m))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Message
		if json.Unmarshal(b, &m) != nil || m.MsgType == "event" && m.Event != nil && m.Event.EventType == EventEnterSession {
			return // welcomes call WeCom; not exercised here
		}
		desk := &recordingDesk{}
		a := &Adapter{Desk: desk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now}
		if err := a.take(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		for _, g := range desk.got {
			if !strings.HasPrefix(g, "wk-") || strings.HasPrefix(g, "wk-.") {
				t.Fatalf("delivered %q", g)
			}
		}
	})
}
