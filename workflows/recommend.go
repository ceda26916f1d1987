package workflows

import (
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

func (c *campaign) checkRecommend(ctx workflow.Context, in RecommendInput) error {
	_, err := c.filingDecision(ctx, in)
	return err
}

// filingDecision applies R12 then R3/R4/R5 to a filing against the current state; one
// workflow serialises filings, so two concurrent ones cannot both pass the cap.
func (c *campaign) filingDecision(ctx workflow.Context, in RecommendInput) (domain.FilingDecision, error) {
	if err := domain.CanRecommend(in.Actor, in.Prefecture); err != nil {
		return domain.FilingDecision{}, err
	}
	if err := checkText("document_ref", in.DocumentRef, false); err != nil {
		return domain.FilingDecision{}, err
	}
	status := domain.PrefectureOpen
	if p, ok := c.Prefectures[in.Prefecture]; ok {
		status = p.Status
	}
	states := map[string]domain.State{}
	for _, county := range in.Counties {
		if a, ok := c.Apps[county]; ok {
			states[county] = a.State
		}
	}
	f := domain.Filing{Prefecture: in.Prefecture, Counties: in.Counties, DocumentRef: in.DocumentRef}
	return domain.CheckFiling(c.actTime(ctx, in.ReceivedAt), c.cfg, c.divs, status, f, states, in.ValidateOnly)
}

// recommend files (or, validate-only, previews) a prefecture's ordered list (R3).
func (c *campaign) recommend(ctx workflow.Context, in RecommendInput) (readmodel.RecommendResult, error) {
	d, err := c.filingDecision(ctx, in)
	if err != nil {
		return readmodel.RecommendResult{}, err
	}
	p := c.Prefectures[in.Prefecture]
	if in.ValidateOnly {
		preview := *p
		preview.Status = domain.PrefectureFiled
		preview.Recommended = append([]string{}, in.Counties...)
		preview.DocumentRef = in.DocumentRef
		return readmodel.RecommendResult{Prefecture: preview, ValidateOnly: true}, nil
	}
	c.touch(ctx)
	now := workflow.Now(ctx)
	if d.Forfeits {
		c.forfeit(ctx, p, in)
	} else {
		c.file(ctx, p, in)
	}
	p.DocumentRef, p.FiledAt = in.DocumentRef, &now
	return readmodel.RecommendResult{Prefecture: *p}, c.flush(ctx)
}

// forfeit applies "突破推荐名额的，视为自行放弃": every open case of the prefecture ends,
// and the prefecture can file nothing more (R3).
func (c *campaign) forfeit(ctx workflow.Context, p *readmodel.Prefecture, in RecommendInput) {
	from := p.Status
	f := &Forfeit{Status: from, Recommended: append([]string{}, p.Recommended...), DocumentRef: p.DocumentRef, FiledAt: p.FiledAt, Cases: map[string]CaseBefore{}}
	if c.Forfeits == nil {
		c.Forfeits = map[string]*Forfeit{}
	}
	c.Forfeits[p.Code] = f
	p.Status = domain.PrefectureForfeited
	p.Forfeiting = append([]string{}, in.Counties...)
	p.Recommended = []string{}
	detail := fmt.Sprintf("%s %s filed %d counties (%s), over the cap of %d: the prefecture forfeits", p.Code, p.Name, len(in.Counties), strings.Join(in.Counties, ", "), c.cfg.PrefectureCap)
	c.campaignEvent(ctx, in.Actor, "prefecture_forfeited", string(from), string(p.Status), "R3", detail)
	for _, county := range c.counties() {
		a := c.Apps[county]
		if a.Div.ParentCode != p.Code || a.Div.DirectlyAdministered || a.State.Final() {
			continue
		}
		f.Cases[county] = CaseBefore{State: a.State, Order: a.Order, DocumentRef: a.DocumentRef}
		a.Order = 0
		c.move(ctx, a, domain.StateForfeited, in.Actor, "forfeit", "R3", detail)
	}
}

// file records a formal list, replacing an earlier one: counties that left the list go
// back to submitted, the listed ones are recommended in the given order (R3).
func (c *campaign) file(ctx workflow.Context, p *readmodel.Prefecture, in RecommendInput) {
	from := p.Status
	replaced := from == domain.PrefectureFiled
	for _, county := range p.Recommended {
		a := c.Apps[county]
		if slices.Contains(in.Counties, county) || a.State != domain.StateRecommended {
			continue
		}
		a.Order, a.DocumentRef = 0, ""
		c.move(ctx, a, domain.StateSubmitted, in.Actor, "recommendation_replaced", "R3",
			fmt.Sprintf("left out of %s's new list", p.Name))
	}
	for i, county := range in.Counties {
		a := c.Apps[county]
		a.Order, a.DocumentRef = i+1, in.DocumentRef
		detail := fmt.Sprintf("recommended by %s %s as pick %d of %d", p.Code, p.Name, i+1, len(in.Counties))
		if in.DocumentRef != "" {
			detail += " (" + in.DocumentRef + ")"
		}
		if a.State == domain.StateRecommended {
			c.note(ctx, a, in.Actor, "recommendation_replaced", "R3", detail)
		} else {
			c.move(ctx, a, domain.StateRecommended, in.Actor, "recommend", "R3", detail)
		}
	}
	p.Status = domain.PrefectureFiled
	p.Recommended = append([]string{}, in.Counties...)
	action := "prefecture_filed"
	if replaced {
		action = "prefecture_refiled"
	}
	c.campaignEvent(ctx, in.Actor, action, string(from), string(p.Status), "R3",
		fmt.Sprintf("%s %s recommends %s", p.Code, p.Name, strings.Join(in.Counties, ", ")))
}
