package httpapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"tandem/chat"
	"tandem/conversation"
)

type widgetSessionRequest struct {
	VisitorToken  string `json:"visitor_token"`
	IdentityToken string `json:"identity_token"` // a site-signed HS256 JWT naming the customer
	Lang          string `json:"lang"`
}

type widgetSessionResponse struct {
	VisitorToken   string         `json:"visitor_token"`
	ConversationID string         `json:"conversation_id"`
	Owner          chat.Owner     `json:"owner"`
	Messages       []chat.Message `json:"messages"`
	// Care: the customer gets priority care (a one-step "talk to a person", larger text).
	Care bool `json:"care,omitempty"`
}

// widgetSession handles POST /api/widget/session: it resumes a visitor's conversation from their
// token, or makes a new anonymous visitor.
func (s *Server) widgetSession(c echo.Context) error {
	var req widgetSessionRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	if req.Lang != "zh" {
		req.Lang = "en"
	}
	ctx := c.Request().Context()
	token, convID := req.VisitorToken, ""
	switch {
	case req.IdentityToken != "":
		var err error
		if token, convID, err = s.identified(c, req); err != nil {
			return err
		}
	case s.Visitors.Required && token == "":
		return chat.Errorf(chat.EUNAUTHORIZED, "this site requires a verified identity: send identity_token")
	case token != "":
		var err error
		if convID, err = s.Visitors.Resume(token); err != nil {
			return err
		}
	default:
		if err := s.NewConversationLimit.take(clientIP(c), "too many new conversations from this address; retry later"); err != nil {
			return err
		}
		visitor := conversation.NewID()
		conv, err := s.Conversations.Start(ctx, chat.Customer{Channel: "web", ExternalID: visitor}, req.Lang)
		if err != nil {
			return err
		}
		convID = conv.ID
		if token, err = s.Visitors.Issue(visitor, conv.ID); err != nil {
			return err
		}
	}
	conv, msgs, err := s.Conversations.History(ctx, convID, 0, historyLimit)
	if chat.ErrorCode(err) == chat.ENOTFOUND {
		return chat.Errorf(chat.EUNAUTHORIZED, "visitor token names an unknown conversation")
	}
	if err != nil {
		return err
	}
	care := s.Care != nil && s.Care(ctx, conv.CustomerID)
	return c.JSON(http.StatusOK, widgetSessionResponse{token, conv.ID, conv.Owner, msgs, care})
}

// identified resumes (or starts) the latest conversation of a customer the site vouched for, on
// any device, and issues a verified visitor token for it.
func (s *Server) identified(c echo.Context, req widgetSessionRequest) (token, convID string, err error) {
	id, err := s.Visitors.Identify(req.IdentityToken)
	if err != nil {
		return "", "", err
	}
	ctx := c.Request().Context()
	attrs := map[string]string{}
	if id.Tier != "" {
		attrs["tier"] = id.Tier
	}
	if id.Birthdate != "" {
		attrs["birth_date"] = id.Birthdate
	}
	if id.Care {
		attrs["care"] = "true"
	}
	if id.Phone != "" {
		attrs["phone"] = id.Phone
	}
	if len(id.Policies) > 0 {
		attrs["policies"] = strings.Join(id.Policies, ",")
	}
	cu, err := s.Store.UpsertCustomer(ctx, chat.Customer{ID: conversation.NewID(), Channel: "web", ExternalID: "id:" + id.ID, Name: id.Name,
		Attrs: attrs, CreatedAt: s.Visitors.Now().UTC()})
	if err != nil {
		return "", "", err
	}
	conv, err := s.Store.LatestConversation(ctx, cu.ID)
	if chat.ErrorCode(err) == chat.ENOTFOUND {
		conv, err = s.Conversations.Start(ctx, cu, req.Lang)
	}
	if err != nil {
		return "", "", err
	}
	token, err = s.Visitors.IssueVerified(id, conv.ID)
	return token, conv.ID, err
}

// visitor authenticates a widget request by its Bearer visitor token.
func (s *Server) visitor(c echo.Context) (visitorID, conversationID string, err error) {
	token := bearer(c)
	if token == "" {
		return "", "", chat.Errorf(chat.EUNAUTHORIZED, "missing visitor token")
	}
	return s.Visitors.Verify(token)
}

// widgetMessage handles POST /api/widget/messages.
func (s *Server) widgetMessage(c echo.Context) error {
	visitor, convID, err := s.visitor(c)
	if err != nil {
		return err
	}
	if err := s.WidgetLimit.take(visitor, "too many messages; please slow down"); err != nil {
		return err
	}
	var req messageRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	res, err := s.Conversations.Receive(c.Request().Context(), conversation.Inbound{ConversationID: convID,
		Channel: "web", Text: req.Text})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, res)
}

// widgetBack handles POST /api/widget/back: the visitor leaves the queue for the bot.
func (s *Server) widgetBack(c echo.Context) error {
	_, convID, err := s.visitor(c)
	if err != nil {
		return err
	}
	return s.back(c, convID)
}

// appBack handles POST /api/v1/conversations/:id/back.
func (s *Server) appBack(c echo.Context) error { return s.back(c, c.Param("id")) }

func (s *Server) back(c echo.Context, convID string) error {
	conv, err := s.Desk.Back(c.Request().Context(), convID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"owner": conv.Owner})
}

type ratingRequest struct {
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

// widgetRating handles POST /api/widget/rating {"score":1..5,"comment":…}.
func (s *Server) widgetRating(c echo.Context) error {
	_, convID, err := s.visitor(c)
	if err != nil {
		return err
	}
	return s.rate(c, convID)
}

// appRating handles POST /api/v1/conversations/:id/rating.
func (s *Server) appRating(c echo.Context) error { return s.rate(c, c.Param("id")) }

func (s *Server) rate(c echo.Context, convID string) error {
	var req ratingRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	if err := s.Desk.Rate(c.Request().Context(), convID, req.Score, req.Comment); err != nil {
		return err
	}
	return c.NoContent(http.StatusCreated)
}

type feedbackRequest struct {
	MessageID int64 `json:"message_id"`
	Helpful   *bool `json:"helpful"`
}

// widgetFeedback handles POST /api/widget/feedback {"message_id","helpful"}: thumbs up or down.
func (s *Server) widgetFeedback(c echo.Context) error {
	_, convID, err := s.visitor(c)
	if err != nil {
		return err
	}
	return s.feedback(c, convID)
}

// appFeedback handles POST /api/v1/conversations/:id/feedback.
func (s *Server) appFeedback(c echo.Context) error { return s.feedback(c, c.Param("id")) }

func (s *Server) feedback(c echo.Context, convID string) error {
	var req feedbackRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	if req.MessageID <= 0 || req.Helpful == nil {
		return chat.Errorf(chat.EINVALID, "message_id and helpful (true or false) are required")
	}
	if err := s.Desk.Feedback(c.Request().Context(), convID, req.MessageID, *req.Helpful); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
