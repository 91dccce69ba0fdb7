package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

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

// SessionStore keeps console sessions; SessionAccount finds only an unexpired session of an
// existing, enabled account.
type SessionStore interface {
	CreateSession(ctx context.Context, cs chat.ConsoleSession) error
	SessionAccount(ctx context.Context, hash string, now time.Time) (chat.Account, error)
	DeleteSession(ctx context.Context, hash string) error
}

// Sessions issues and checks console sessions: a random token in the cookie, its hash in the
// store, looked up on every request, so logging out, disabling an account or changing its role
// or password ends it at once on every replica, and no key can forge one.
type Sessions struct {
	Store SessionStore
	Now   func() time.Time
}

// sessionTokenBytes is the randomness of a session token (256 bits).
const sessionTokenBytes = 32

// Session is a signed-in console user.
type Session struct {
	Username string `json:"username"`
	Role     string `json:"role"`
}

// Issue starts a session for the account and returns its token.
func (s *Sessions) Issue(ctx context.Context, a chat.Account) (string, error) {
	b := make([]byte, sessionTokenBytes)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.Now().UTC()
	err := s.Store.CreateSession(ctx, chat.ConsoleSession{Hash: HashKey(token), Username: a.Username, CreatedAt: now, ExpiresAt: now.Add(sessionTTL)})
	return token, err
}

// Verify returns the session of a live token, with the account's current role.
func (s *Sessions) Verify(ctx context.Context, token string) (Session, error) {
	if len(token) > maxSessionToken {
		return Session{}, errInvalidSession
	}
	a, err := s.Store.SessionAccount(ctx, HashKey(token), s.Now().UTC())
	if chat.ErrorCode(err) == chat.ENOTFOUND {
		return Session{}, errInvalidSession
	}
	if err != nil {
		return Session{}, err
	}
	return Session{Username: a.Username, Role: a.Role}, nil
}

// Revoke ends the session of token (logout).
func (s *Sessions) Revoke(ctx context.Context, token string) error {
	return s.Store.DeleteSession(ctx, HashKey(token))
}

// maxSessionToken bounds a cookie value worth looking up; real tokens are 43 characters.
const maxSessionToken = 256

var errInvalidSession = chat.Errorf(chat.EUNAUTHORIZED, "invalid or expired session; sign in again")

// requireSession authenticates a console request by its session cookie and allows roles.
func (s *Server) requireSession(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ck, err := c.Cookie(sessionCookie)
			if err != nil || ck.Value == "" {
				return chat.Errorf(chat.EUNAUTHORIZED, "sign in first")
			}
			sess, err := s.Sessions.Verify(c.Request().Context(), ck.Value)
			if chat.ErrorCode(err) == chat.EUNAUTHORIZED {
				s.Log.Warn("console session refused", "reason", "unknown, expired or revoked session", "path", c.Path(),
					"ip", c.RealIP(), "old_format", strings.Count(ck.Value, ".") == 2)
			}
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
	if err := sameOrigin(c); err != nil {
		return err
	}
	if len(req.Username) > maxUsername {
		return chat.Errorf(chat.EUNAUTHORIZED, "wrong username or password")
	}
	if err := s.limitSignIn(c, req.Username); err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, err := s.Accounts.Account(ctx, req.Username)
	if err != nil && chat.ErrorCode(err) != chat.ENOTFOUND {
		return err
	}
	var found *chat.Account
	if err == nil {
		found = &a
	}
	if !checkPassword(found, req.Password) {
		return chat.Errorf(chat.EUNAUTHORIZED, "wrong username or password")
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
	token, err := s.Sessions.Issue(ctx, a)
	if err != nil {
		return err
	}
	s.rememberDevice(c, a.Username)
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: c.Scheme() == "https", MaxAge: int(sessionTTL.Seconds())})
	return c.JSON(http.StatusOK, map[string]string{"username": a.Username, "role": a.Role, "name": a.Username})
}

// sessionProbe serves a console's first question, "am I signed in?": the signed-in account as
// me would, or 200 {"signed_in": false}, so a console that opens on its sign-in form logs no
// error in the browser. A session of the wrong role is still 403.
func (s *Server) sessionProbe(me echo.HandlerFunc, roles ...string) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := s.requireSession(roles...)(me)(c)
		if chat.ErrorCode(err) == chat.EUNAUTHORIZED {
			return c.JSON(http.StatusOK, map[string]bool{"signed_in": false})
		}
		return err
	}
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

// logout handles POST /api/console/logout (and the trainer's): it ends the session on every
// replica, not only in this browser.
func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" && s.Sessions != nil {
		if err := s.Sessions.Revoke(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
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
