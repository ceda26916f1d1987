package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/workflows"
)

// Public objections (R10) are filed into PostgreSQL, not sent to the campaign workflow:
// nothing a member of the public sends spends the workflow's history or Updates, and
// the objectors' contacts never reach Temporal. The workflow counts a county's
// objections when its publicity ends, and every decision on one is an Update.
// Campaigns started before this design still take objections as Updates
// (CampaignView.ObjectionsInStore is false for them).

// ObjectionRequest is an objection from the public (R10).
type ObjectionRequest struct {
	Reason  string `json:"reason"`
	Contact string `json:"contact"`
}

// object files a public objection: no token, rate-limited per client, 202 because the
// objection awaits an administrator's decision. An identical objection is folded into
// the first and answers with its id.
func (s *server) object(c echo.Context) error {
	v, err := s.campaignOf(c)
	if err != nil {
		return err
	}
	county, err := countyIn(c, v)
	if err != nil {
		return err
	}
	var req ObjectionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := domain.CheckObjection(req.Reason, req.Contact); err != nil {
		return err
	}
	if v.Phase == domain.PhaseClosed {
		return newError(domain.CodeConflict, "R10", "campaign %d is closed and accepts no more changes", v.Year)
	}
	if !v.ObjectionsInStore {
		var res workflows.ObjectResult
		if err := s.update(c, v, workflows.UpdateObject, workflows.ObjectInput{County: county, Reason: req.Reason, Contact: req.Contact}, &res); err != nil {
			return err
		}
		return c.JSON(http.StatusAccepted, store.FiledObjection{ID: res.ID})
	}
	res, err := s.st.FileObjection(c.Request().Context(), store.ObjectionFiling{
		Year: v.Year, County: county, Reason: req.Reason, Contact: req.Contact,
		MaxOpenPerCounty: s.cfg.MaxOpenObjectionsPerCounty, MaxOpenPerContact: s.cfg.MaxOpenObjectionsPerContact,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, res)
}

// ObjectionsResponse lists objections in filing order, a page at a time.
type ObjectionsResponse struct {
	Objections []readmodel.Objection `json:"objections"`
	NextCursor string                `json:"next_cursor,omitempty"`
}

var objectionStatuses = map[string]bool{
	string(domain.ObjectionOpen): true, string(domain.ObjectionUpheld): true,
	string(domain.ObjectionDismissed): true, string(domain.ObjectionMoot): true,
}

// listObjections is for administrators, who decide them; objections carry the
// objector's contact, so other officials do not see them.
func (s *server) listObjections(c echo.Context) error {
	v, a, err := s.officialOf(c)
	if err != nil {
		return err
	}
	if err := domain.CanAdminister(a, "read objections"); err != nil {
		return err
	}
	status := c.QueryParam("status")
	if status != "" && !objectionStatuses[status] {
		return badRequest("status %q must be one of open, upheld, dismissed, moot", status)
	}
	list := fmt.Sprintf("objections %d status=%s", v.Year, status)
	page, err := pageRequest[store.ObjectionKey](s, c, list)
	if err != nil {
		return err
	}
	p, err := s.st.Objections(c.Request().Context(), v.Province, v.Year, status, page)
	if err != nil {
		return err
	}
	next, err := nextCursor(s, list, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ObjectionsResponse{Objections: nonNil(p.Items), NextCursor: next})
}

func pathObjectionID(c echo.Context) (string, error) {
	id := c.Param("id")
	if !objectionIDPattern.MatchString(id) {
		return "", badRequest("objection id %q is malformed", id)
	}
	return id, nil
}

func (s *server) getObjection(c echo.Context) error {
	v, a, err := s.officialOf(c)
	if err != nil {
		return err
	}
	if err := domain.CanAdminister(a, "read objections"); err != nil {
		return err
	}
	id, err := pathObjectionID(c)
	if err != nil {
		return err
	}
	o, err := s.st.Objection(c.Request().Context(), v.Province, v.Year, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("objection %s does not exist", id)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, o)
}

// ResolutionRequest is an administrator's decision on an objection (R10).
type ResolutionRequest struct {
	Decision string `json:"decision"`
	Note     string `json:"note"`
}

// resolve decides an objection through the campaign workflow, which settles the county
// when its period is over. The objection is looked up first, for its county and a
// clear 404 or 409; the workflow's store write refuses a decision that lost a race.
func (s *server) resolve(c echo.Context) error {
	v, a, err := s.officialOf(c)
	if err != nil {
		return err
	}
	if err := domain.CanAdminister(a, "resolve objections"); err != nil {
		return err
	}
	id, err := pathObjectionID(c)
	if err != nil {
		return err
	}
	var req ResolutionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := domain.CheckDecision(req.Decision); err != nil {
		return err
	}
	ctx := c.Request().Context()
	o, err := s.st.Objection(ctx, v.Province, v.Year, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("objection %s does not exist", id)
	}
	if err != nil {
		return err
	}
	if o.Status != domain.ObjectionOpen {
		return newError(domain.CodeConflict, "R10", "objection %s is already %s", id, o.Status)
	}
	if err := s.update(c, v, workflows.UpdateResolveObjection,
		workflows.ResolveInput{Actor: a, ID: id, County: o.County, Decision: req.Decision, Note: req.Note}, nil); err != nil {
		return err
	}
	// Read back from the store: the workflow's answer carries no contact.
	if o, err = s.st.Objection(ctx, v.Province, v.Year, id); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, o)
}
