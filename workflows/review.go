package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// reviewOpen reports whether scorecards and ranking are accepted: after the
// recommendation deadline and until the notice is published (R8).
func (c *campaign) reviewOpen(what string) error {
	if c.Phase == domain.PhaseReviewing || c.Phase == domain.PhaseRanked {
		return nil
	}
	when := "before the recommendation deadline"
	if c.Phase != domain.PhaseOpen {
		when = "after the notice was published"
	}
	return &domain.RuleError{Code: domain.CodeConflict, Rule: "R8", Message: fmt.Sprintf("%s is accepted only between the recommendation deadline and the notice; the campaign is %s (%s)", what, c.Phase, when)}
}

func (c *campaign) checkScore(_ workflow.Context, in ScoreInput) error {
	if err := domain.CanScore(in.Actor); err != nil {
		return err
	}
	if err := domain.ValidateScorecard(in.Criteria); err != nil {
		return err
	}
	if err := checkText("comment", in.Comment, false); err != nil {
		return err
	}
	a, err := c.app(in.County)
	if err != nil {
		return err
	}
	if err := c.reviewOpen("a scorecard"); err != nil {
		return err
	}
	if !a.State.InReview() {
		return &domain.RuleError{Code: domain.CodeInvalidState, Rule: "R8", Message: fmt.Sprintf("%s is %s, not a candidate of the review", in.County, a.State)}
	}
	return nil
}

// score records a reviewer's card; the same reviewer scoring again replaces their card
// (R8). A card after a ranking makes that ranking stale: the cases return to review and
// the ranking must run again before the notice.
func (c *campaign) score(ctx workflow.Context, in ScoreInput) (readmodel.Application, error) {
	a := c.Apps[in.County]
	c.touch(ctx)
	if c.Phase == domain.PhaseRanked {
		c.unrank(ctx, in.Actor, fmt.Sprintf("new scorecard for %s after the ranking", in.County))
	}
	_, replaced := a.Cards[in.Actor.Sub]
	a.Cards[in.Actor.Sub] = readmodel.ScorecardView{Reviewer: in.Actor.Sub, Criteria: in.Criteria, Comment: in.Comment, At: workflow.Now(ctx)}
	action := "scorecard"
	if replaced {
		action = "scorecard_replaced"
	}
	review, _ := domain.ReviewScore(c.cfg.Weights, c.cardsOf(a))
	c.note(ctx, a, in.Actor, action, "R8", fmt.Sprintf("review score now %.2f over %d scorecard(s)", review, len(a.Cards)))
	return c.appView(a), c.flush(ctx)
}

func (c *campaign) cardsOf(a *CaseRecord) []domain.Scorecard {
	var out []domain.Scorecard
	for _, r := range domain.SortedCodes(a.Cards) {
		out = append(out, a.Cards[r].Criteria)
	}
	return out
}

// unrank returns a stale ranking's cases to review (R8: ranking may be re-run until
// the notice is published).
func (c *campaign) unrank(ctx workflow.Context, actor domain.Actor, why string) {
	for _, county := range c.counties() {
		a := c.Apps[county]
		if a.State == domain.StateShortlisted || a.State == domain.StateReserve {
			a.Rank, a.Breakdown = 0, nil
			c.move(ctx, a, domain.StateUnderReview, actor, "ranking_invalidated", "R8", why)
		}
	}
	c.setPhase(ctx, domain.PhaseReviewing, actor, "R8", "ranking invalidated: "+why)
}

func (c *campaign) checkRank(_ workflow.Context, in AdminInput) error {
	if err := domain.CanAdminister(in.Actor, "rank the candidates"); err != nil {
		return err
	}
	if err := c.reviewOpen("ranking"); err != nil {
		return err
	}
	_, err := domain.Rank(c.cfg.Weights, c.cfg.Quota, c.candidates())
	return err
}

// rank applies R7: the top quota are shortlisted, the rest are the reserve, each with
// the breakdown that explains its total.
func (c *campaign) rankCandidates(ctx workflow.Context, in AdminInput) (domain.Ranking, error) {
	r, err := domain.Rank(c.cfg.Weights, c.cfg.Quota, c.candidates())
	if err != nil {
		return domain.Ranking{}, err
	}
	c.touch(ctx)
	place := func(list []domain.Ranked, to domain.State) {
		for _, e := range list {
			a := c.Apps[e.County]
			b := e.Breakdown
			a.Rank, a.Breakdown = e.Rank, &b
			detail := fmt.Sprintf("rank %d of %d, total %.2f", e.Rank, len(r.Shortlist)+len(r.Reserve), e.Total)
			if a.State == to {
				c.note(ctx, a, in.Actor, "ranked", "R7", detail)
			} else {
				c.move(ctx, a, to, in.Actor, "ranked", "R7", detail)
			}
		}
	}
	place(r.Shortlist, domain.StateShortlisted)
	place(r.Reserve, domain.StateReserve)
	c.Ranked = true
	c.release(ctx)
	if c.Phase != domain.PhaseRanked {
		c.setPhase(ctx, domain.PhaseRanked, in.Actor, "R7", fmt.Sprintf("%d shortlisted, %d in reserve", len(r.Shortlist), len(r.Reserve)))
	} else {
		c.campaignEvent(ctx, in.Actor, "reranked", string(c.Phase), string(c.Phase), "R7", fmt.Sprintf("%d shortlisted, %d in reserve", len(r.Shortlist), len(r.Reserve)))
	}
	return r, c.flush(ctx)
}
