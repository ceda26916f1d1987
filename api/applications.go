package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/workflows"
)

// A county's application (R2, R4, R6): /campaigns/{year}/applications and below, but
// for the scorecards and objections, which have files of their own.

// countyOf reads the campaign, the caller and the {county} of the path.
func (s *server) countyOf(c echo.Context) (readmodel.CampaignView, domain.Actor, string, error) {
	v, a, err := s.officialOf(c)
	if err != nil {
		return v, a, "", err
	}
	county, err := countyIn(c, v)
	return v, a, county, err
}

// countyIn reads the {county} of the path, which must be of the campaign's province: a
// county of another has no case in it, whatever its code (404).
func countyIn(c echo.Context, v readmodel.CampaignView) (string, error) {
	county, err := pathCode(c, "county")
	if err != nil {
		return "", err
	}
	if domain.ProvinceCode(county) != v.Province {
		return "", notFound("county %s is not of province %s and has no application in its %d campaign", county, v.Province, v.Year)
	}
	return county, nil
}

// countyAction is the common head of the routes a county official performs on their
// own county and an administrator on any (R12).
func (s *server) countyAction(c echo.Context, what string) (readmodel.CampaignView, domain.Actor, string, error) {
	v, a, county, err := s.countyOf(c)
	if err != nil {
		return v, a, county, err
	}
	if err := domain.CanActForCounty(a, county, what); err != nil {
		return v, a, county, err
	}
	return v, a, county, nil
}

// RegisterRequest is the body of POST applications.
type RegisterRequest struct {
	County string `json:"county"`
}

// registerApplication opens a county's application (R2); the workflow refuses excluded
// and foreign counties (422) and a second registration (409).
func (s *server) registerApplication(c echo.Context) error {
	v, a, err := s.officialOf(c)
	if err != nil {
		return err
	}
	var req RegisterRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := checkCode("county", req.County); err != nil {
		return err
	}
	if err := domain.CanActForCounty(a, req.County, "register an application"); err != nil {
		return err
	}
	var app readmodel.Application
	if err := s.update(c, v, workflows.UpdateRegister, workflows.RegisterInput{Actor: a, County: req.County, ReceivedAt: receivedAt(c)}, &app); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, campaignPath(c, v)+"/applications/"+app.County)
	return c.JSON(http.StatusCreated, app)
}

// ApplicationsResponse is the list body of API.md, a page at a time.
type ApplicationsResponse struct {
	Applications []readmodel.Application `json:"applications"`
	NextCursor   string                  `json:"next_cursor,omitempty"`
}

// listApplications serves any official: lists are not confidential between officials.
func (s *server) listApplications(c echo.Context) error {
	v, _, err := s.officialOf(c)
	if err != nil {
		return err
	}
	prefecture, state := c.QueryParam("prefecture"), c.QueryParam("state")
	if prefecture != "" {
		if err := checkCode("prefecture", prefecture); err != nil {
			return err
		}
	}
	if state != "" && !domain.State(state).Valid() {
		return badRequest("state %q is not an application state", state)
	}
	list := fmt.Sprintf("applications %d prefecture=%s state=%s", v.Year, prefecture, state)
	page, err := pageRequest[string](s, c, list)
	if err != nil {
		return err
	}
	p, err := s.st.Applications(c.Request().Context(), v.Province, v.Year, prefecture, state, page)
	if err != nil {
		return err
	}
	next, err := nextCursor(s, list, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ApplicationsResponse{Applications: nonNil(p.Items), NextCursor: next})
}

// allApplications reads every application of a campaign, a page at a time, for the
// ranking, which orders them all. The loop is short: a campaign has at most one
// application per county of its province.
func (s *server) allApplications(ctx context.Context, v readmodel.CampaignView) ([]readmodel.Application, error) {
	var all []readmodel.Application
	page := store.PageRequest[string]{Limit: MaxLimit}
	for {
		p, err := s.st.Applications(ctx, v.Province, v.Year, "", "", page)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
		if p.Next == nil {
			return all, nil
		}
		page.After = p.Next
	}
}

// application reads one application from the read model, 404 when never registered.
func (s *server) application(c echo.Context, v readmodel.CampaignView, county string) (readmodel.Application, error) {
	app, err := s.st.Application(c.Request().Context(), v.Province, v.Year, county)
	if errors.Is(err, store.ErrNotFound) {
		return app, notFound("county %s has no application in the %d campaign", county, v.Year)
	}
	return app, err
}

func (s *server) getApplication(c echo.Context) error {
	v, _, county, err := s.countyOf(c)
	if err != nil {
		return err
	}
	app, err := s.application(c, v, county)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, app)
}

// applicationTimeline is the case's audit trail (R11), oldest first.
func (s *server) applicationTimeline(c echo.Context) error {
	v, _, county, err := s.countyOf(c)
	if err != nil {
		return err
	}
	if _, err := s.application(c, v, county); err != nil {
		return err
	}
	return s.timeline(c, workflows.ApplicationID(v.Year, county))
}

// MaterialsRequest merges paper deliveries into the checklist (R6).
type MaterialsRequest struct {
	Items domain.Materials `json:"items"`
}

func (s *server) materials(c echo.Context) error {
	v, a, county, err := s.countyAction(c, "deliver materials")
	if err != nil {
		return err
	}
	var req MaterialsRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := domain.ValidateDelivery(req.Items); err != nil {
		return err
	}
	return s.applicationUpdate(c, v, workflows.UpdateMaterials, workflows.MaterialsInput{Actor: a, County: county, Items: req.Items, ReceivedAt: receivedAt(c)})
}

func (s *server) submit(c echo.Context) error {
	v, a, county, err := s.countyAction(c, "submit an application")
	if err != nil {
		return err
	}
	if err := bindJSON(c, &emptyRequest{}); err != nil {
		return err
	}
	return s.applicationUpdate(c, v, workflows.UpdateSubmit, workflows.SubmitInput{Actor: a, County: county, ReceivedAt: receivedAt(c)})
}

// SelfApplyRequest is a directly administered county's own application (R4).
type SelfApplyRequest struct {
	DocumentRef string `json:"document_ref"`
}

// selfApply lets the workflow judge R4: a county that is not directly administered is
// refused there (422 ineligible), for officials and administrators alike.
func (s *server) selfApply(c echo.Context) error {
	v, a, county, err := s.countyAction(c, "self-apply")
	if err != nil {
		return err
	}
	var req SelfApplyRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	return s.applicationUpdate(c, v, workflows.UpdateSelfApply, workflows.SelfApplyInput{Actor: a, County: county, DocumentRef: req.DocumentRef, ReceivedAt: receivedAt(c)})
}

// WithdrawRequest ends a case at the county's request.
type WithdrawRequest struct {
	Reason string `json:"reason"`
}

func (s *server) withdraw(c echo.Context) error {
	v, a, county, err := s.countyAction(c, "withdraw an application")
	if err != nil {
		return err
	}
	var req WithdrawRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	return s.applicationUpdate(c, v, workflows.UpdateWithdraw, workflows.WithdrawInput{Actor: a, County: county, Reason: req.Reason})
}

// applicationUpdate runs an Update whose result is the application, answered with 200.
func (s *server) applicationUpdate(c echo.Context, v readmodel.CampaignView, name string, in any) error {
	var app readmodel.Application
	if err := s.update(c, v, name, in, &app); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, app)
}
