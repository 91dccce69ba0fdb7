package chat

import (
	"slices"
	"strings"
	"testing"
)

func TestParseScopes(t *testing.T) {
	got, err := ParseScopes(" knowledge,conversations,knowledge ")
	if err != nil || !slices.Equal(got, []string{ScopeKnowledge, ScopeConversations}) {
		t.Errorf("ParseScopes = %v, %v", got, err)
	}
	if _, err := ParseScopes("conversations,root"); err == nil || !strings.Contains(err.Error(), `unknown scope "root"`) {
		t.Errorf("an unknown scope: %v", err)
	}
}
