package workflows

// The county's own acts on its case (R2, R4, R6): registration, delivery of materials,
// submission, a directly administered county's self-application, and withdrawal.

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// checkRegister applies R12, R2, uniqueness, R5 and R3 (a forfeited prefecture's counties
// cannot enter) to a registration.
func (c *campaign) checkRegister(ctx workflow.Context, in RegisterInput) error {
	if err := domain.CanActForCounty(in.Actor, in.County, "register an application"); err != nil {
		return err
	}
	div, err := domain.CheckEligible(c.cfg, c.divs, in.County)
	if err != nil {
		return err
	}
	if _, exists := c.Apps[in.County]; exists {
		return &domain.RuleError{Code: domain.CodeConflict, Message: fmt.Sprintf("county %s has already registered for %d", in.County, c.cfg.Year)}
	}
	if err := domain.CheckInTime(c.actTime(ctx, in.ReceivedAt), c.cfg, "a registration"); err != nil {
		return err
	}
	if p, ok := c.Prefectures[div.ParentCode]; ok && !div.DirectlyAdministered && p.Status == domain.PrefectureForfeited {
		return &domain.RuleError{Code: domain.CodeIneligible, Rule: "R3", Message: fmt.Sprintf("prefecture %s %s has forfeited this campaign", p.Code, p.Name)}
	}
	return nil
}

func (c *campaign) register(ctx workflow.Context, in RegisterInput) (readmodel.Application, error) {
	div, _ := c.divs.Get(in.County)
	c.touch(ctx)
	a := &CaseRecord{Div: div, State: domain.StateRegistered, Exempt: c.cfg.Exempt(in.County), Materials: domain.Materials{}, Cards: map[string]readmodel.ScorecardView{}}
	c.Apps[in.County] = a
	detail := fmt.Sprintf("%s %s registered", div.Code, div.Name)
	if a.Exempt {
		detail += "; exempt from materials: took part in the national competitive selection (R6)"
	}
	c.record(ctx, a, in.Actor, "register", "", string(domain.StateRegistered), "R2", detail)
	first := c.pending.events[len(c.pending.events)-1]
	if err := c.startCase(ctx, a, first); err != nil {
		return readmodel.Application{}, fmt.Errorf("start application workflow %s: %w", in.County, err)
	}
	return c.appView(a), c.flush(ctx)
}

// openForCounty are the states in which a county still works on its case (R5, R6).
func openForCounty(s domain.State) bool {
	return s == domain.StateRegistered || s == domain.StateSubmitted || s == domain.StateRecommended
}

func (c *campaign) checkMaterials(ctx workflow.Context, in MaterialsInput) error {
	if err := domain.CanActForCounty(in.Actor, in.County, "deliver materials"); err != nil {
		return err
	}
	a, err := c.app(in.County)
	if err != nil {
		return err
	}
	if err := domain.ValidateDelivery(in.Items); err != nil {
		return err
	}
	if err := domain.CheckInTime(c.actTime(ctx, in.ReceivedAt), c.cfg, "a materials delivery"); err != nil {
		return err
	}
	if !openForCounty(a.State) {
		return &domain.RuleError{Code: domain.CodeInvalidState, Rule: "R6", Message: fmt.Sprintf("the application of %s is %s: its materials can no longer change", in.County, a.State)}
	}
	if a.State != domain.StateRegistered {
		if err := domain.CheckSubmittable(a.Exempt, a.Materials.Merge(in.Items)); err != nil {
			return &domain.RuleError{Code: domain.CodeMaterialsIncomplete, Rule: "R6", Message: "the application is already submitted; this change would leave it incomplete: " + err.(*domain.RuleError).Message}
		}
	}
	return nil
}

func (c *campaign) deliverMaterials(ctx workflow.Context, in MaterialsInput) (readmodel.Application, error) {
	a := c.Apps[in.County]
	c.touch(ctx)
	a.Materials = a.Materials.Merge(in.Items)
	var parts []string
	for _, n := range domain.SortedItemNumbers(in.Items) {
		parts = append(parts, fmt.Sprintf("item %s: %d copies", n, in.Items[n].Copies))
	}
	c.note(ctx, a, in.Actor, "materials", "R6", strings.Join(parts, "; "))
	return c.appView(a), c.flush(ctx)
}

func (c *campaign) checkSubmit(ctx workflow.Context, in SubmitInput) error {
	if err := domain.CanActForCounty(in.Actor, in.County, "submit an application"); err != nil {
		return err
	}
	a, err := c.app(in.County)
	if err != nil {
		return err
	}
	if err := domain.CheckInTime(c.actTime(ctx, in.ReceivedAt), c.cfg, "a submission"); err != nil {
		return err
	}
	if a.State != domain.StateRegistered {
		return &domain.RuleError{Code: domain.CodeInvalidState, Rule: "R6", Message: fmt.Sprintf("only a registered application can be submitted; %s is %s", in.County, a.State)}
	}
	return domain.CheckSubmittable(a.Exempt, a.Materials)
}

func (c *campaign) submit(ctx workflow.Context, in SubmitInput) (readmodel.Application, error) {
	a := c.Apps[in.County]
	c.touch(ctx)
	detail := "materials complete"
	if a.Exempt {
		detail = "exempt from materials (R6)"
	}
	c.move(ctx, a, domain.StateSubmitted, in.Actor, "submit", "R6", detail)
	return c.appView(a), c.flush(ctx)
}

func (c *campaign) checkSelfApply(ctx workflow.Context, in SelfApplyInput) error {
	if err := domain.CanActForCounty(in.Actor, in.County, "self-apply"); err != nil {
		return err
	}
	if err := checkText("document_ref", in.DocumentRef, false); err != nil {
		return err
	}
	a, err := c.app(in.County)
	if err != nil {
		return err
	}
	return domain.CheckSelfApply(c.actTime(ctx, in.ReceivedAt), c.cfg, a.Div, a.State)
}

func (c *campaign) selfApply(ctx workflow.Context, in SelfApplyInput) (readmodel.Application, error) {
	a := c.Apps[in.County]
	c.touch(ctx)
	a.SelfApplied = true
	detail := "directly administered county applies on its own"
	if in.DocumentRef != "" {
		detail += " (" + in.DocumentRef + ")"
	}
	c.move(ctx, a, domain.StateRecommended, in.Actor, "self_apply", "R4", detail)
	return c.appView(a), c.flush(ctx)
}

func (c *campaign) checkWithdraw(_ workflow.Context, in WithdrawInput) error {
	if err := domain.CanActForCounty(in.Actor, in.County, "withdraw an application"); err != nil {
		return err
	}
	if err := checkText("reason", in.Reason, false); err != nil {
		return err
	}
	a, err := c.app(in.County)
	if err != nil {
		return err
	}
	if a.State.Final() {
		return &domain.RuleError{Code: domain.CodeInvalidState, Message: fmt.Sprintf("the application of %s is already %s", in.County, a.State)}
	}
	return nil
}

// withdraw ends a case at the county's request. A shortlisted county leaves a vacancy a
// reserve may fill (R10); open objections against it become moot.
func (c *campaign) withdraw(ctx workflow.Context, in WithdrawInput) (readmodel.Application, error) {
	a := c.Apps[in.County]
	c.touch(ctx)
	for _, id := range sortedObjectionIDs(c.Objections) {
		if o := c.Objections[id]; o.County == in.County && o.Status == domain.ObjectionOpen {
			o.Status, o.Note, o.Version = domain.ObjectionMoot, "the county withdrew", c.Rev
			c.pending.Objections[id] = true
		}
	}
	a.Open = 0 // the store makes the county's objections moot with this projection
	was := a.State
	c.move(ctx, a, domain.StateWithdrawn, in.Actor, "withdraw", "", in.Reason)
	if c.EndGame {
		switch {
		case c.Phase == domain.PhaseRanked && (was == domain.StateShortlisted || was == domain.StateReserve):
			// R10 as revised: the ranking lost a candidate before the notice; like a late
			// scorecard (R8) it must run again.
			a.Rank, a.Breakdown = 0, nil
			c.unrank(ctx, in.Actor, fmt.Sprintf("%s withdrew after the ranking", in.County))
		case was == domain.StateShortlisted:
			if err := c.shortlistChanged(ctx); err != nil { // its place is vacant (R10)
				return readmodel.Application{}, err
			}
		}
	}
	c.maybeClose(ctx)
	return c.appView(a), c.flush(ctx)
}
