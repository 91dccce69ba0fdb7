package httpapi

import (
	"context"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"tandem/chat"
	"tandem/config"
)

// maxWidgetOrigins bounds the sites an admin may list.
const maxWidgetOrigins = 100

// WidgetOrigins is the list of other sites allowed to run the widget: the configured ones
// (TANDEM_WIDGET_ORIGINS) and the ones an admin lists at run time.
type WidgetOrigins struct {
	Env []string
	// Stored returns the admin's list; Save stores a new one (every replica picks it up). Both nil:
	// the configured list only.
	Stored func() []string
	Save   func(ctx context.Context, origins []string) error
}

// allowed reports whether origin is listed.
func (o *WidgetOrigins) allowed(origin string) bool {
	if o == nil {
		return false
	}
	return slices.Contains(o.Env, origin) || (o.Stored != nil && slices.Contains(o.Stored(), origin))
}

type widgetOriginsView struct {
	Env     []string `json:"env"`     // from the configuration (TANDEM_WIDGET_ORIGINS, TANDEM_PUBLIC_URL); changed only there
	Origins []string `json:"origins"` // the admin's list
}

// adminWidgetOrigins handles GET /api/admin/widget-origins.
func (s *Server) adminWidgetOrigins(c echo.Context) error {
	v := widgetOriginsView{Env: []string{}, Origins: []string{}}
	if s.Origins != nil {
		v.Env = append(v.Env, s.Origins.Env...)
		if s.Origins.Stored != nil {
			v.Origins = append(v.Origins, s.Origins.Stored()...)
		}
	}
	return c.JSON(http.StatusOK, v)
}

// adminPutWidgetOrigins handles PUT /api/admin/widget-origins {"origins":["https://shop.example.com"]}.
func (s *Server) adminPutWidgetOrigins(c echo.Context) error {
	if s.Origins == nil || s.Origins.Save == nil {
		return chat.Errorf(chat.EUNAVAILABLE, "widget origins cannot be changed at run time here; set TANDEM_WIDGET_ORIGINS")
	}
	var req struct {
		Origins []string `json:"origins"`
	}
	if err := s.bind(c, &req); err != nil {
		return err
	}
	if len(req.Origins) > maxWidgetOrigins {
		return chat.Errorf(chat.EINVALID, "at most %d widget origins", maxWidgetOrigins)
	}
	out := []string{}
	for _, o := range req.Origins {
		if !config.ValidOrigin(o) {
			return chat.Errorf(chat.EINVALID, "%q is not an origin: want scheme://host[:port] such as https://shop.example.com, no path", truncate(o, 200))
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	if err := s.Origins.Save(c.Request().Context(), out); err != nil {
		return err
	}
	return s.adminWidgetOrigins(c)
}
