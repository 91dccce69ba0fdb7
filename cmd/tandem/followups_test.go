package main

import (
	"strings"
	"testing"
)

// TestOptOutWhileAgentHolds: tandem serve puts the opt-out words in front of the people too: a
// customer whose conversation an agent holds sends STOP and is told they are unsubscribed, the
// ledger records the withdrawal, and the agent keeps the conversation.
func TestOptOutWhileAgentHolds(t *testing.T) {
	in := actionDemo(t, nil)
	var conv apiConversation
	in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"stop-1"}}`, &conv)
	base := "/api/v1/conversations/" + conv.ID
	if code := in.call(t, "POST", base+"/consent", `{"granted":true,"text":"Claim updates in the app"}`, nil); code != 201 {
		t.Fatalf("consent = %d", code)
	}
	var tr turn
	in.call(t, "POST", base+"/messages", `{"text":"I want to talk to a person"}`, &tr)
	agent := deskLogin(t, in.base, "agent", demoAgentPassword)
	agent.do(t, "POST", "/api/console/conversations/"+conv.ID+"/accept", "", nil)

	tr = turn{}
	if code := in.call(t, "POST", base+"/messages", `{"text":"STOP"}`, &tr); code != 201 || len(tr.Replies) != 1 ||
		tr.Replies[0].Reason != "opt_out" || !strings.Contains(tr.Replies[0].Text, "unsubscribed") {
		t.Fatalf("STOP while an agent holds the conversation = %d %+v", code, tr.Replies)
	}
	var ledger struct {
		Consents []struct {
			Granted          bool
			Source, Evidence string
		}
	}
	in.call(t, "GET", base+"/consent", "", &ledger)
	if n := len(ledger.Consents); n != 2 || ledger.Consents[1].Granted || ledger.Consents[1].Source != "opt_out_word" || ledger.Consents[1].Evidence != "STOP" {
		t.Fatalf("ledger = %+v", ledger.Consents)
	}
	var got apiConversation
	in.call(t, "GET", base, "", &got)
	if got.Owner != "human" {
		t.Fatalf("owner after STOP = %q, want the agent to keep it", got.Owner)
	}
}
