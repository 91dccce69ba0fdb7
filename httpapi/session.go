package httpapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"tandem/chat"
)

// Console sessions.
const (
	sessionCookie = "tandem_session"
	sessionTTL    = 12 * time.Hour
)

// Accounts looks up console users.
type Accounts interface {
	Account(ctx context.Context, username string) (chat.Account, error)
}

// Sessions issues and verifies console session tokens: signed (HS256) with a key derived from
// the server secret, so any replica accepts any replica's session.
type Sessions struct {
	key []byte
	Now func() time.Time
}

// NewSessions derives the session key from the server secret.
func NewSessions(secret []byte, now func() time.Time) *Sessions {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("tandem console session"))
	return &Sessions{key: mac.Sum(nil), Now: now}
}

type sessionClaims struct {
	Role string `json:"role"`
	jwt.RegisteredClaims
}

// Session is a signed-in console user.
type Session struct {
	Username string `json:"username"`
	Role     string `json:"role"`
}

// Issue signs a session for the account.
func (s *Sessions) Issue(a chat.Account) (string, error) {
	now := s.Now()
	claims := sessionClaims{Role: a.Role, RegisteredClaims: jwt.RegisteredClaims{Subject: a.Username, Issuer: "tandem-console",
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(sessionTTL))}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.key)
}

// Verify returns the session of a valid token; an expired one says so.
func (s *Sessions) Verify(token string) (Session, error) {
	var claims sessionClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("tandem-console"), jwt.WithTimeFunc(s.Now))
	if errors.Is(err, jwt.ErrTokenExpired) {
		return Session{}, chat.Errorf(chat.EUNAUTHORIZED, "session expired; sign in again")
	}
	if err != nil || claims.Subject == "" {
		return Session{}, chat.Errorf(chat.EUNAUTHORIZED, "invalid session; sign in again")
	}
	return Session{Username: claims.Subject, Role: claims.Role}, nil
}

// requireSession authenticates a console request by its session cookie and allows roles.
func (s *Server) requireSession(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ck, err := c.Cookie(sessionCookie)
			if err != nil || ck.Value == "" {
				return chat.Errorf(chat.EUNAUTHORIZED, "sign in first")
			}
			sess, err := s.Sessions.Verify(ck.Value)
			if err != nil {
				return err
			}
			if err := sameOrigin(c); err != nil {
				return err
			}
			if !hasRole(sess.Role, roles) {
				return chat.Errorf(chat.EFORBIDDEN, "role %s may not use this", sess.Role)
			}
			c.Set("session", sess)
			return next(c)
		}
	}
}

func hasRole(role string, roles []string) bool {
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}

func session(c echo.Context) Session {
	sess, _ := c.Get("session").(Session)
	return sess
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// login handles POST /api/console/login: checks the password and sets the session cookie.
func (s *Server) login(c echo.Context) error { return s.signIn(c, consoleRoles, true) }

// trainerLogin handles POST /api/trainer/login.
func (s *Server) trainerLogin(c echo.Context) error { return s.signIn(c, trainerRoles, false) }

// signIn checks the password and a role among roles, and sets the session cookie; agents get an
// agent record the first time.
func (s *Server) signIn(c echo.Context, roles []string, agent bool) error {
	var req loginRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	if err := s.LoginLimit.take(c.RealIP()+"|"+req.Username, "too many sign-in attempts for %s; retry later", req.Username); err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, err := s.Accounts.Account(ctx, req.Username)
	if chat.ErrorCode(err) == chat.ENOTFOUND || (err == nil && bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(req.Password)) != nil) {
		return chat.Errorf(chat.EUNAUTHORIZED, "wrong username or password")
	}
	if err != nil {
		return err
	}
	if a.DisabledAt != nil {
		return chat.Errorf(chat.EUNAUTHORIZED, "this account is disabled")
	}
	if !hasRole(a.Role, roles) {
		return chat.Errorf(chat.EFORBIDDEN, "role %s may not use this console", a.Role)
	}
	if agent {
		if err := s.ensureAgent(ctx, a.Username); err != nil {
			return err
		}
	}
	token, err := s.Sessions.Issue(a)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: c.Scheme() == "https", MaxAge: int(sessionTTL.Seconds())})
	return c.JSON(http.StatusOK, map[string]string{"username": a.Username, "role": a.Role, "name": a.Username})
}

// whoami handles GET /api/trainer/me.
func (s *Server) whoami(c echo.Context) error { return c.JSON(http.StatusOK, session(c)) }

// ensureAgent gives a console user an agent record the first time they sign in.
func (s *Server) ensureAgent(ctx context.Context, username string) error {
	_, err := s.Desk.Store.Agent(ctx, username)
	if chat.ErrorCode(err) != chat.ENOTFOUND {
		return err
	}
	return s.Desk.Store.PutAgent(ctx, chat.Agent{Username: username, Capacity: s.Desk.Routing.Capacity, SeenAt: s.Sessions.Now().UTC()})
}

// logout handles POST /api/console/logout.
func (s *Server) logout(c echo.Context) error {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	return c.NoContent(http.StatusNoContent)
}

// sameOrigin refuses a cookie-authenticated change that another site's page sent (CSRF): the
// session cookie is SameSite=Strict already; this checks the browser's Origin and Sec-Fetch-Site
// too, for older browsers and same-site subdomains.
func sameOrigin(c echo.Context) error {
	r := c.Request()
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return nil
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return chat.Errorf(chat.EFORBIDDEN, "cross-site request refused")
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return chat.Errorf(chat.EFORBIDDEN, "cross-origin request refused: %s is not this server", o)
		}
	}
	return nil
}
