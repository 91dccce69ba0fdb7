package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"tandem/chat"
)

// widgetSocket handles GET /api/widget/ws?token=…&after=…: live events of the visitor's
// conversation, after catching up from message id `after`.
func (s *Server) widgetSocket(c echo.Context) error {
	visitor, convID, err := s.Visitors.Verify(c.QueryParam("token"))
	if err != nil {
		return err
	}
	return s.serveSocket(c, "visitor:"+visitor, convID)
}

// appSocket handles GET /api/v1/conversations/:id/ws for app clients.
func (s *Server) appSocket(c echo.Context) error {
	return s.serveSocket(c, "conversation:"+c.Param("id"), c.Param("id"))
}

// serveSocket serves one client's socket; holder (the visitor, or the conversation for app
// clients) may hold only so many at once.
func (s *Server) serveSocket(c echo.Context, holder, convID string) error {
	after, err := parseAfter(c.QueryParam("after"))
	if err != nil {
		return err
	}
	if s.Sockets != nil {
		release, err := s.Sockets.Acquire(holder)
		if err != nil {
			return err
		}
		defer release()
	}
	if _, _, err := s.Conversations.History(c.Request().Context(), convID, 0, 1); err != nil {
		return err
	}
	// Cross-origin is allowed: the widget runs on customers' sites and authenticates by token,
	// not by cookie, so there is no ambient credential to forge.
	conn, err := websocket.Accept(c.Response(), c.Request(), &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return nil // Accept has written the error response
	}
	conn.SetReadLimit(socketReadLimit)
	sock := &socket{s: s, conn: conn, convID: convID, lastID: after}
	sock.run(c.Request().Context())
	return nil
}

func parseAfter(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, chat.Errorf(chat.EINVALID, "after must be a message id (a whole number ≥ 0)")
	}
	return n, nil
}

// socket is one client connection: one reader and one writer goroutine.
type socket struct {
	s      *Server
	conn   *websocket.Conn
	convID string
	lastID int64        // the largest message id sent to the client
	owner  atomic.Value // chat.Owner: the owner last sent to the client
}

func (k *socket) run(parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	sub := k.s.Hub.Subscribe(k.convID)
	defer k.s.Hub.Unsubscribe(sub)
	readErr := make(chan error, 1)
	// The reader's end is reported on readErr, not by cancelling ctx: a write cancelled
	// mid-frame would drop the connection without a close frame and its reason.
	go func() { readErr <- k.read(ctx) }()
	status, reason := k.write(ctx, sub.C, readErr)
	k.conn.Close(status, reason)
}

// frame is a client's WebSocket frame: {"type":"typing"|"ping"|"watch","conversation_id":…}.
type frame struct {
	Type           string `json:"type"`
	ConversationID string `json:"conversation_id"`
}

// readFrames reads a client's frames within the idle timeout and the size and rate limits, and
// hands each to handle, until the connection or ctx ends.
func readFrames(ctx context.Context, conn *websocket.Conn, handle func(frame)) error {
	lim := rate.NewLimiter(socketFrameRate, socketFrameBurst)
	for {
		rctx, cancel := context.WithTimeout(ctx, socketIdle)
		_, data, err := conn.Read(rctx)
		cancel()
		if err != nil {
			return err
		}
		if !lim.Allow() {
			return errTooFast
		}
		f, err := parseFrame(data)
		if err != nil {
			return err
		}
		handle(f)
	}
}

// maxFrameConversationID bounds a frame's conversation id (ids are 26 characters).
const maxFrameConversationID = 64

// parseFrame decodes one client frame; unknown types pass (and are ignored) so newer clients
// work with older servers.
func parseFrame(data []byte) (frame, error) {
	var f frame
	if json.Unmarshal(data, &f) != nil {
		return f, errBadFrame
	}
	if len(f.ConversationID) > maxFrameConversationID || len(f.Type) > 32 {
		return f, errBadFrame
	}
	return f, nil
}

// read consumes the customer's frames: typing notices (passed on while a person owns the
// conversation) and pings.
func (k *socket) read(ctx context.Context) error {
	return readFrames(ctx, k.conn, func(f frame) { k.onFrame(ctx, f) })
}

// onFrame passes a customer's typing on while a person owns the conversation.
func (k *socket) onFrame(ctx context.Context, f frame) {
	if f.Type == "typing" && k.s.Desk != nil && k.owner.Load() == chat.OwnerHuman {
		k.s.Desk.Typing(ctx, k.convID, string(chat.AuthorCustomer))
	}
}

var (
	errTooFast  = errors.New("too many frames")
	errBadFrame = errors.New("frames must be JSON objects with a type and at most a 64-byte conversation_id")
)

// write catches up from the store, then forwards hub events and pings until something ends.
func (k *socket) write(ctx context.Context, events <-chan chat.Event, readErr <-chan error) (websocket.StatusCode, string) {
	if err := k.catchUp(ctx); err != nil {
		return k.failed(readErr, "catch-up failed")
	}
	ping := time.NewTicker(socketPing)
	defer ping.Stop()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return websocket.StatusTryAgainLater, "reconnect and catch up"
			}
			if err := k.forward(ctx, ev); err != nil {
				return k.failed(readErr, "write failed")
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, socketWriteTimeout)
			err := k.conn.Ping(pctx)
			cancel()
			if err != nil {
				return websocket.StatusGoingAway, "ping timeout"
			}
		case err := <-readErr:
			return closeFor(err)
		case <-k.s.Closing:
			return websocket.StatusGoingAway, "server shutting down"
		case <-ctx.Done():
			return websocket.StatusGoingAway, "closing"
		}
	}
}

// failed picks the close status after a write-side error: the reader's reason when the reader
// ended first, else an internal error.
func (k *socket) failed(readErr <-chan error, reason string) (websocket.StatusCode, string) {
	select {
	case err := <-readErr:
		return closeFor(err)
	default:
		return websocket.StatusInternalError, reason
	}
}

func closeFor(err error) (websocket.StatusCode, string) {
	switch {
	case errors.Is(err, errTooFast):
		return websocket.StatusPolicyViolation, "too many frames; slow down"
	case errors.Is(err, errBadFrame):
		return websocket.StatusUnsupportedData, errBadFrame.Error()
	case websocket.CloseStatus(err) != -1:
		return websocket.StatusNormalClosure, ""
	}
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code, ce.Reason
	}
	return websocket.StatusMessageTooBig, "frame too large or connection lost"
}

func (k *socket) forward(ctx context.Context, ev chat.Event) error {
	switch {
	case !ev.ForCustomer():
		return nil // drafts, notes and queue events are for agents
	case ev.Type == "sync" || (ev.Type == "message" && ev.Message == nil):
		return k.catchUp(ctx)
	case ev.Type == "message":
		if ev.Message.ID <= k.lastID {
			return nil // already sent during catch-up
		}
		k.lastID = ev.Message.ID
	}
	return k.send(ctx, ev)
}

// catchUp sends every stored message after lastID.
func (k *socket) catchUp(ctx context.Context) error {
	for {
		conv, msgs, err := k.s.Conversations.History(ctx, k.convID, k.lastID, historyLimit)
		if err != nil {
			return err
		}
		for i := range msgs {
			if err := k.send(ctx, chat.Event{Type: "message", ConversationID: k.convID, Message: &msgs[i]}); err != nil {
				return err
			}
			k.lastID = msgs[i].ID
		}
		if len(msgs) < historyLimit {
			if err := k.send(ctx, chat.Event{Type: "owner", ConversationID: k.convID, Owner: conv.Owner}); err != nil {
				return err
			}
			return k.sendPosition(ctx, conv)
		}
	}
}

// sendPosition tells a waiting customer their place in the queue as last computed here.
func (k *socket) sendPosition(ctx context.Context, conv chat.Conversation) error {
	if k.s.Desk == nil || conv.Owner != chat.OwnerWaiting {
		return nil
	}
	if pos, wait := k.s.Desk.Position(conv.ID); pos > 0 {
		return k.send(ctx, chat.Event{Type: chat.EventPosition, ConversationID: conv.ID, Position: pos, Wait: wait})
	}
	return nil
}

func (k *socket) send(ctx context.Context, ev chat.Event) error {
	if ev.Type == "owner" {
		k.owner.Store(ev.Owner)
	}
	data, err := eventJSON(ev)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, socketWriteTimeout)
	defer cancel()
	return k.conn.Write(wctx, websocket.MessageText, data)
}
