package workflows

import (
	"fmt"
	"slices"

	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// Corrections (R13): an administrator changes a running campaign, each change with a
// reason, recorded on the campaign's timeline and on every case it touches with the old
// and the new value.

func (c *campaign) amendment(ctx workflow.Context, in AmendInput) (domain.Campaign, []domain.Change, error) {
	if err := domain.CanAdminister(in.Actor, "correct a campaign"); err != nil {
		return c.cfg, nil, err
	}
	return domain.CheckAmendment(c.actTime(ctx, in.ReceivedAt), c.cfg,
		domain.AmendmentState{RecommendationOpen: c.Phase == domain.PhaseOpen, NoticeDeadlineDone: c.NoticeDeadlineDone},
		c.divs, domain.Amendment{
			Reason: in.Reason, RecommendationDeadline: in.RecommendationDeadline, NoticeDeadline: in.NoticeDeadline,
			NationalScores: in.NationalScores, ExcludedAdd: in.ExcludedAdd, ExcludedRemove: in.ExcludedRemove,
		})
}

func (c *campaign) checkAmend(ctx workflow.Context, in AmendInput) error {
	_, _, err := c.amendment(ctx, in)
	return err
}

// amend applies a correction. A moved deadline moves its durable timer: the wait in
// deadlines sees the new instant and starts a new timer with the new label.
func (c *campaign) amend(ctx workflow.Context, in AmendInput) (readmodel.CampaignView, error) {
	next, changes, err := c.amendment(ctx, in)
	if err != nil {
		return readmodel.CampaignView{}, err
	}
	c.touch(ctx)
	c.cfg = next
	for _, ch := range changes {
		detail := ch.String() + "; reason: " + in.Reason
		c.campaignEvent(ctx, in.Actor, "amended_"+ch.Field, ch.Old, ch.New, "R13", detail)
		switch ch.Field {
		case domain.FieldRecommendationDeadline:
			// Every open case works towards this deadline.
			for _, county := range c.counties() {
				if a := c.Apps[county]; openForCounty(a.State) {
					c.note(ctx, a, in.Actor, "amended_"+ch.Field, "R13", detail)
				}
			}
		case domain.FieldNationalScore:
			if a, ok := c.Apps[ch.County]; ok {
				a.Exempt = c.cfg.Exempt(ch.County)
				if a.State == domain.StateSubmitted && domain.CheckSubmittable(a.Exempt, a.Materials) != nil {
					// No longer exempt and its materials incomplete: the submission no longer
					// holds (R6); the county completes its materials and submits again.
					c.move(ctx, a, domain.StateRegistered, in.Actor, "amended_"+ch.Field, "R13", detail+"; materials are now required and incomplete: back to registered (R6)")
				} else {
					c.note(ctx, a, in.Actor, "amended_"+ch.Field, "R13", detail+exemptNote(a))
				}
			}
		case domain.FieldExcluded:
			a, ok := c.Apps[ch.County]
			switch {
			case !ok:
			case ch.New == "excluded" && !a.State.Final():
				a.BeforeIneligible = a.State
				c.move(ctx, a, domain.StateIneligible, in.Actor, "excluded", "R13", detail)
			case ch.New == "eligible" && a.State == domain.StateIneligible:
				c.move(ctx, a, c.restoredState(a, a.BeforeIneligible), in.Actor, "readmitted", "R13", detail)
				a.BeforeIneligible = ""
			default:
				c.note(ctx, a, in.Actor, "amended_"+ch.Field, "R13", detail)
			}
		}
	}
	return c.view(), c.flush(ctx)
}

// exemptNote tells a county what a corrected national score means for its materials
// (R6): a county with a national score is exempt.
func exemptNote(a *CaseRecord) string {
	if a.Exempt {
		return "; exempt from materials (R6)"
	}
	return "; materials are required (R6)"
}

// restoredState is the state a case goes back to: a recommendation its prefecture has
// since replaced falls back to a submitted application (R3).
func (c *campaign) restoredState(a *CaseRecord, before domain.State) domain.State {
	if before == domain.StateRecommended && !a.SelfApplied {
		if p, ok := c.Prefectures[a.Div.ParentCode]; !ok || p.Status != domain.PrefectureFiled || !slices.Contains(p.Recommended, a.Div.Code) {
			a.Order, a.DocumentRef = 0, ""
			return domain.StateSubmitted
		}
	}
	return before
}

func (c *campaign) checkReinstate(ctx workflow.Context, in ReinstateInput) error {
	if err := domain.CanAdminister(in.Actor, "reinstate a prefecture"); err != nil {
		return err
	}
	p, ok := c.Prefectures[in.Prefecture]
	if !ok {
		return &domain.RuleError{Code: domain.CodeNotFound, Rule: "R13", Message: fmt.Sprintf("%s is not a prefecture of province %s", domain.Excerpt(in.Prefecture), c.cfg.Province)}
	}
	at := c.actTime(ctx, in.ReceivedAt)
	// Received in time, a reinstatement counts even after the deadline's sweep, as long as
	// the review has not reached the ranking (R14); reinstate then sweeps its cases.
	open := c.Phase == domain.PhaseOpen || (c.Phase == domain.PhaseReviewing && c.sweptBefore(at))
	if err := domain.CheckReinstate(at, c.cfg, open, p.Code, p.Status, in.Reason); err != nil {
		return err
	}
	if c.Forfeits[p.Code] == nil {
		// A run continued as new before forfeitures were recorded carries none.
		return &domain.RuleError{Code: domain.CodeInvalidState, Rule: "R13", Message: fmt.Sprintf("prefecture %s forfeited before this version recorded what a forfeiture ends; it cannot be reinstated", p.Code)}
	}
	return nil
}

// reinstate undoes a forfeiture (R13): the prefecture is back as it was before its
// over-cap filing, open or filed with its last list, and each case it ended is back in
// its earlier state and place.
func (c *campaign) reinstate(ctx workflow.Context, in ReinstateInput) (readmodel.CampaignView, error) {
	p := c.Prefectures[in.Prefecture]
	f := c.Forfeits[in.Prefecture]
	c.touch(ctx)
	p.Status, p.Recommended, p.DocumentRef, p.FiledAt, p.Forfeiting = f.Status, f.Recommended, f.DocumentRef, f.FiledAt, nil
	if p.Recommended == nil {
		p.Recommended = []string{}
	}
	delete(c.Forfeits, in.Prefecture)
	c.campaignEvent(ctx, in.Actor, "prefecture_reinstated", string(domain.PrefectureForfeited), string(p.Status), "R13",
		fmt.Sprintf("%s %s reinstated; reason: %s", p.Code, p.Name, in.Reason))
	for _, county := range domain.SortedCodes(f.Cases) {
		a, ok := c.Apps[county]
		if !ok || a.State != domain.StateForfeited {
			continue
		}
		before := f.Cases[county]
		a.Order, a.DocumentRef = before.Order, before.DocumentRef
		c.move(ctx, a, before.State, in.Actor, "reinstated", "R13", fmt.Sprintf("the forfeiture of %s %s is undone; reason: %s", p.Code, p.Name, in.Reason))
		if c.Phase != domain.PhaseOpen {
			c.resweep.cases = append(c.resweep.cases, county)
		}
	}
	if c.Phase != domain.PhaseOpen {
		c.resweep.prefectures = append(c.resweep.prefectures, p.Code)
	}
	return c.view(), c.flush(ctx)
}
