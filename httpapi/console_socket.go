package httpapi

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"

	"tandem/chat"
	"tandem/realtime"
)

// consoleBuffer is how many events an agent console may lag before it is dropped (it then
// reconnects and reloads its lists).
const consoleBuffer = 1024

// consoleView is what one agent console shows live: queue changes of the teams the agent serves
// (all of them for admins), and messages, drafts, notes and typing only of the agent's own
// conversations and the one on screen, which they may see (checkView). Without this filter every
// console would get every event of every conversation.
type consoleView struct {
	agent string
	// all is an admin's view; serves is the agent's teams when the socket opened.
	all    bool
	serves chat.Agent
	mu     sync.Mutex
	mine   map[string]bool
	open   string
}

// keep reports whether the console gets ev; queue events also keep "mine" current.
func (v *consoleView) keep(ev chat.Event) bool {
	switch ev.Type {
	case chat.EventQueue:
		v.mu.Lock()
		defer v.mu.Unlock()
		had := v.mine[ev.ConversationID]
		if ev.Owner == chat.OwnerHuman && ev.Assignee == v.agent {
			v.mine[ev.ConversationID] = true
		} else {
			delete(v.mine, ev.ConversationID)
		}
		return v.all || had || ev.Assignee == v.agent || v.serves.Serves(ev.Team) || ev.ConversationID == v.open
	case chat.EventSLABreach, "sync":
		return true
	case "delta", chat.EventPosition:
		return false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return ev.ConversationID == "" || v.mine[ev.ConversationID] || ev.ConversationID == v.open
}

func (v *consoleView) watchMine(id string) {
	v.mu.Lock()
	v.mine[id] = true
	v.mu.Unlock()
}

func (v *consoleView) watch(id string) {
	v.mu.Lock()
	v.open = id
	v.mu.Unlock()
}

// consoleSocket handles GET /api/console/ws: every conversation's events for the agent console,
// and the agent's typing frames and heartbeats.
func (s *Server) consoleSocket(c echo.Context) error {
	sess := session(c)
	ctx, cancel := context.WithCancel(c.Request().Context())
	defer cancel()
	// Subscribe before the handshake, so no event between the two is lost.
	agent, err := s.Desk.Store.Agent(ctx, sess.Username)
	if err != nil && !(sess.Role == "admin" && chat.ErrorCode(err) == chat.ENOTFOUND) { // an admin signed in on the trainer console
		return err
	}
	view := &consoleView{agent: sess.Username, all: sess.Role == "admin", serves: agent, mine: map[string]bool{}}
	sub := s.Hub.SubscribeFunc(realtime.All, consoleBuffer, view.keep)
	defer s.Hub.Unsubscribe(sub)
	held, err := s.Desk.Store.Assigned(ctx, sess.Username)
	if err != nil {
		return err
	}
	for _, c := range held {
		view.watchMine(c.ID)
	}
	conn, err := websocket.Accept(c.Response(), c.Request(), nil) // same origin only: the session is a cookie
	if err != nil {
		return nil
	}
	conn.SetReadLimit(socketReadLimit)
	if err := s.Desk.Heartbeat(ctx, sess.Username); err != nil {
		s.Log.Warn("heartbeat failed", "agent", sess.Username, "err", err)
	}
	readErr := make(chan error, 1)
	go func() { readErr <- s.readConsole(ctx, conn, sess, view) }()
	token := ""
	if ck, err := c.Cookie(sessionCookie); err == nil {
		token = ck.Value
	}
	status, reason := s.writeConsole(ctx, conn, sub.C, readErr, sess, token)
	conn.Close(status, reason)
	return nil
}

// readConsole handles an agent's frames: {"type":"typing"|"watch","conversation_id":…} and pings.
func (s *Server) readConsole(ctx context.Context, conn *websocket.Conn, sess Session, view *consoleView) error {
	return readFrames(ctx, conn, func(f frame) {
		switch f.Type {
		case "watch":
			if f.ConversationID != "" && s.checkView(ctx, sess, f.ConversationID) != nil {
				view.watch("") // not theirs to watch: stop watching anything
				return
			}
			view.watch(f.ConversationID)
		case "typing":
			conv, err := s.Desk.Store.Conversation(ctx, f.ConversationID)
			if err == nil && conv.Owner == chat.OwnerHuman && conv.Assignee == sess.Username {
				s.Desk.Typing(ctx, conv.ID, "agent")
			}
		}
	})
}

// writeConsole forwards events and pings, and on every ping checks the session is still live
// (logout, a disabled account or a new role end the socket too) and renews the agent's presence.
func (s *Server) writeConsole(ctx context.Context, conn *websocket.Conn, events <-chan chat.Event, readErr <-chan error, sess Session, token string) (websocket.StatusCode, string) {
	ping := time.NewTicker(socketPing)
	defer ping.Stop()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return websocket.StatusTryAgainLater, "reconnect and reload"
			}
			data, err := eventJSON(ev)
			if err != nil {
				continue
			}
			wctx, cancel := context.WithTimeout(ctx, socketWriteTimeout)
			err = conn.Write(wctx, websocket.MessageText, data)
			cancel()
			if err != nil {
				return websocket.StatusGoingAway, "write failed"
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, socketWriteTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return websocket.StatusGoingAway, "ping timeout"
			}
			if live, err := s.Sessions.Verify(ctx, token); chat.ErrorCode(err) == chat.EUNAUTHORIZED || (err == nil && live != sess) {
				return websocket.StatusPolicyViolation, "session ended; sign in again"
			}
			if err := s.Desk.Heartbeat(ctx, sess.Username); err != nil {
				s.Log.Warn("heartbeat failed", "agent", sess.Username, "err", err)
			}
		case err := <-readErr:
			return closeFor(err)
		case <-s.Closing:
			return websocket.StatusGoingAway, "server shutting down"
		case <-ctx.Done():
			return websocket.StatusGoingAway, "closing"
		}
	}
}

// eventJSON is the event's wire form, encoded once by the hub when it was delivered through it.
func eventJSON(ev chat.Event) ([]byte, error) {
	if ev.JSON != nil {
		return ev.JSON, nil
	}
	return json.Marshal(ev)
}
