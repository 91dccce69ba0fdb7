package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"tandem/chat"
	"tandem/trainer"
)

// trainerRoles may use the trainer console's API.
var trainerRoles = []string{"trainer", "admin"}

// Review is the trainer's review queue and eval sets, as the handlers use them.
type Review interface {
	Reviews(ctx context.Context, f chat.ReviewFilter) ([]chat.ReviewItem, error)
	SetReviewStatus(ctx context.Context, ids []int64, status string) (int, error)
	EvalSets(ctx context.Context) ([]chat.EvalSet, error)
	EvalRuns(ctx context.Context, set string, limit int) ([]chat.EvalRun, error)
}

// Trainer serves /api/trainer/*: the review queue, eval sets and runs, reports and analytics.
type Trainer struct {
	Store Review
	// Accept turns review candidates into cases of an eval set, with the trainer's labels.
	Accept func(ctx context.Context, set string, labels []CaseLabel) (int, error)
	// Cases lists an eval set's cases (JSON of evals.Case).
	Cases func(ctx context.Context, set string) (any, error)
	// Report writes a run's HTML report (against its baseline, if any).
	Report func(ctx context.Context, w http.ResponseWriter, runID string) error
	// Analytics computes the service's figures for [from, to).
	Analytics func(ctx context.Context, from, to time.Time) (any, error)
	// Confidence is the weekly confidence distribution and calibration drift for [from, to).
	Confidence func(ctx context.Context, from, to time.Time) (any, error)
	// IntentStats lists intents with their examples, accuracy and confused neighbours in the
	// set's latest run; PreviewIntents scores the set with proposed intents before they are saved.
	IntentStats    func(ctx context.Context, set string) (any, error)
	PreviewIntents func(ctx context.Context, set string, intents []chat.Intent) (any, error)
	// Gaps clusters the questions handed off in [from, to) that knowledge did not answer.
	Gaps func(ctx context.Context, from, to time.Time) (any, error)
	// Runs runs eval sets in the background for the console's Run button (nil: not offered).
	Runs *RunJobs
}

// CaseLabel is a trainer's label for a review candidate: empty fields keep what was captured.
type CaseLabel = trainer.Label

// trainerRoutes registers the trainer API (trainer or admin sessions).
func (s *Server) trainerRoutes(e *echo.Echo) {
	e.POST("/api/trainer/login", s.trainerLogin)
	e.POST("/api/trainer/logout", s.logout)
	e.GET("/api/trainer/session", s.sessionProbe(s.whoami, trainerRoles...))
	g := e.Group("/api/trainer", s.requireSession(trainerRoles...), s.audit)
	g.GET("/me", s.whoami)
	g.GET("/review", s.reviewList)
	g.POST("/review/accept", s.reviewAccept)
	g.POST("/review/dismiss", s.reviewDismiss)
	g.GET("/sets", s.evalSets)
	g.GET("/sets/:name", s.evalSetCases)
	g.POST("/sets/:name/run", s.startRun)
	g.GET("/jobs/:id", s.runJob)
	g.GET("/runs", s.evalRuns)
	g.GET("/runs/:id/report", s.evalReport)
	g.GET("/analytics", s.analytics)
	g.GET("/confidence", s.confidence)
	g.GET("/gaps", s.gaps)
	g.GET("/intents", s.intentStats)
	g.POST("/intents/preview", s.previewIntents)
	if s.Actions != nil {
		g.GET("/actions/stats", s.actionStats)
	}
}

// reviewList handles GET /api/trainer/review?reason=&channel=&intent=&status=&from=&to=&limit=.
func (s *Server) reviewList(c echo.Context) error {
	f := chat.ReviewFilter{Reason: c.QueryParam("reason"), Channel: c.QueryParam("channel"), Intent: c.QueryParam("intent"),
		Status: c.QueryParam("status")}
	if f.Status == "" {
		f.Status = chat.ReviewOpen
	} else if f.Status == "all" {
		f.Status = ""
	}
	var err error
	if f.From, f.To, err = timeRange(c); err != nil {
		return err
	}
	if v := c.QueryParam("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > 1000 {
			return chat.Errorf(chat.EINVALID, "limit is 1 to 1000")
		}
	}
	items, err := s.Trainer.Store.Reviews(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// timeRange reads from= and to= (RFC 3339 or YYYY-MM-DD); both optional.
func timeRange(c echo.Context) (from, to time.Time, err error) {
	parse := func(name string) (time.Time, error) {
		v := c.QueryParam(name)
		if v == "" {
			return time.Time{}, nil
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t, nil
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return t, chat.Errorf(chat.EINVALID, "%s must be a date (2026-11-30) or an RFC 3339 time", name)
		}
		return t, nil
	}
	if from, err = parse("from"); err != nil {
		return
	}
	to, err = parse("to")
	return
}

type acceptRequest struct {
	Set    string      `json:"set"`
	Labels []CaseLabel `json:"items"`
}

// reviewAccept handles POST /api/trainer/review/accept {"set","items":[{"review_id",…labels}]}.
func (s *Server) reviewAccept(c echo.Context) error {
	var req acceptRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	if req.Set == "" || len(req.Labels) == 0 || len(req.Labels) > 1000 {
		return chat.Errorf(chat.EINVALID, "name a set and 1 to 1000 items")
	}
	n, err := s.Trainer.Accept(c.Request().Context(), req.Set, req.Labels)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"set": req.Set, "cases": n})
}

type idsRequest struct {
	IDs []int64 `json:"ids"`
}

// reviewDismiss handles POST /api/trainer/review/dismiss {"ids":[…]}.
func (s *Server) reviewDismiss(c echo.Context) error {
	var req idsRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	if len(req.IDs) == 0 || len(req.IDs) > 1000 {
		return chat.Errorf(chat.EINVALID, "give 1 to 1000 ids")
	}
	n, err := s.Trainer.Store.SetReviewStatus(c.Request().Context(), req.IDs, chat.ReviewDismissed)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"dismissed": n})
}

// evalSets handles GET /api/trainer/sets.
func (s *Server) evalSets(c echo.Context) error {
	sets, err := s.Trainer.Store.EvalSets(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"sets": sets})
}

// evalSetCases handles GET /api/trainer/sets/:name.
func (s *Server) evalSetCases(c echo.Context) error {
	cases, err := s.Trainer.Cases(c.Request().Context(), c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"name": c.Param("name"), "cases": cases})
}

// evalRuns handles GET /api/trainer/runs?set=.
func (s *Server) evalRuns(c echo.Context) error {
	runs, err := s.Trainer.Store.EvalRuns(c.Request().Context(), c.QueryParam("set"), 100)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"runs": runs})
}

// evalReport handles GET /api/trainer/runs/:id/report: the run's HTML report.
func (s *Server) evalReport(c echo.Context) error {
	c.Response().Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	return s.Trainer.Report(c.Request().Context(), c.Response(), c.Param("id"))
}

// analytics handles GET /api/trainer/analytics?from=&to= (default: the last 7 days).
func (s *Server) analytics(c echo.Context) error { return s.overRange(c, 7, s.Trainer.Analytics) }

// confidence handles GET /api/trainer/confidence?from=&to= (default: the last 12 weeks).
func (s *Server) confidence(c echo.Context) error { return s.overRange(c, 84, s.Trainer.Confidence) }

// gaps handles GET /api/trainer/gaps?from=&to= (default: the last 30 days).
func (s *Server) gaps(c echo.Context) error { return s.overRange(c, 30, s.Trainer.Gaps) }

// overRange answers with compute over [from, to), by default the last days days.
func (s *Server) overRange(c echo.Context, days int, compute func(context.Context, time.Time, time.Time) (any, error)) error {
	from, to, err := timeRange(c)
	if err != nil {
		return err
	}
	if to.IsZero() {
		to = time.Now().UTC()
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -days)
	}
	if !from.Before(to) {
		return chat.Errorf(chat.EINVALID, "from must be before to")
	}
	r, err := compute(c.Request().Context(), from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// intentStats handles GET /api/trainer/intents?set=: intents with examples and, from the set's
// latest run, accuracy and the intents each was confused with.
func (s *Server) intentStats(c echo.Context) error {
	out, err := s.Trainer.IntentStats(c.Request().Context(), c.QueryParam("set"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

type previewRequest struct {
	Set     string        `json:"set"`
	Intents []chat.Intent `json:"intents"`
}

// previewIntents handles POST /api/trainer/intents/preview {"set","intents":[…]}: the set scored
// with the proposed intents (replacing stored ones of the same name) next to the current ones.
func (s *Server) previewIntents(c echo.Context) error {
	var req previewRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	if req.Set == "" || len(req.Intents) == 0 || len(req.Intents) > 500 {
		return chat.Errorf(chat.EINVALID, "name a set and 1 to 500 proposed intents")
	}
	out, err := s.Trainer.PreviewIntents(c.Request().Context(), req.Set, req.Intents)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
