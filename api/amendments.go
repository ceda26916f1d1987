package api

import (
	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/workflows"
)

// Corrections of a running campaign (R13): POST /campaigns/{year}/amendments.

// maxAmendedCounties bounds the counties one amendment names: a province has about a
// hundred, so a longer list is a mistake, not a correction.
const maxAmendedCounties = 500

// AmendmentRequest is the body of POST /campaigns/{year}/amendments. A national score
// of null strikes a score entered by mistake.
type AmendmentRequest struct {
	Reason                 string              `json:"reason"`
	RecommendationDeadline string              `json:"recommendation_deadline"`
	NoticeDeadline         string              `json:"notice_deadline"`
	NationalScores         map[string]*float64 `json:"national_scores"`
	ExcludedAdd            []string            `json:"excluded_add"`
	ExcludedRemove         []string            `json:"excluded_remove"`
}

// amend corrects a running campaign (R13). The workflow judges the deadlines and the
// phase; the API reads the dates in the campaign's time zone (R14) and refuses a form
// without a reason or without a change.
func (s *server) amend(c echo.Context) error {
	v, a, err := s.officialOf(c)
	if err != nil {
		return err
	}
	if err := domain.CanAdminister(a, "correct a campaign"); err != nil {
		return err
	}
	var req AmendmentRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := domain.CheckText("reason", req.Reason, true, domain.MaxText); err != nil {
		return withRule(err, "R13")
	}
	if n := len(req.NationalScores) + len(req.ExcludedAdd) + len(req.ExcludedRemove); n > maxAmendedCounties {
		return newError(domain.CodeBadRequest, "R13", "an amendment names %d counties; at most %d are accepted", n, maxAmendedCounties)
	}
	if v.Phase == domain.PhaseClosed {
		// The workflow has ended; answer as it would have: its deadlines have passed.
		if req.NationalScores != nil || req.ExcludedAdd != nil || req.ExcludedRemove != nil {
			return newError(domain.CodeInvalidState, "R13", "campaign %d is closed: national scores and the exclusion list can no longer be corrected", v.Year)
		}
		return newError(domain.CodeDeadlinePassed, "R13", "campaign %d is closed: its deadlines have passed and can no longer move", v.Year)
	}
	loc := zoneOf(v)
	in := workflows.AmendInput{
		Actor: a, Reason: req.Reason, NationalScores: req.NationalScores,
		ExcludedAdd: req.ExcludedAdd, ExcludedRemove: req.ExcludedRemove, ReceivedAt: receivedAt(c),
	}
	if in.RecommendationDeadline, err = domain.ParseDeadline(req.RecommendationDeadline, loc); err != nil {
		return newError(domain.CodeBadRequest, "R14", "recommendation_deadline %v", err)
	}
	if in.NoticeDeadline, err = domain.ParseDeadline(req.NoticeDeadline, loc); err != nil {
		return newError(domain.CodeBadRequest, "R14", "notice_deadline %v", err)
	}
	if err := s.update(c, v, workflows.UpdateAmend, in, nil); err != nil {
		return err
	}
	return s.getCampaignAfterWrite(c, v)
}
