package httpapi

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"tandem/chat"
)

// MinPassword is the shortest console password accepted.
const MinPassword = 10

// NewAccount checks a console account's user name and password and returns the account to store,
// its password hashed with bcrypt.
func NewAccount(username, role, password string, at time.Time) (chat.Account, error) {
	if username == "" || len(username) > maxUsername || strings.ContainsAny(username, " /\\\t\n") {
		return chat.Account{}, fmt.Errorf("a user name is 1–%d characters without spaces or slashes", maxUsername)
	}
	if len(password) < MinPassword {
		return chat.Account{}, fmt.Errorf("the password must have at least %d characters", MinPassword)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return chat.Account{}, err
	}
	return chat.Account{Username: username, Role: role, PasswordHash: string(hash), CreatedAt: at}, nil
}
