package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tandem/chat"
)

// CustomerAdmin answers data-access and erasure requests about one customer.
type CustomerAdmin interface {
	// Customer returns a customer by Tandem's id, or not_found.
	Customer(ctx context.Context, id string) (chat.Customer, error)
	// CustomerByExternal returns the customer a channel knows by externalID, or not_found.
	CustomerByExternal(ctx context.Context, channel, externalID string) (chat.Customer, error)
	// CustomerData returns everything stored about a customer, or not_found.
	CustomerData(ctx context.Context, customerID string) (chat.CustomerExport, error)
	// EraseCustomer deletes the customer and everything stored about them, or not_found.
	EraseCustomer(ctx context.Context, customerID string, at time.Time) (chat.EraseReport, error)
}

// customerLookup handles GET /api/admin/customers?id=… or ?channel=&external_id=: a customer by
// Tandem's id (as the consoles show it) or by the id their channel knows them by. With id and
// channel both given, id is tried as Tandem's id first, then as that channel's id.
func (s *Server) customerLookup(c echo.Context) error {
	ctx := c.Request().Context()
	id, channel, external := strings.TrimPrefix(strings.TrimSpace(c.QueryParam("id")), "#"), c.QueryParam("channel"), c.QueryParam("external_id")
	switch {
	case id != "":
		cu, err := s.Admin.Customer(ctx, id)
		if chat.ErrorCode(err) == chat.ENOTFOUND && channel != "" {
			cu, err = s.Admin.CustomerByExternal(ctx, channel, id)
		}
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, cu)
	case channel != "" && external != "":
		cu, err := s.Admin.CustomerByExternal(ctx, channel, external)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, cu)
	}
	return chat.Errorf(chat.EINVALID, "give the customer's id as the console shows it (id), or a channel and the id it knows them by (channel, external_id)")
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
