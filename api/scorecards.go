package api

import (
	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/workflows"
)

// Reviewers' scorecards (R8): POST /campaigns/{year}/applications/{county}/scorecards.

// ScoreRequest is one reviewer's scorecard (R8): all six criteria, 0–100.
type ScoreRequest struct {
	Criteria domain.Scorecard `json:"criteria"`
	Comment  string           `json:"comment"`
}

func (s *server) score(c echo.Context) error {
	v, a, county, err := s.countyOf(c)
	if err != nil {
		return err
	}
	if err := domain.CanScore(a); err != nil {
		return err
	}
	var req ScoreRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := domain.ValidateScorecard(req.Criteria); err != nil {
		return err
	}
	return s.applicationUpdate(c, v, workflows.UpdateScore, workflows.ScoreInput{Actor: a, County: county, Criteria: req.Criteria, Comment: req.Comment})
}
