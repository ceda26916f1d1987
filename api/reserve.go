package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/workflows"
)

// The reserve and the vacancies of R10 as revised: a vacancy is filled by promoting the
// best reserve candidate, or left unfilled by decision.

// promote moves the best reserve candidate into a vacancy (R10).
func (s *server) promote(c echo.Context) error {
	var app readmodel.Application
	if _, err := s.adminAction(c, "promote a reserve candidate", workflows.UpdatePromoteReserve, &app); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, app)
}

// declineVacancies leaves the open vacancies unfilled (R10); the campaign may then close.
func (s *server) declineVacancies(c echo.Context) error {
	v, a, err := s.officialOf(c)
	if err != nil {
		return err
	}
	if err := domain.CanAdminister(a, "decline to fill a vacancy"); err != nil {
		return err
	}
	var req ReasonRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := domain.CheckText("reason", req.Reason, true, domain.MaxText); err != nil {
		return err
	}
	if err := s.update(c, v, workflows.UpdateDeclineVacancies, workflows.DeclineInput{Actor: a, Reason: req.Reason}, nil); err != nil {
		return err
	}
	return s.getCampaignAfterWrite(c, v)
}
