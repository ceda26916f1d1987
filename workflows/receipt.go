package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/domain"
)

// An act that a deadline judges carries the API's receipt time (R14). Judged at that
// time, it may be in time although the recommendation deadline's timer already fired
// and swept the cases: the API received it at 23:59:59 and a busy worker took it up a
// second after midnight. Such an act reopens what the sweep changed for the cases it
// concerns, is checked and applied as it would have been before the deadline, and the
// deadline is then applied again to those cases. Everything happens in the act's own
// Update, so no other reader sees the reopened state.

// timeRulesChange names R14's reading of deadlines (domain.BeforeDeadline): an act at
// 23:59:59.5 is in time for a deadline of 23:59:59. Runs recorded before it refused it.
const timeRulesChange = "r14-time-rules"

// timedAct is an Update input whose lateness counts at its receipt.
type timedAct interface {
	receivedAt() time.Time
	actor() domain.Actor
	// reopens names the cases and the prefecture the act may change.
	reopens(c *campaign) (counties []string, prefecture string)
}

func (in RegisterInput) receivedAt() time.Time { return in.ReceivedAt }
func (in RegisterInput) actor() domain.Actor   { return in.Actor }
func (in RegisterInput) reopens(*campaign) ([]string, string) {
	return []string{in.County}, ""
}
func (in MaterialsInput) receivedAt() time.Time { return in.ReceivedAt }
func (in MaterialsInput) actor() domain.Actor   { return in.Actor }
func (in MaterialsInput) reopens(*campaign) ([]string, string) {
	return []string{in.County}, ""
}
func (in SubmitInput) receivedAt() time.Time { return in.ReceivedAt }
func (in SubmitInput) actor() domain.Actor   { return in.Actor }
func (in SubmitInput) reopens(*campaign) ([]string, string) {
	return []string{in.County}, ""
}
func (in SelfApplyInput) receivedAt() time.Time { return in.ReceivedAt }
func (in SelfApplyInput) actor() domain.Actor   { return in.Actor }
func (in SelfApplyInput) reopens(*campaign) ([]string, string) {
	return []string{in.County}, ""
}
func (in RecommendInput) receivedAt() time.Time { return in.ReceivedAt }
func (in RecommendInput) actor() domain.Actor   { return in.Actor }

// reopens for a filing is every case of the prefecture: a filing replaces the earlier
// list, so any of them may change.
func (in RecommendInput) reopens(c *campaign) ([]string, string) {
	var counties []string
	for _, county := range c.counties() {
		if d := c.Apps[county].Div; d.ParentCode == in.Prefecture && !d.DirectlyAdministered {
			counties = append(counties, county)
		}
	}
	return counties, in.Prefecture
}

// validateOnly marks a filing that only previews: it reopens nothing for good.
func (in RecommendInput) validateOnly() bool { return in.ValidateOnly }

// beginLate reopens what an act received in time needs when the recommendation
// deadline's sweep already ran; late reports that it did. An act received in time that
// reaches the campaign after the ranking began is refused.
func (c *campaign) beginLate(ctx workflow.Context, in any) (r reopened, at time.Time, late bool, err error) {
	t, ok := in.(timedAct)
	if !ok {
		return r, at, false, nil
	}
	at = c.actTime(ctx, t.receivedAt())
	if c.Phase == domain.PhaseOpen || !c.sweptBefore(at) {
		return r, at, false, nil
	}
	if c.Phase != domain.PhaseReviewing || c.Released {
		return r, at, false, c.lateRefusal(at)
	}
	counties, prefecture := t.reopens(c)
	return c.reopen(counties, prefecture), at, true, nil
}

// actTime is when an act counts as made: its receipt, trusted within
// domain.ReceiptWindow of the workflow's clock (R14).
func (c *campaign) actTime(ctx workflow.Context, received time.Time) time.Time {
	return domain.ActTime(workflow.Now(ctx), received)
}

// sweptBefore reports whether an act made at at is in time although the recommendation
// deadline's sweep already ran.
func (c *campaign) sweptBefore(at time.Time) bool {
	return c.Swept != nil && domain.BeforeDeadline(at, c.cfg.RecommendationDeadline, c.cfg.TimeRules)
}

// reopened is what a reopening changed, to undo it when the act is refused.
type reopened struct {
	cases       map[string]domain.State // county → the state the sweep had given it
	prefecture  string
	wasGaveUp   bool
	newCounties []string // counties without a case, which the act may register
}

// reopen gives the named cases and the prefecture the states they had before the
// deadline swept them, without recording anything.
func (c *campaign) reopen(counties []string, prefecture string) reopened {
	r := reopened{cases: map[string]domain.State{}, prefecture: prefecture}
	for _, county := range counties {
		a, ok := c.Apps[county]
		if !ok {
			r.newCounties = append(r.newCounties, county)
			continue
		}
		before, swept := c.Swept.Cases[county]
		if to, _ := domain.AtDeadline(before); swept && a.State == to {
			r.cases[county] = a.State
			a.State = before
		}
	}
	if p, ok := c.Prefectures[prefecture]; ok && c.Swept.GaveUp[prefecture] && p.Status == domain.PrefectureGaveUp {
		r.wasGaveUp = true
		p.Status = domain.PrefectureOpen
	}
	return r
}

// undo puts back what reopen changed.
func (c *campaign) undo(r reopened) {
	for county, s := range r.cases {
		c.Apps[county].State = s
	}
	if r.wasGaveUp {
		c.Prefectures[r.prefecture].Status = domain.PrefectureGaveUp
	}
}

// commitReopen records the reopening on the timelines and marks the cases and the
// prefecture for the deadline to be applied again at the next flush.
func (c *campaign) commitReopen(ctx workflow.Context, r reopened, actor domain.Actor, at time.Time) {
	detail := fmt.Sprintf("received at %s, in time for the recommendation deadline, and processed after it: the deadline is applied again after this act (R14)",
		at.In(c.cfg.Location()).Format(time.RFC3339Nano))
	for _, county := range domain.SortedCodes(r.cases) {
		a := c.Apps[county]
		c.record(ctx, a, actor, "reopened_for_receipt", string(r.cases[county]), string(a.State), "R14", detail)
		c.resweep.cases = append(c.resweep.cases, county)
	}
	c.resweep.cases = append(c.resweep.cases, r.newCounties...)
	if r.wasGaveUp {
		p := c.Prefectures[r.prefecture]
		c.campaignEvent(ctx, actor, "prefecture_reopened_for_receipt", string(domain.PrefectureGaveUp), string(p.Status), "R14",
			fmt.Sprintf("%s %s: a filing %s", p.Code, p.Name, detail))
		c.resweep.prefectures = append(c.resweep.prefectures, r.prefecture)
	}
}

// resweep lists what the next flush applies the recommendation deadline to again.
type resweep struct {
	cases       []string
	prefectures []string
}

// sweepAgain applies the recommendation deadline to what an act received in time
// reopened, before its effect is written.
func (c *campaign) sweepAgain(ctx workflow.Context) {
	const again = "; applied again after an act received in time (R14)"
	for _, county := range c.resweep.cases {
		if a, ok := c.Apps[county]; ok {
			c.sweepCase(ctx, a, again)
		}
	}
	for _, code := range c.resweep.prefectures {
		c.sweepPrefecture(ctx, c.Prefectures[code], again)
	}
	c.resweep = resweep{}
}

// lateRefusal refuses an act received in time whose reopening would come too late: the
// ranking has begun, so the review it would join is over (R14).
func (c *campaign) lateRefusal(at time.Time) error {
	return &domain.RuleError{Code: domain.CodeDeadlinePassed, Rule: "R14", Message: fmt.Sprintf(
		"the act was received at %s, in time, but reached the campaign after the ranking began; it can no longer count",
		at.In(c.cfg.Location()).Format(time.RFC3339Nano))}
}
