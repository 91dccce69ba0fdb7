package wechat

import (
	"errors"
	"testing"

	"tandem/chat"
)

// TestSendErrors: 48001 and the other permanent errcodes are set aside; busy and token errors retry.
func TestSendErrors(t *testing.T) {
	for code, permanent := range map[int]bool{48001: true, 45015: true, 45047: true, 43004: true, 43019: true, 40003: true,
		-1: false, 40001: false, 42001: false, 45009: false} {
		if err := sendError(code, "x"); err == nil || errors.Is(err, chat.ErrUndeliverable) != permanent {
			t.Errorf("errcode %d: %v", code, err)
		}
	}
	if err := sendError(0, "ok"); err != nil {
		t.Fatal(err)
	}
}
