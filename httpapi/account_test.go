package httpapi

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestNewAccount(t *testing.T) {
	at := time.Now().UTC()
	for _, tc := range []struct{ name, password, want string }{
		{"", "long enough pass", "user name"},
		{"a b", "long enough pass", "user name"},
		{"a/b", "long enough pass", "user name"},
		{strings.Repeat("x", 65), "long enough pass", "user name"},
		{"tina", "short", "at least 10"},
	} {
		if _, err := NewAccount(tc.name, "agent", tc.password, at); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewAccount(%q, %q) = %v, want an error about %q", tc.name, tc.password, err, tc.want)
		}
	}
	a, err := NewAccount("tina", "trainer", "agent-demo", at)
	if err != nil {
		t.Fatal(err)
	}
	if a.Username != "tina" || a.Role != "trainer" || !a.CreatedAt.Equal(at) || strings.Contains(a.PasswordHash, "agent-demo") {
		t.Fatalf("account = %+v", a)
	}
	if bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte("agent-demo")) != nil || !checkPassword(&a, "agent-demo") || checkPassword(&a, "agent-demx") {
		t.Error("the stored hash does not check the password")
	}
}
