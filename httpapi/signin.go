package httpapi

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"tandem/chat"
)

// Sign-in hardening.
const (
	// deviceCookie marks a browser where a user signed in before: its sign-ins are limited on
	// their own, so guesses by others (from the same shared IP or anywhere) cannot lock the user
	// out there. Its value is a random nonce and an HMAC of user name and nonce.
	deviceCookie = "tandem_device"
	deviceTTL    = 180 * 24 * time.Hour
	// maxUsername bounds a sign-in user name (accounts have at most 64 characters).
	maxUsername = 64
)

// unknownUserHash is compared against for a user name with no account, so that a wrong name
// takes as long as a wrong password and timing does not tell which names exist.
var unknownUserHash = sync.OnceValue(func() []byte {
	h, err := bcrypt.GenerateFromPassword([]byte("no account has this password"), bcrypt.DefaultCost)
	if err != nil {
		panic(err)
	}
	return h
})

// checkPassword reports whether password opens the account a (nil: none by that name), in the
// same time either way.
func checkPassword(a *chat.Account, password string) bool {
	hash := unknownUserHash()
	if a != nil {
		hash = []byte(a.PasswordHash)
	}
	ok := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
	return ok && a != nil
}

// limitSignIn takes a sign-in attempt from the limits: a browser with the user's device cookie
// has a budget of its own; any other attempt counts against its IP (guessing spread over many
// names) and against the user name across all IPs (one name guessed from many addresses).
func (s *Server) limitSignIn(c echo.Context, username string) error {
	const msg = "too many sign-in attempts; retry later"
	if nonce := s.trustedDevice(c, username); nonce != "" {
		return s.LoginLimit.take("device:"+nonce, msg)
	}
	if err := s.LoginIPLimit.take("ip:"+c.RealIP(), msg); err != nil {
		return err
	}
	return s.LoginLimit.take("user:"+HashKey(username), msg)
}

// trustedDevice returns the nonce of a valid device cookie for username, or "".
func (s *Server) trustedDevice(c echo.Context, username string) string {
	ck, err := c.Cookie(deviceCookie)
	if err != nil || len(s.DeviceKey) == 0 || len(ck.Value) > 128 {
		return ""
	}
	nonce, mac, ok := strings.Cut(ck.Value, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(s.deviceMAC(username, nonce))) {
		return ""
	}
	return nonce
}

func (s *Server) deviceMAC(username, nonce string) string {
	m := hmac.New(sha256.New, s.DeviceKey)
	m.Write([]byte(username + "\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// rememberDevice sets the device cookie for username after a successful sign-in.
func (s *Server) rememberDevice(c echo.Context, username string) {
	if len(s.DeviceKey) == 0 {
		return
	}
	b := make([]byte, 16)
	rand.Read(b)
	nonce := base64.RawURLEncoding.EncodeToString(b)
	c.SetCookie(&http.Cookie{Name: deviceCookie, Value: nonce + "." + s.deviceMAC(username, nonce), Path: "/api/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.Scheme() == "https", MaxAge: int(deviceTTL.Seconds())})
}
