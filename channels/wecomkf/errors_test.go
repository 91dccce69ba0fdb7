package wecomkf

import (
	"errors"
	"testing"

	"tandem/chat"
)

// TestSendErrorTable: permanent kf/send_msg errcodes are set aside, the rest retried.
func TestSendErrorTable(t *testing.T) {
	for code, want := range map[int]bool{95001: true, 95013: true, 95018: true, 95000: true, 40096: true, -1: false, 45009: false, 40014: false} {
		err := undeliverable(&apiError{Path: "/cgi-bin/kf/send_msg", ErrCode: code, ErrMsg: "x"})
		if got := errors.Is(err, chat.ErrUndeliverable); got != want {
			t.Errorf("errcode %d: undeliverable %v, want %v", code, got, want)
		}
	}
	if undeliverable(nil) != nil {
		t.Error("success is an error")
	}
}
