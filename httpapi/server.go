// Package httpapi is Tandem's HTTP surface (echo): the app API, the widget API and sockets,
// operations endpoints and the embedded pages. echo is imported only here.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"tandem/chat"
	"tandem/complaint"
	"tandem/conversation"
	"tandem/followup"
	"tandem/realtime"
)

// Conversations is the conversation core as the handlers use it.
type Conversations interface {
	Start(ctx context.Context, cu chat.Customer, lang string) (chat.Conversation, error)
	Receive(ctx context.Context, in conversation.Inbound) (conversation.Result, error)
	Handoff(ctx context.Context, id, actor, reason string) (chat.Conversation, error)
	History(ctx context.Context, id string, afterID int64, limit int) (chat.Conversation, []chat.Message, error)
}

// Webhooks finds an enabled channel's webhook handler; channels can change at run time.
type Webhooks interface {
	Webhook(channel string) (http.Handler, bool)
}

// WebhookMap is a fixed set of webhooks.
type WebhookMap map[string]http.Handler

// Webhook implements Webhooks.
func (m WebhookMap) Webhook(channel string) (http.Handler, bool) {
	h, ok := m[channel]
	return h, ok
}

// Store is the persistence the handlers read directly: keys, readiness, customers and
// conversations.
type Store interface {
	APIKeyByHash(ctx context.Context, hash string) (chat.APIKey, error)
	UpsertCustomer(ctx context.Context, c chat.Customer) (chat.Customer, error)
	LatestConversation(ctx context.Context, customerID string) (chat.Conversation, error)
	Conversation(ctx context.Context, id string) (chat.Conversation, error)
	Ping(ctx context.Context) error
	Migrated(ctx context.Context) (bool, error)
	// Heartbeat makes a tiny write, so readiness notices a store that can no longer write.
	Heartbeat(ctx context.Context, at time.Time) error
}

// Articles looks up knowledge articles for the /kb pages.
type Articles interface {
	Doc(id string) (chat.Document, bool)
}

// Limits on requests and sockets.
const (
	// historyLimit is how many messages a history response carries at most.
	historyLimit = 500
	// socketReadLimit is the largest WebSocket frame a client may send.
	socketReadLimit = 64 << 10
	// socketFrameRate and socketFrameBurst bound client frames per second.
	socketFrameRate  = 5
	socketFrameBurst = 20
	// socketPing is how often the server pings; a client silent for socketIdle is dropped.
	socketPing = 25 * time.Second
	socketIdle = 60 * time.Second
	// socketWriteTimeout bounds one write to a slow client.
	socketWriteTimeout = 10 * time.Second
)

// Server holds the handlers' dependencies.
type Server struct {
	Conversations Conversations
	// Desk serves the agent console (queue, routing, co-authoring); Accounts and Sessions sign
	// agents in.
	Desk         *conversation.Service
	Accounts     Accounts
	Sessions     *Sessions
	Store        Store
	Articles     Articles
	Hub          *realtime.Hub
	Visitors     *Visitors
	Keys         *KeyCache
	Log          *slog.Logger
	Registry     *prometheus.Registry
	HTTP         *HTTPMetrics
	MaxBodyBytes int64
	// Knowledge serves the trainer's knowledge API; nil leaves it out.
	Knowledge *KnowledgeBase
	// Intents serves the trainer's intents API; nil leaves it out.
	Intents *IntentsAPI
	// Settings serves the trainer's settings API; nil leaves it out.
	Settings *Settings
	// LLM reports whether generated answers are in use, on /readyz; nil: no LLM configured.
	LLM LLMStatus
	// Webhooks finds the enabled channels' webhook handlers by channel name (/webhooks/:channel).
	Webhooks Webhooks
	// Channels is the admin API's channel configuration; nil leaves it out.
	Channels ChannelAdmin
	// Admin is the accounts and the audit log of changes made with console sessions.
	Admin AdminStore
	// Care reports whether a customer gets priority care (the widget's one-step "talk to a
	// person" and larger text); nil: nobody does.
	Care func(ctx context.Context, customerID string) bool
	// FollowUps keeps the consent ledger and schedules follow-ups; nil answers unavailable.
	FollowUps *followup.Service
	// Complaints runs complaint cases (console and app API); nil answers unavailable.
	Complaints *complaint.Service
	// Actions serves bot actions (admin definitions, figures, console proposals); nil leaves
	// them out.
	Actions *ActionsAPI
	// Trainer serves the trainer API (review queue, eval sets and runs, analytics); nil leaves it out.
	Trainer *Trainer
	// MaxUploadBytes limits a knowledge upload (DefaultMaxUploadBytes when 0).
	MaxUploadBytes int64
	// WidgetLimit limits widget messages per visitor.
	WidgetLimit *Limiter
	// IPLimit limits the public routes (widget API and sockets) per client IP; LoginLimit limits
	// sign-in attempts per user name (across IPs) and per remembered device, LoginIPLimit per
	// client IP (across names); ChannelLimit limits webhook deliveries per channel (authentic
	// deliveries only); UnsignedLimit limits webhook requests whose signature does not check out,
	// per client IP. nil is unlimited.
	IPLimit, LoginLimit, LoginIPLimit, ChannelLimit, UnsignedLimit *Limiter
	// DeviceKey signs the cookie that remembers where a user signed in (see limitSignIn); nil
	// remembers nothing.
	DeviceKey []byte
	// Sockets caps the live sockets per visitor (widget) or conversation (app API).
	Sockets *Conns
	// TrustProxy takes the client's IP from X-Forwarded-For (set it behind a reverse proxy only:
	// otherwise clients could pick their own address and escape IPLimit).
	TrustProxy bool
	// Origins are the other sites allowed to run the widget (CORS and the socket's Origin).
	Origins *WidgetOrigins
	// MetricsToken is the Bearer token /metrics requires; empty: loopback clients only.
	MetricsToken string
	// NewConversationLimit limits the anonymous conversations widget sessions start, per client IP.
	NewConversationLimit *Limiter
	// Closing is closed at shutdown so open sockets end.
	Closing <-chan struct{}
	// Ready, when set, reports whether the bot answers at full quality (index, vectors, intents,
	// calibrator loaded); /readyz is 503 with its error until it returns nil.
	Ready func(ctx context.Context) error
	// KBCalibration, when set, reports the answer calibrator fitted on the knowledge base and the
	// fit's progress (in /api/v1/kb/status).
	KBCalibration func() any
}

// Handler builds the echo instance with every route.
func (s *Server) Handler() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.IPExtractor = echo.ExtractIPDirect()
	if s.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	s.routes(e)
	return e
}

// errorHandler writes every error as {"error":{"code","message"}} with the code's status.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := chat.ErrorCode(err), chat.ErrorMessage(err)
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code, msg = codeForStatus(he.Code), http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok {
			msg = m
		}
	}
	status := statusForCode(code)
	if status == http.StatusInternalServerError {
		s.Log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
	}
	if code == chat.ERATELIMITED {
		c.Response().Header().Set("Retry-After", strconv.Itoa(retrySeconds(err)))
	}
	c.JSON(status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// retrySeconds is the whole seconds (at least 1) a rate-limited client should wait.
func retrySeconds(err error) int {
	var ra *chat.RetryAfter
	if errors.As(err, &ra) {
		return max(1, int(math.Ceil(ra.Wait.Seconds())))
	}
	return 1
}

var codeStatus = map[string]int{
	chat.EINVALID:      http.StatusBadRequest,
	chat.EUNAUTHORIZED: http.StatusUnauthorized,
	chat.EFORBIDDEN:    http.StatusForbidden,
	chat.ENOTFOUND:     http.StatusNotFound,
	chat.ECONFLICT:     http.StatusConflict,
	chat.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	chat.ERATELIMITED:  http.StatusTooManyRequests,
	chat.EUNAVAILABLE:  http.StatusServiceUnavailable,
	chat.EINTERNAL:     http.StatusInternalServerError,
}

func statusForCode(code string) int {
	if s, ok := codeStatus[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

func codeForStatus(status int) string {
	for code, s := range codeStatus {
		if s == status {
			return code
		}
	}
	if status == http.StatusMethodNotAllowed {
		return chat.EINVALID
	}
	return chat.EINTERNAL
}

// bind decodes a JSON body into v with a size limit and clear errors.
func (s *Server) bind(c echo.Context, v any) error {
	r := c.Request()
	if r.ContentLength > s.MaxBodyBytes {
		return chat.Errorf(chat.ETOOLARGE, "request body is %d bytes; the limit is %d", r.ContentLength, s.MaxBodyBytes)
	}
	body := http.MaxBytesReader(c.Response(), r.Body, s.MaxBodyBytes)
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return chat.Errorf(chat.ETOOLARGE, "request body is over the limit of %d bytes", s.MaxBodyBytes)
		case errors.Is(err, io.EOF):
			return chat.Errorf(chat.EINVALID, "request body is empty; want JSON")
		default:
			return chat.Errorf(chat.EINVALID, "malformed JSON: %v", err)
		}
	}
	if dec.More() {
		return chat.Errorf(chat.EINVALID, "malformed JSON: more than one value")
	}
	if hasNUL(reflect.ValueOf(v)) {
		return chat.Errorf(chat.EINVALID, "text must not contain NUL characters (\\u0000)")
	}
	return nil
}

// hasNUL reports whether any string in a decoded request holds a NUL character, which no text
// needs and Postgres cannot store.
func hasNUL(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return strings.IndexByte(v.String(), 0) >= 0
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && hasNUL(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && hasNUL(v.Field(i)) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 { // raw JSON or bytes: NUL only as a byte
			return v.Kind() == reflect.Slice && bytes.IndexByte(v.Bytes(), 0) >= 0
		}
		for i := range v.Len() {
			if hasNUL(v.Index(i)) {
				return true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if hasNUL(it.Key()) || hasNUL(it.Value()) {
				return true
			}
		}
	}
	return false
}
