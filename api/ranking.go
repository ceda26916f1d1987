package api

import (
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/workflows"
)

// The ranking (R7, R8): POST runs it, GET shows where the ranked cases stand now.

// rank runs the ranking (R7, R8).
func (s *server) rank(c echo.Context) error {
	var r domain.Ranking
	if _, err := s.adminAction(c, "rank the candidates", workflows.UpdateRank, &r); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// RankedEntry is one line of GET ranking: the ranking's figures and where the case
// stands now.
type RankedEntry struct {
	domain.Ranked
	Name       string       `json:"name"`
	Prefecture string       `json:"prefecture"`
	State      domain.State `json:"state"`
	Promoted   bool         `json:"promoted,omitempty"`
}

// RankingResponse groups ranked cases by where they stand: holding a place (shortlisted
// or designated), waiting in reserve, or out (removed, withdrawn, not selected).
type RankingResponse struct {
	Shortlist []RankedEntry `json:"shortlist"`
	Reserve   []RankedEntry `json:"reserve"`
	Others    []RankedEntry `json:"others"`
}

// getRanking shows the current ranking from the read model, so every official can see
// the explanation (R7, R11) without rerunning it.
func (s *server) getRanking(c echo.Context) error {
	v, _, err := s.officialOf(c)
	if err != nil {
		return err
	}
	apps, err := s.allApplications(c.Request().Context(), v)
	if err != nil {
		return err
	}
	var ranked []readmodel.Application
	for _, a := range apps {
		if a.Rank != nil && a.Breakdown != nil {
			ranked = append(ranked, a)
		}
	}
	sort.Slice(ranked, func(i, j int) bool { return *ranked[i].Rank < *ranked[j].Rank })
	out := RankingResponse{Shortlist: []RankedEntry{}, Reserve: []RankedEntry{}, Others: []RankedEntry{}}
	for _, a := range ranked {
		e := RankedEntry{
			Ranked: domain.Ranked{County: a.County, Rank: *a.Rank, Total: a.Breakdown.Total, Breakdown: *a.Breakdown},
			Name:   a.Name, Prefecture: a.Prefecture, State: a.State,
			Promoted: *a.Rank > v.Quota && (a.State == domain.StateShortlisted || a.State == domain.StateDesignated),
		}
		switch a.State {
		case domain.StateShortlisted, domain.StateDesignated:
			out.Shortlist = append(out.Shortlist, e)
		case domain.StateReserve:
			out.Reserve = append(out.Reserve, e)
		default:
			out.Others = append(out.Others, e)
		}
	}
	return c.JSON(http.StatusOK, out)
}
