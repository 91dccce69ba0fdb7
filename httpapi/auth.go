package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"tandem/chat"
)

// HashKey returns the stored form of an API key secret.
func HashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// requireAPIKey authenticates with `Authorization: Bearer KEY` or `X-API-Key: KEY`, a key that
// carries scope.
func (s *Server) requireAPIKey(scope string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc { return s.withAPIKey(scope, next) }
}

func (s *Server) withAPIKey(scope string, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("X-API-Key")
		if key == "" {
			key = bearer(c)
		}
		if key == "" {
			return chat.Errorf(chat.EUNAUTHORIZED, "missing API key: send Authorization: Bearer <key>")
		}
		k, err := s.Keys.Get(c.Request().Context(), HashKey(key))
		if chat.ErrorCode(err) == chat.ENOTFOUND {
			return chat.Errorf(chat.EUNAUTHORIZED, "invalid API key")
		}
		if err != nil {
			return err
		}
		if !k.HasScope(scope) {
			return chat.Errorf(chat.EFORBIDDEN, "this API key lacks the %s scope (tandem keys create --scopes %s)", scope, scope)
		}
		c.Set("api_key", k)
		return next(c)
	}
}

// requireKeyOrSession takes an API key with scope as requireAPIKey does, or, without one, a
// console session with one of roles (the cookie is SameSite=Strict, so other sites cannot ride
// on it).
func (s *Server) requireKeyOrSession(scope string, roles ...string) echo.MiddlewareFunc {
	withSession := s.requireSession(roles...)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		byKey, bySession := s.withAPIKey(scope, next), withSession(next)
		return func(c echo.Context) error {
			if _, err := c.Cookie(sessionCookie); err == nil && c.Request().Header.Get("X-API-Key") == "" && bearer(c) == "" && s.Sessions != nil {
				return bySession(c)
			}
			return byKey(c)
		}
	}
}

func bearer(c echo.Context) string {
	h := c.Request().Header.Get("Authorization")
	if v, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(v)
	}
	return ""
}

// Visitor token lifetimes.
const (
	// visitorTokenTTL is how long an anonymous visitor keeps their history.
	visitorTokenTTL = 365 * 24 * time.Hour
	// verifiedTokenTTL caps a signed-in customer's visitor token: it ends with the site's identity
	// token, and within a day at most, so a shared browser does not keep them signed in.
	verifiedTokenTTL = 24 * time.Hour
	// maxIdentityToken bounds an identity token worth parsing.
	maxIdentityToken = 4096
)

// Visitors issues and verifies the signed tokens of widget visitors, and verifies the identity
// tokens sites sign for their signed-in customers.
type Visitors struct {
	Secret []byte
	Now    func() time.Time
	// IdentitySecret is the site's HS256 key for customer identity tokens (nil: none accepted);
	// with Required, every widget request needs a verified identity.
	IdentitySecret []byte
	Required       bool
}

// visitorClaims identify a visitor and their conversation; Verified marks a visitor whose site
// vouched for them with an identity token.
type visitorClaims struct {
	Conversation string `json:"cid"`
	Verified     bool   `json:"ver,omitempty"`
	jwt.RegisteredClaims
}

// Identity is a customer a site vouched for, until Expires (the identity token's exp).
type Identity struct {
	ID, Name, Tier string
	// Birthdate (YYYY-MM-DD) and Care are what the site vouches for about the customer, for the
	// priority-care rules.
	Birthdate string
	Care      bool
	// Phone and Policies (policy numbers) are passed to bot actions for a verified customer.
	Phone    string
	Policies []string
	Expires  time.Time
}

// Limits on an identity token's customer fields.
const (
	maxIdentityPolicies = 50
	maxIdentityField    = 64
)

// identityClaims are a site's identity token: sub is the customer's id, exp is required.
type identityClaims struct {
	Name      string   `json:"name"`
	Tier      string   `json:"tier"`
	Birthdate string   `json:"birthdate"` // the OpenID Connect claim, YYYY-MM-DD
	Care      bool     `json:"care"`
	Phone     string   `json:"phone"`
	Policies  []string `json:"policies"`
	jwt.RegisteredClaims
}

// Identify verifies a site's identity token (HS256 with the site's secret, unexpired).
func (v *Visitors) Identify(token string) (Identity, error) {
	if len(v.IdentitySecret) == 0 {
		return Identity{}, chat.Errorf(chat.EUNAUTHORIZED, "identity tokens are not enabled (TANDEM_WIDGET_IDENTITY_SECRET)")
	}
	if len(token) > maxIdentityToken {
		return Identity{}, chat.Errorf(chat.EUNAUTHORIZED, "identity token is over %d bytes", maxIdentityToken)
	}
	var claims identityClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return v.IdentitySecret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithTimeFunc(v.Now))
	if err != nil || claims.Subject == "" || len(claims.Subject) > maxCustomerIDLen {
		return Identity{}, chat.Errorf(chat.EUNAUTHORIZED, "invalid or expired identity token")
	}
	if claims.Tier != "" && claims.Tier != "standard" && claims.Tier != "vip" {
		return Identity{}, chat.Errorf(chat.EUNAUTHORIZED, "identity token tier must be standard or vip")
	}
	if len(claims.Name) > maxNameLen || !utf8.ValidString(claims.Name) {
		return Identity{}, chat.Errorf(chat.EUNAUTHORIZED, "identity token name must be valid text of at most %d bytes", maxNameLen)
	}
	if _, err := time.Parse(time.DateOnly, claims.Birthdate); claims.Birthdate != "" && err != nil {
		return Identity{}, chat.Errorf(chat.EUNAUTHORIZED, "identity token birthdate must be YYYY-MM-DD")
	}
	if !identityFieldsOK(claims) {
		return Identity{}, chat.Errorf(chat.EUNAUTHORIZED, "identity token phone and policies must be at most %d values of %d characters", maxIdentityPolicies, maxIdentityField)
	}
	return Identity{ID: claims.Subject, Name: claims.Name, Tier: claims.Tier, Birthdate: claims.Birthdate, Care: claims.Care,
		Phone: claims.Phone, Policies: claims.Policies, Expires: claims.ExpiresAt.Time}, nil
}

// identityFieldsOK checks the customer fields actions receive: short plain values, no commas in
// a policy number (they are stored comma-separated).
func identityFieldsOK(c identityClaims) bool {
	if len(c.Policies) > maxIdentityPolicies || len(c.Phone) > maxIdentityField || !utf8.ValidString(c.Phone) {
		return false
	}
	for _, p := range c.Policies {
		if p == "" || len(p) > maxIdentityField || strings.ContainsAny(p, ",\n") || !utf8.ValidString(p) {
			return false
		}
	}
	return true
}

// Issue signs an anonymous visitor's token for the conversation.
func (v *Visitors) Issue(visitorID, conversationID string) (string, error) {
	return v.sign(visitorID, conversationID, false, v.Now().Add(visitorTokenTTL))
}

// IssueVerified signs a token for a customer the site vouched for: it expires with their identity
// token, or after verifiedTokenTTL if sooner.
func (v *Visitors) IssueVerified(id Identity, conversationID string) (string, error) {
	exp := v.Now().Add(verifiedTokenTTL)
	if id.Expires.Before(exp) {
		exp = id.Expires
	}
	return v.sign("id:"+id.ID, conversationID, true, exp)
}

func (v *Visitors) sign(visitorID, conversationID string, verified bool, exp time.Time) (string, error) {
	claims := visitorClaims{Conversation: conversationID, Verified: verified, RegisteredClaims: jwt.RegisteredClaims{
		Subject: visitorID, IssuedAt: jwt.NewNumericDate(v.Now()), ExpiresAt: jwt.NewNumericDate(exp), Issuer: "tandem-widget"}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(v.Secret)
}

// Verify returns the visitor and conversation of a valid token, or an unauthorized error.
func (v *Visitors) Verify(token string) (visitorID, conversationID string, err error) {
	claims, err := v.claims(token)
	return claims.Subject, claims.Conversation, err
}

func (v *Visitors) claims(token string) (visitorClaims, error) {
	var claims visitorClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return v.Secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("tandem-widget"), jwt.WithTimeFunc(v.Now))
	if err != nil || claims.Subject == "" || claims.Conversation == "" {
		return visitorClaims{}, chat.Errorf(chat.EUNAUTHORIZED, "invalid visitor token")
	}
	if v.Required && !claims.Verified {
		return visitorClaims{}, chat.Errorf(chat.EUNAUTHORIZED, "this site requires a verified identity")
	}
	return claims, nil
}

// Resume returns the conversation of a stored visitor token a page offers without an identity
// token: only an anonymous visitor's. A signed-in customer's token is never resumed without the
// site vouching for them again, so the next person on a shared browser does not get their chat.
func (v *Visitors) Resume(token string) (conversationID string, err error) {
	claims, err := v.claims(token)
	if err != nil {
		return "", err
	}
	if claims.Verified {
		return "", chat.Errorf(chat.EUNAUTHORIZED, "a signed-in customer's token needs the site's identity token; starting over")
	}
	return claims.Conversation, nil
}
