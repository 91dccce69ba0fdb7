package httpapi

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"tandem/chat"
	"tandem/conversation"
)

// TestOpenAPICoversRoutes: every API route the server registers is documented in openapi.json.
func TestOpenAPICoversRoutes(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openAPISpec, &doc); err != nil {
		t.Fatal(err)
	}
	s := &Server{Desk: &conversation.Service{}, Knowledge: &KnowledgeBase{}, Intents: &IntentsAPI{}, Settings: &Settings{}, Channels: noChannels{}, Trainer: &Trainer{}, Admin: noAdmin{}, Actions: &ActionsAPI{}}
	param := regexp.MustCompile(`:(\w+)`)
	for _, r := range s.Handler().Routes() {
		if !strings.HasPrefix(r.Path, "/api/") || r.Path == "/api/openapi.json" || strings.HasPrefix(r.Method, "echo_") {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		ops, ok := doc.Paths[path]
		if !ok {
			t.Errorf("%s %s is not in openapi.json", r.Method, path)
			continue
		}
		if _, ok := ops[strings.ToLower(r.Method)]; !ok {
			t.Errorf("%s %s: the method is not documented", r.Method, path)
		}
	}
}

// noChannels stands in for the channel admin so its routes are registered.
type noChannels struct{ ChannelAdmin }

// noAdmin stands in for the admin store so its routes are registered; it drops audit entries.
type noAdmin struct{ AdminStore }

func (noAdmin) AddAudit(context.Context, chat.AuditEntry) error { return nil }
