package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"tandem/chat"
)

// CustomerAdmin answers data-access and erasure requests about one customer.
type CustomerAdmin interface {
	// CustomerByExternal returns the customer a channel knows by externalID, or not_found.
	CustomerByExternal(ctx context.Context, channel, externalID string) (chat.Customer, error)
	// CustomerData returns everything stored about a customer, or not_found.
	CustomerData(ctx context.Context, customerID string) (chat.CustomerExport, error)
	// EraseCustomer deletes the customer and everything stored about them, or not_found.
	EraseCustomer(ctx context.Context, customerID string, at time.Time) (chat.EraseReport, error)
}

// customerLookup handles GET /api/admin/customers?channel=&external_id=: the customer a channel
// knows by that id.
func (s *Server) customerLookup(c echo.Context) error {
	channel, external := c.QueryParam("channel"), c.QueryParam("external_id")
	if channel == "" || external == "" {
		return chat.Errorf(chat.EINVALID, "channel and external_id are required")
	}
	cu, err := s.Admin.CustomerByExternal(c.Request().Context(), channel, external)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cu)
}

// customerExport handles GET /api/admin/customers/:id/export: the customer's data as JSON, as a
// download.
func (s *Server) customerExport(c echo.Context) error {
	x, err := s.Admin.CustomerData(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="customer-export.json"`)
	return c.JSON(http.StatusOK, x)
}

// customerErase handles DELETE /api/admin/customers/:id: the rows deleted per table.
func (s *Server) customerErase(c echo.Context) error {
	r, err := s.Admin.EraseCustomer(c.Request().Context(), c.Param("id"), time.Now().UTC())
	if err != nil {
		return err
	}
	s.Log.Info("customer erased", "customer_id", r.CustomerID, "rows", r.Total(), "actor", session(c).Username)
	return c.JSON(http.StatusOK, r)
}

// auditRead records a read in the audit log, for reads that disclose personal data (the audit
// middleware records changes only).
func (s *Server) auditRead(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		s.record(c, err)
		return err
	}
}
