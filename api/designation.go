package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/store"
)

// The public final list of a closed campaign (R10, R11) with the Department's document
// reference.

// getDesignation serves the public final list (R10, R11): 404 until the campaign closed.
func (s *server) getDesignation(c echo.Context) error {
	v, err := s.campaignOf(c)
	if err != nil {
		return err
	}
	d, err := s.st.Designation(c.Request().Context(), v.Province, v.Year)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("campaign %d has not closed: its final list is not published yet", v.Year)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// DesignationRequest records the Department's decision on the final list.
type DesignationRequest struct {
	DocumentRef string `json:"document_ref"`
}

// recordDesignationRef records the document reference of the Department's decision
// (R10) on the final list of a closed campaign.
func (s *server) recordDesignationRef(c echo.Context) error {
	v, a, err := s.officialOf(c)
	if err != nil {
		return err
	}
	if err := domain.CanAdminister(a, "record the designation's document reference"); err != nil {
		return err
	}
	var req DesignationRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := domain.CheckText("document_ref", req.DocumentRef, true, domain.MaxText); err != nil {
		return err
	}
	d, err := s.st.SetDesignationRef(c.Request().Context(), v.Province, v.Year, v.WorkflowID, req.DocumentRef, a, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		return newError(domain.CodeInvalidState, "R10", "campaign %d has not closed; the document reference goes on its final list", v.Year)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}
