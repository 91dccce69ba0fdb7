package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tandem/chat"
	"tandem/handoff"
)

// consoleRoles may use the agent console.
var consoleRoles = []string{"agent", "admin"}

// summary is one row of the console's queue and "mine" lists.
type summary struct {
	chat.Conversation
	Position    int          `json:"position,omitempty"`
	Customer    customerView `json:"customer"`
	LastMessage *lastMessage `json:"last_message"`
}

// customerView is the customer as the lists show them: Tandem's id, the one the conversation
// page and Admin → Customer data show too, and the id their channel knows them by.
type customerView struct {
	ID         string            `json:"id"`
	ExternalID string            `json:"external_id"`
	Name       string            `json:"name,omitempty"`
	Attrs      map[string]string `json:"attributes,omitempty"`
}

type lastMessage struct {
	Author    chat.Author `json:"author"`
	Text      string      `json:"text"`
	CreatedAt time.Time   `json:"created_at"`
}

// me handles GET /api/console/me.
func (s *Server) me(c echo.Context) error {
	sess := session(c)
	a, err := s.Desk.Store.Agent(c.Request().Context(), sess.Username)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"username": a.Username, "role": sess.Role, "name": a.Name, "status": a.Status,
		"capacity": a.Capacity, "teams": a.Teams, "load": a.Load})
}

type presenceRequest struct {
	Status string `json:"status"`
}

// presence handles PUT /api/console/presence.
func (s *Server) presence(c echo.Context) error {
	var req presenceRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	a, err := s.Desk.SetPresence(c.Request().Context(), session(c).Username, req.Status)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

// consoleAgents handles GET /api/console/agents.
func (s *Server) consoleAgents(c echo.Context) error {
	agents, err := s.Desk.Store.Agents(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"agents": agents})
}

type agentRequest struct {
	Name     string   `json:"name"`
	Capacity int      `json:"capacity"`
	Teams    []string `json:"teams"`
}

// putAgent handles PUT /api/console/agents/:username (admins): name, capacity and teams.
func (s *Server) putAgent(c echo.Context) error {
	var req agentRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	a, err := s.Desk.Store.Agent(ctx, c.Param("username"))
	if err != nil {
		return err
	}
	if req.Capacity < 1 || req.Capacity > 100 || len(req.Teams) > 50 || len(req.Name) > maxNameLen {
		return chat.Errorf(chat.EINVALID, "capacity is 1 to 100, at most 50 teams, a name of at most %d bytes", maxNameLen)
	}
	a.Name, a.Capacity, a.Teams = req.Name, req.Capacity, req.Teams
	if err := s.Desk.Store.PutAgent(ctx, a); err != nil {
		return err
	}
	s.Desk.Kick()
	return c.JSON(http.StatusOK, a)
}

// consoleConversations handles GET /api/console/conversations?view=queue|mine.
func (s *Server) consoleConversations(c echo.Context) error {
	ctx := c.Request().Context()
	var convs []chat.Conversation
	var err error
	switch view := c.QueryParam("view"); view {
	case "", "queue":
		convs, err = s.queueFor(ctx, session(c))
	case "mine":
		convs, err = s.Desk.Store.Assigned(ctx, session(c).Username)
	default:
		return chat.Errorf(chat.EINVALID, "view must be queue or mine")
	}
	if err != nil {
		return err
	}
	previews, err := s.Desk.Store.Previews(ctx, convs)
	if err != nil {
		return err
	}
	out := make([]summary, 0, len(convs))
	for i, conv := range convs {
		sm := summarizeConversation(conv, previews[conv.ID])
		if conv.Owner == chat.OwnerWaiting {
			sm.Position = i + 1
		}
		out = append(out, sm)
	}
	return c.JSON(http.StatusOK, map[string]any{"conversations": out})
}

// queueFor is the queue in routing order, only the teams the agent serves (admins see all).
func (s *Server) queueFor(ctx context.Context, sess Session) ([]chat.Conversation, error) {
	convs, err := s.Desk.Store.Queue(ctx, 1000)
	if err != nil {
		return nil, err
	}
	handoff.Order(convs)
	if sess.Role == "admin" {
		return convs, nil
	}
	a, err := s.Desk.Store.Agent(ctx, sess.Username)
	if err != nil {
		return nil, err
	}
	mine := convs[:0]
	for _, c := range convs {
		if a.Serves(c.Team) {
			mine = append(mine, c)
		}
	}
	return mine, nil
}

// mayView lets a conversation's routes through only for who may see it: admins; an agent it is
// queued to or held within their team (chat.Agent.Sees); or an agent who held it before (they
// closed it, returned it to the bot or transferred it). Everyone else gets 403, so a card number,
// a colleague's note or a customer typing stay with the team handling them.
func (s *Server) mayView(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.checkView(c.Request().Context(), session(c), c.Param("id")); err != nil {
			return err
		}
		return next(c)
	}
}

func (s *Server) checkView(ctx context.Context, sess Session, id string) error {
	if sess.Role == "admin" {
		return nil
	}
	conv, err := s.Desk.Store.Conversation(ctx, id)
	if err != nil {
		return err
	}
	a, err := s.Desk.Store.Agent(ctx, sess.Username)
	if err != nil {
		return err
	}
	if a.Sees(conv) {
		return nil
	}
	trs, err := s.Desk.Store.Transitions(ctx, conv.ID)
	if err != nil {
		return err
	}
	for _, t := range trs {
		if t.Assignee == sess.Username {
			return nil
		}
	}
	return chat.Errorf(chat.EFORBIDDEN, "this conversation is not queued to you or a team you serve")
}

func summarizeConversation(conv chat.Conversation, p chat.Preview) summary {
	sm := summary{Conversation: conv, Customer: customerView{ID: p.Customer.ID, ExternalID: p.Customer.ExternalID, Name: p.Customer.Name, Attrs: p.Customer.Attrs}}
	if m := p.Last; m != nil {
		sm.LastMessage = &lastMessage{Author: m.Author, Text: m.Text, CreatedAt: m.CreatedAt}
	}
	return sm
}

// handoffView is why and how sure the bot was when it handed the conversation to people.
type handoffView struct {
	Reason     string        `json:"reason"`
	Confidence *float64      `json:"confidence,omitempty"`
	Sources    []chat.Source `json:"sources"`
}

// consoleConversation handles GET /api/console/conversations/:id.
func (s *Server) consoleConversation(c echo.Context) error {
	ctx := c.Request().Context()
	st := s.Desk.Store
	conv, msgs, err := s.Desk.History(ctx, c.Param("id"), 0, historyLimit)
	if err != nil {
		return err
	}
	cu, err := st.Customer(ctx, conv.CustomerID)
	if err != nil {
		return err
	}
	notes, err := st.Notes(ctx, conv.ID)
	if err != nil {
		return err
	}
	transitions, err := st.Transitions(ctx, conv.ID)
	if err != nil {
		return err
	}
	var draft *chat.Draft
	if d, err := st.LatestDraft(ctx, conv.ID); err == nil && d.SentAt == nil {
		draft = &d
	} else if err != nil && chat.ErrorCode(err) != chat.ENOTFOUND {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"conversation": conv, "customer": cu, "messages": msgs, "notes": notes,
		"draft": draft, "handoff": lastHandoff(msgs, conv), "transitions": transitions})
}

// lastHandoff finds the bot's last handoff message: its reason, confidence and sources.
func lastHandoff(msgs []chat.Message, conv chat.Conversation) *handoffView {
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Decision == chat.DecisionHandoff {
			h := &handoffView{Reason: m.Reason, Confidence: m.Confidence, Sources: m.Sources}
			if h.Sources == nil {
				h.Sources = []chat.Source{}
			}
			// The previous bot answer's sources show what the bot had found, if the handoff has none.
			return h
		}
	}
	if conv.Reason != "" {
		return &handoffView{Reason: conv.Reason, Sources: []chat.Source{}}
	}
	return nil
}

// accept handles POST /api/console/conversations/:id/accept.
func (s *Server) accept(c echo.Context) error {
	conv, err := s.Desk.Accept(c.Request().Context(), session(c).Username, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, conv)
}

type agentMessageRequest struct {
	Text    string `json:"text"`
	DraftID int64  `json:"draft_id"`
}

// agentMessage handles POST /api/console/conversations/:id/messages.
func (s *Server) agentMessage(c echo.Context) error {
	var req agentMessageRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	m, err := s.Desk.AgentReply(c.Request().Context(), session(c).Username, c.Param("id"), req.Text, req.DraftID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, m)
}

type noteRequest struct {
	Text string `json:"text"`
}

// note handles POST /api/console/conversations/:id/notes.
func (s *Server) note(c echo.Context) error {
	var req noteRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	n, err := s.Desk.AddNote(c.Request().Context(), session(c).Username, c.Param("id"), req.Text)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, n)
}

// agentTyping handles POST /api/console/conversations/:id/typing.
func (s *Server) agentTyping(c echo.Context) error {
	ctx := c.Request().Context()
	conv, err := s.Desk.Store.Conversation(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if conv.Owner != chat.OwnerHuman || conv.Assignee != session(c).Username {
		return chat.Errorf(chat.EFORBIDDEN, "you do not hold this conversation")
	}
	s.Desk.Typing(ctx, conv.ID, "agent")
	return c.NoContent(http.StatusNoContent)
}

type transferRequest struct {
	To   string `json:"to"`
	Team string `json:"team"`
	Note string `json:"note"`
}

// transfer handles POST /api/console/conversations/:id/transfer.
func (s *Server) transfer(c echo.Context) error {
	var req transferRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	conv, err := s.Desk.Transfer(c.Request().Context(), session(c).Username, c.Param("id"), strings.TrimSpace(req.To),
		strings.TrimSpace(req.Team), req.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, conv)
}

// returnToBot handles POST /api/console/conversations/:id/return.
func (s *Server) returnToBot(c echo.Context) error {
	conv, err := s.Desk.ReturnToBot(c.Request().Context(), session(c).Username, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, conv)
}

// closeConversation handles POST /api/console/conversations/:id/close.
func (s *Server) closeConversation(c echo.Context) error {
	conv, err := s.Desk.Close(c.Request().Context(), session(c).Username, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, conv)
}

// redraft handles POST /api/console/conversations/:id/draft.
func (s *Server) redraft(c echo.Context) error {
	if err := s.Desk.Redraft(c.Request().Context(), session(c).Username, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusAccepted)
}

// canned is a canned reply agents insert with its shortcut.
type canned struct {
	Shortcut string `json:"shortcut"`
	Title    string `json:"title"`
	Text     string `json:"text"`
}

// cannedReplies are the built-in canned replies per language.
var cannedReplies = map[string][]canned{
	"en": {
		{"/hello", "Greeting", "Hi, thanks for waiting! I'm here to help."},
		{"/check", "Checking", "Let me check that for you, one moment please."},
		{"/more", "More details", "Could you tell me a little more, for example your order or policy number?"},
		{"/thanks", "Closing", "Thanks for contacting us. Is there anything else I can help with?"},
	},
	"zh": {
		{"/hello", "问候", "您好，感谢您的耐心等待！很高兴为您服务。"},
		{"/check", "查询中", "我帮您查询一下，请稍等。"},
		{"/more", "补充信息", "麻烦您提供更多信息，例如订单号或保单号。"},
		{"/thanks", "结束语", "感谢您的咨询，请问还有其他可以帮您的吗？"},
	},
}

// cannedList handles GET /api/console/canned?lang=en|zh.
func (s *Server) cannedList(c echo.Context) error {
	lang := c.QueryParam("lang")
	if lang != "zh" {
		lang = "en"
	}
	return c.JSON(http.StatusOK, map[string]any{"replies": cannedReplies[lang]})
}
