package httpapi

import (
	"github.com/labstack/echo/v4"

	"tandem/chat"
)

// Upload paths take bodies larger than other requests.
const (
	kbImportPath      = "/api/v1/kb/import"
	intentsImportPath = "/api/v1/intents/import"
	webhookPath       = "/webhooks/:channel"
)

// maxWebhookBytes is the largest webhook delivery taken: WhatsApp documents payloads of up to
// 3 MB, the most of any platform; each channel checks its own limit below it.
const maxWebhookBytes = 3 << 20

// routes registers every route in one place.
func (s *Server) routes(e *echo.Echo) {
	e.Use(s.recover, s.observe, securityHeaders, s.deadlines, s.limitBody)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics, s.requireMetricsAccess)
	e.GET("/api/openapi.json", s.openAPI)

	e.GET("/", s.home)
	e.GET("/widget.js", s.widgetJS)
	e.GET("/widget/:file", s.widgetModule, crossOrigin)
	e.GET("/favicon.ico", s.favicon)
	e.GET("/favicon.svg", s.favicon)
	e.GET("/demo/", s.demoPage)
	e.GET("/kb/:id", s.article)

	v1 := e.Group("/api/v1", s.requireAPIKey(chat.ScopeConversations))
	v1.POST("/conversations", s.createConversation)
	v1.GET("/conversations/:id", s.getConversation, s.appOwns)
	v1.POST("/conversations/:id/messages", s.postMessage) // Receive checks the channel as it stores the message
	v1.POST("/conversations/:id/handoff", s.handoff, s.appOwns)
	v1.POST("/conversations/:id/back", s.appBack, s.appOwns)
	v1.POST("/conversations/:id/rating", s.appRating, s.appOwns)
	v1.POST("/conversations/:id/feedback", s.appFeedback, s.appOwns)
	v1.GET("/conversations/:id/ws", s.appSocket, s.appOwns)
	v1.POST("/conversations/:id/complaint", s.appComplaintOpen, s.appOwns)
	v1.GET("/conversations/:id/complaint", s.appComplaintGet, s.appOwns)
	s.followUpRoutes(v1, nil)

	// The trainer's APIs take an API key, or a trainer's (or admin's) console session; their
	// changes are audited like the consoles'.
	kb := e.Group("/api/v1", s.requireKeyOrSession(chat.ScopeKnowledge, trainerRoles...), s.audit)
	if s.Knowledge != nil {
		kb.GET("/kb/status", s.kbStatus)
		kb.GET("/kb/documents", s.kbDocuments)
		kb.DELETE("/kb/documents/:id", s.kbDelete)
		kb.GET("/kb/documents/:id/chunks", s.kbChunks)
		kb.POST("/kb/import", s.kbImport)
		kb.GET("/kb/search", s.kbSearch)
		kb.GET("/kb/documents/:id/phrasings", s.kbPhrasings)
		kb.PUT("/kb/documents/:id/phrasings", s.kbPhrasingsPut)
		kb.POST("/kb/documents/:id/phrasings", s.kbPhrasingAdd)
		kb.DELETE("/kb/documents/:id/phrasings/:n", s.kbPhrasingDelete)
		kb.GET("/kb/synonyms", s.kbSynonyms)
		kb.PUT("/kb/synonyms/:lang", s.kbSynonymsPut)
		kb.POST("/kb/synonyms/import", s.kbSynonymsImport)
		kb.GET("/kb/synonyms/export", s.kbSynonymsExport)
	}
	if s.Intents != nil {
		kb.GET("/intents", s.intentsList)
		kb.PUT("/intents/:name", s.intentPut)
		kb.DELETE("/intents/:name", s.intentDelete)
		kb.POST("/intents/import", s.intentsImport)
		kb.GET("/intents/export", s.intentsExport)
		kb.GET("/intents/training", s.intentsTraining)
		kb.GET("/intents/try", s.intentsTry)
	}
	if s.Settings != nil {
		kb.GET("/settings", s.settingsGet)
		kb.PUT("/settings", s.settingsPut)
	}
	e.POST(webhookPath, s.webhook)
	e.GET(webhookPath, s.webhook) // platform verification handshakes (WhatsApp, WeChat)
	e.GET("/trainer/", s.page("trainer"))
	e.GET("/trainer/:file", s.pageFile("trainer"))
	e.GET("/shared/:file", s.pageFile("shared"), crossOrigin) // the modules both consoles and the widget import

	w := e.Group("/api/widget", limitBy(s.IPLimit, clientIP, "address"), s.widgetCORS)
	w.POST("/session", s.widgetSession)
	w.POST("/messages", s.widgetMessage)
	w.POST("/back", s.widgetBack)
	w.POST("/rating", s.widgetRating)
	w.POST("/feedback", s.widgetFeedback)
	w.GET("/ws", s.widgetSocket)
	for _, path := range []string{"/session", "/messages", "/back", "/rating", "/feedback", "/ws"} {
		w.OPTIONS(path, s.widgetPreflight) // CORS preflights from the sites in WidgetOrigins
	}

	if s.Desk != nil {
		s.consoleRoutes(e)
	}
	if s.Channels != nil || s.Admin != nil || s.Actions != nil {
		s.adminRoutes(e)
	}
	if s.Trainer != nil {
		s.trainerRoutes(e)
	}
}

// consoleRoutes registers the agent console and its API.
func (s *Server) consoleRoutes(e *echo.Echo) {
	e.GET("/console/", s.page("console"))
	e.GET("/console/:file", s.pageFile("console"))
	e.POST("/api/console/login", s.login)
	e.POST("/api/console/logout", s.logout)
	e.GET("/api/console/session", s.sessionProbe(s.me, consoleRoles...))
	a := e.Group("/api/console", s.requireSession(consoleRoles...), s.audit)
	a.GET("/me", s.me)
	a.PUT("/presence", s.presence)
	a.GET("/agents", s.consoleAgents)
	a.PUT("/agents/:username", s.putAgent, s.requireSession("admin"))
	a.GET("/canned", s.cannedList)
	a.GET("/ws", s.consoleSocket)
	a.GET("/conversations", s.consoleConversations)
	a.GET("/conversations/:id", s.consoleConversation, s.mayView)
	a.POST("/conversations/:id/accept", s.accept, s.mayView)
	a.POST("/conversations/:id/messages", s.agentMessage, s.mayView)
	a.POST("/conversations/:id/notes", s.note, s.mayView)
	a.POST("/conversations/:id/typing", s.agentTyping, s.mayView)
	a.POST("/conversations/:id/transfer", s.transfer, s.mayView)
	a.POST("/conversations/:id/return", s.returnToBot, s.mayView)
	a.POST("/conversations/:id/close", s.closeConversation, s.mayView)
	a.POST("/conversations/:id/draft", s.redraft, s.mayView)
	s.complaintRoutes(a)
	s.followUpRoutes(nil, a)
	if s.Actions != nil {
		s.actionConsoleRoutes(a)
	}
}
