package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"tandem/chat"
	"tandem/followup"
)

// followUpRoutes registers the consent and follow-up routes of the app API (v1) and the
// console (a).
func (s *Server) followUpRoutes(v1, a *echo.Group) {
	if v1 != nil {
		v1.POST("/conversations/:id/consent", func(c echo.Context) error { return s.consentPost(c, "api") }, s.appOwns)
		v1.GET("/conversations/:id/consent", s.consentGet, s.appOwns)
		v1.POST("/conversations/:id/followups", func(c echo.Context) error { return s.followUpPost(c, "api") }, s.appOwns)
		v1.GET("/conversations/:id/followups", s.followUpList, s.appOwns)
	}
	if a != nil {
		a.POST("/conversations/:id/consent", func(c echo.Context) error { return s.consentPost(c, "agent:"+session(c).Username) }, s.mayView)
		a.GET("/conversations/:id/consent", s.consentGet, s.mayView)
		a.POST("/conversations/:id/followups", func(c echo.Context) error { return s.followUpPost(c, session(c).Username) }, s.mayView)
		a.GET("/conversations/:id/followups", s.followUpList, s.mayView)
	}
}

func (s *Server) followUps() (*followup.Service, error) {
	if s.FollowUps == nil {
		return nil, chat.Errorf(chat.EUNAVAILABLE, "follow-ups are not configured")
	}
	return s.FollowUps, nil
}

type consentRequest struct {
	Granted bool   `json:"granted"`
	Text    string `json:"text"` // what the customer agreed to, as shown to them
}

// consentPost records the conversation's customer granting or withdrawing consent to
// follow-ups on its channel.
func (s *Server) consentPost(c echo.Context, source string) error {
	fu, err := s.followUps()
	if err != nil {
		return err
	}
	var req consentRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	var entry followup.Consent
	if req.Granted {
		entry, err = fu.Grant(c.Request().Context(), c.Param("id"), req.Text, source)
	} else {
		entry, err = fu.Withdraw(c.Request().Context(), c.Param("id"), source, req.Text)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, entry)
}

// consentGet lists the conversation's customer's consent ledger.
func (s *Server) consentGet(c echo.Context) error {
	fu, err := s.followUps()
	if err != nil {
		return err
	}
	ledger, err := fu.Ledger(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"consents": ledger})
}

type followUpRequest struct {
	Kind         string `json:"kind"`
	Text         string `json:"text"`
	DelayMinutes int    `json:"delay_minutes"`
}

// followUpPost schedules a follow-up in a closed conversation.
func (s *Server) followUpPost(c echo.Context, actor string) error {
	fu, err := s.followUps()
	if err != nil {
		return err
	}
	var req followUpRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	f, err := fu.Schedule(c.Request().Context(), c.Param("id"), req.Kind, req.Text, time.Duration(req.DelayMinutes)*time.Minute, actor)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, f)
}

// followUpList lists a conversation's follow-ups with their status and, when not sent, why.
func (s *Server) followUpList(c echo.Context) error {
	fu, err := s.followUps()
	if err != nil {
		return err
	}
	fs, err := fu.Store.ConversationFollowUps(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"followups": fs})
}
