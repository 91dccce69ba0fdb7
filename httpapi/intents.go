package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tandem/chat"
	"tandem/intent"
)

// IntentStore is what the intents API reads and writes.
type IntentStore interface {
	PutIntent(ctx context.Context, in chat.Intent) error
	Intents(ctx context.Context) ([]chat.Intent, error)
	DeleteIntent(ctx context.Context, name string) error
}

// IntentsAPI serves the trainer's intents API.
type IntentsAPI struct {
	Store IntentStore
	// Refresh retrains this replica's router after a change (others retrain on their next check).
	Refresh func(ctx context.Context) error
	// Route classifies a message with the current router.
	Route func(text string) (chat.Intent, float64, bool)
	// Job, when set, retrains in the background after an import (which can take minutes).
	Job *intent.Job
}

// maxIntentsImport bounds an intents import body: about 30,000 example lines.
const maxIntentsImport = 2 << 20

// intentsTry handles GET /api/v1/intents/try?text=: how the bot would classify a message.
func (s *Server) intentsTry(c echo.Context) error {
	text := strings.TrimSpace(c.QueryParam("text"))
	if text == "" || len(text) > maxSearchQuery {
		return chat.Errorf(chat.EINVALID, "text is required and at most %d bytes", maxSearchQuery)
	}
	in, p, ok := s.Intents.Route(text)
	return c.JSON(http.StatusOK, map[string]any{"matched": ok, "intent": in.Name, "action": in.Action, "probability": p})
}

// intentsList handles GET /api/v1/intents.
func (s *Server) intentsList(c echo.Context) error {
	ins, err := s.Intents.Store.Intents(c.Request().Context())
	if err != nil {
		return err
	}
	if ins == nil {
		ins = []chat.Intent{}
	}
	return c.JSON(http.StatusOK, map[string]any{"intents": ins})
}

// intentPut handles PUT /api/v1/intents/:name with an intent as JSON.
func (s *Server) intentPut(c echo.Context) error {
	var in chat.Intent
	if err := s.bind(c, &in); err != nil {
		return err
	}
	in.Name = c.Param("name")
	if in.Action == "" {
		in.Action = chat.ActionKnowledge
	}
	in.UpdatedAt = time.Now().UTC()
	if err := intent.Validate(in); err != nil {
		return err
	}
	stored, err := s.Intents.Store.Intents(c.Request().Context())
	if err != nil {
		return err
	}
	if err := intent.CheckTotals(intent.Merge(stored, []chat.Intent{in})); err != nil {
		return err
	}
	if err := s.Intents.Store.PutIntent(c.Request().Context(), in); err != nil {
		return err
	}
	s.retrain(c.Request().Context())
	return c.JSON(http.StatusOK, in)
}

// intentDelete handles DELETE /api/v1/intents/:name.
func (s *Server) intentDelete(c echo.Context) error {
	if err := s.Intents.Store.DeleteIntent(c.Request().Context(), c.Param("name")); err != nil {
		return err
	}
	s.retrain(c.Request().Context())
	return c.NoContent(http.StatusNoContent)
}

// intentsImport handles POST /api/v1/intents/import with a JSONL body: every intent is checked,
// and the whole set after the import, before any is stored. Training then runs in the
// background (202, progress at GET /api/v1/intents/training).
func (s *Server) intentsImport(c echo.Context) error {
	r := c.Request()
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, maxIntentsImport))
	if err != nil {
		return chat.Errorf(chat.ETOOLARGE, "intents file is over the limit of %d bytes", maxIntentsImport)
	}
	ins, err := intent.ParseJSONL(bytes.NewReader(body), time.Now().UTC())
	if err != nil {
		return err
	}
	stored, err := s.Intents.Store.Intents(r.Context())
	if err != nil {
		return err
	}
	if err := intent.CheckTotals(intent.Merge(stored, ins)); err != nil {
		return err
	}
	for _, in := range ins {
		if err := s.Intents.Store.PutIntent(r.Context(), in); err != nil {
			return err
		}
	}
	if s.Intents.Job == nil {
		s.retrain(r.Context())
		return c.JSON(http.StatusOK, map[string]any{"intents": len(ins)})
	}
	s.Intents.Job.Start()
	return c.JSON(http.StatusAccepted, map[string]any{"intents": len(ins), "training": s.Intents.Job.Status()})
}

// intentsTraining handles GET /api/v1/intents/training: background training's progress.
func (s *Server) intentsTraining(c echo.Context) error {
	if s.Intents.Job == nil {
		return c.JSON(http.StatusOK, intent.JobStatus{})
	}
	return c.JSON(http.StatusOK, s.Intents.Job.Status())
}

// intentsExport handles GET /api/v1/intents/export: JSONL in the import format.
func (s *Server) intentsExport(c echo.Context) error {
	ins, err := s.Intents.Store.Intents(c.Request().Context())
	if err != nil {
		return err
	}
	var b strings.Builder
	if err := intent.WriteJSONL(&b, ins); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="intents.jsonl"`)
	return c.Blob(http.StatusOK, "application/jsonl; charset=utf-8", []byte(b.String()))
}

func (s *Server) retrain(ctx context.Context) {
	if s.Intents.Refresh == nil {
		return
	}
	if err := s.Intents.Refresh(ctx); err != nil {
		s.Log.Warn("intent retraining after a change failed; the next check retries", "err", err)
	}
}

// Settings is the trainer's and admin's settings API: the target precision and the business
// hours per team.
type Settings struct {
	TargetPrecision    func() float64
	SetTargetPrecision func(ctx context.Context, f float64) error
	Default            float64
	Hours              func() any
	SetHours           func(ctx context.Context, raw []byte) error
}

type settingsBody struct {
	TargetPrecision *float64        `json:"target_precision"`
	Hours           json.RawMessage `json:"hours"`
}

// settingsGet handles GET /api/v1/settings.
func (s *Server) settingsGet(c echo.Context) error {
	out := map[string]any{"target_precision": s.Settings.TargetPrecision(), "default_target_precision": s.Settings.Default}
	if s.Settings.Hours != nil {
		out["hours"] = s.Settings.Hours()
	}
	return c.JSON(http.StatusOK, out)
}

// settingsPut handles PUT /api/v1/settings {"target_precision":0.85} and/or {"hours":{…}}.
func (s *Server) settingsPut(c echo.Context) error {
	var b settingsBody
	if err := s.bind(c, &b); err != nil {
		return err
	}
	if b.TargetPrecision == nil && b.Hours == nil {
		return chat.Errorf(chat.EINVALID, "send target_precision or hours")
	}
	ctx := c.Request().Context()
	if b.Hours != nil {
		if s.Settings.SetHours == nil {
			return chat.Errorf(chat.EINVALID, "hours cannot be set here")
		}
		if err := s.Settings.SetHours(ctx, b.Hours); err != nil {
			return chat.Errorf(chat.EINVALID, "%v", err)
		}
	}
	if b.TargetPrecision != nil {
		if err := s.Settings.SetTargetPrecision(ctx, *b.TargetPrecision); err != nil {
			return chat.Errorf(chat.EINVALID, "%v", err)
		}
	}
	return s.settingsGet(c)
}
