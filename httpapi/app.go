package httpapi

import (
	"cmp"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"tandem/chat"
	"tandem/conversation"
)

// Limits on app-API fields.
const (
	maxCustomerIDLen = 200
	maxNameLen       = 200
	maxAttrs         = 50
	maxAttrLen       = 500
)

// appChannel is the channel of conversations the app API makes; it serves only those.
const appChannel = "api"

type createConversationRequest struct {
	Customer struct {
		ID         string            `json:"id"`
		Name       string            `json:"name"`
		Tier       string            `json:"tier"`     // "vip" is served first when handed to a person
		Language   string            `json:"language"` // the customer's language; lang wins when both are set
		Attributes map[string]string `json:"attributes"`
	} `json:"customer"`
	Lang string `json:"lang"`
}

func (r createConversationRequest) validate() error {
	cu := r.Customer
	switch {
	case strings.TrimSpace(cu.ID) == "":
		return chat.Errorf(chat.EINVALID, "customer.id is required")
	case len(cu.ID) > maxCustomerIDLen:
		return chat.Errorf(chat.EINVALID, "customer.id is longer than %d bytes", maxCustomerIDLen)
	case len(cu.Name) > maxNameLen:
		return chat.Errorf(chat.EINVALID, "customer.name is longer than %d bytes", maxNameLen)
	case cu.Tier != "" && cu.Tier != "standard" && cu.Tier != "vip":
		return chat.Errorf(chat.EINVALID, "customer.tier must be standard or vip")
	case len(cu.Attributes) > maxAttrs:
		return chat.Errorf(chat.EINVALID, "customer.attributes has more than %d entries", maxAttrs)
	case r.Lang != "" && r.Lang != "en" && r.Lang != "zh":
		return chat.Errorf(chat.EINVALID, "lang must be en or zh")
	case cu.Language != "" && cu.Language != "en" && cu.Language != "zh":
		return chat.Errorf(chat.EINVALID, "customer.language must be en or zh")
	}
	for k, v := range cu.Attributes {
		if len(k) > maxAttrLen || len(v) > maxAttrLen {
			return chat.Errorf(chat.EINVALID, "customer.attributes[%q] is longer than %d bytes", k, maxAttrLen)
		}
	}
	return nil
}

// createConversation handles POST /api/v1/conversations.
func (s *Server) createConversation(c echo.Context) error {
	var req createConversationRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	if err := req.validate(); err != nil {
		return err
	}
	attrs := map[string]string{}
	for k, v := range req.Customer.Attributes {
		attrs[k] = v
	}
	if req.Customer.Tier != "" {
		attrs["tier"] = req.Customer.Tier
	}
	if req.Customer.Language != "" {
		attrs["language"] = req.Customer.Language
	}
	conv, err := s.Conversations.Start(c.Request().Context(), chat.Customer{Channel: appChannel, ExternalID: req.Customer.ID,
		Name: req.Customer.Name, Attrs: attrs}, cmp.Or(req.Lang, req.Customer.Language))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, conv)
}

// appOwns lets an app API request at /api/v1/conversations/:id through only for a conversation
// the app API made: a widget, WhatsApp or other channel's conversation is not found here, so an
// app key cannot read it or post "customer" messages into it.
func (s *Server) appOwns(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		conv, err := s.Store.Conversation(c.Request().Context(), c.Param("id"))
		if err == nil && conv.Channel != appChannel {
			err = chat.Errorf(chat.ENOTFOUND, "conversation not found")
		}
		if err != nil {
			return err
		}
		return next(c)
	}
}

type conversationResponse struct {
	chat.Conversation
	Messages []chat.Message `json:"messages"`
}

// getConversation handles GET /api/v1/conversations/:id.
func (s *Server) getConversation(c echo.Context) error {
	conv, msgs, err := s.Conversations.History(c.Request().Context(), c.Param("id"), 0, historyLimit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, conversationResponse{conv, msgs})
}

type messageRequest struct {
	Text       string `json:"text"`
	ExternalID string `json:"external_id"`
}

// postMessage handles POST /api/v1/conversations/:id/messages: the bot's reply comes back in
// the response.
func (s *Server) postMessage(c echo.Context) error {
	var req messageRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	if len(req.ExternalID) > maxCustomerIDLen {
		return chat.Errorf(chat.EINVALID, "external_id is longer than %d bytes", maxCustomerIDLen)
	}
	res, err := s.Conversations.Receive(c.Request().Context(), conversation.Inbound{ConversationID: c.Param("id"),
		Channel: appChannel, ExternalID: req.ExternalID, Text: req.Text, SameChannel: true})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Duplicate {
		status = http.StatusOK
	}
	return c.JSON(status, res)
}

type handoffRequest struct {
	Reason string `json:"reason"`
}

// handoff handles POST /api/v1/conversations/:id/handoff.
func (s *Server) handoff(c echo.Context) error {
	var req handoffRequest
	if c.Request().ContentLength != 0 {
		if err := s.bind(c, &req); err != nil {
			return err
		}
	}
	if len(req.Reason) > maxNameLen {
		return chat.Errorf(chat.EINVALID, "reason is longer than %d bytes", maxNameLen)
	}
	conv, err := s.Conversations.Handoff(c.Request().Context(), c.Param("id"), "api", req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, conv)
}
