package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/workflows"
)

// A prefecture's quota (R3, R5, R13): its recommendation and, after a forfeiture, its
// reinstatement, under /campaigns/{year}/prefectures/{code}.

// maxRecommended bounds a filing's list long before Temporal's payload limits; a
// prefecture has at most a few dozen counties, and over-cap lists forfeit at 3 (R3).
const maxRecommended = 100

// RecommendRequest is a prefecture's ordered filing (R3).
type RecommendRequest struct {
	Counties    []string `json:"counties"`
	DocumentRef string   `json:"document_ref"`
}

// recommend files (or with ?validate_only=true previews) a prefecture's list. The quota
// check is the workflow's: it serialises filings, so two cannot both pass the cap.
func (s *server) recommend(c echo.Context) error {
	v, a, err := s.officialOf(c)
	if err != nil {
		return err
	}
	code, err := pathCode(c, "code")
	if err != nil {
		return err
	}
	if err := domain.CanRecommend(a, code); err != nil {
		return err
	}
	validateOnly := false
	if raw := c.QueryParam("validate_only"); raw != "" {
		validateOnly, err = strconv.ParseBool(raw)
		if err != nil {
			return badRequest("validate_only %q must be true or false", raw)
		}
	}
	var req RecommendRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if len(req.Counties) > maxRecommended {
		return badRequest("counties lists %d entries; at most %d are accepted", len(req.Counties), maxRecommended)
	}
	var res readmodel.RecommendResult
	if err := s.update(c, v, workflows.UpdateRecommend, workflows.RecommendInput{
		Actor: a, Prefecture: code, Counties: req.Counties, DocumentRef: req.DocumentRef, ValidateOnly: validateOnly, ReceivedAt: receivedAt(c),
	}, &res); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// reinstate undoes a prefecture's forfeiture before the recommendation deadline (R13).
func (s *server) reinstate(c echo.Context) error {
	v, a, err := s.officialOf(c)
	if err != nil {
		return err
	}
	code, err := pathCode(c, "code")
	if err != nil {
		return err
	}
	if err := domain.CanAdminister(a, "reinstate a prefecture"); err != nil {
		return err
	}
	var req ReasonRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := domain.CheckText("reason", req.Reason, true, domain.MaxText); err != nil {
		return withRule(err, "R13")
	}
	if v.Phase == domain.PhaseClosed {
		return newError(domain.CodeDeadlinePassed, "R13", "campaign %d is closed: a forfeiture stands", v.Year)
	}
	if err := s.update(c, v, workflows.UpdateReinstate, workflows.ReinstateInput{Actor: a, Prefecture: code, Reason: req.Reason, ReceivedAt: receivedAt(c)}, nil); err != nil {
		return err
	}
	return s.getCampaignAfterWrite(c, v)
}
