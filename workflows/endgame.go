package workflows

import (
	"fmt"
	"sort"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// endGameChange names the change to R10 as revised: an upheld objection removes its
// county at once, a withdrawal between the ranking and the notice makes the ranking
// stale, a vacancy may be declined, every shortlist change publishes a new notice
// version, and the campaign closes only when every place is settled. Campaigns started
// before it keep the old end game.
const endGameChange = "end-game-r10"

// vacancies counts the places of the quota nobody holds and nobody declined (R10).
func (c *campaign) vacancies() int {
	return max(domain.Vacancies(c.cfg.Quota, c.holding())-c.Declined, 0)
}

// placesUnsettled reports why the campaign cannot close yet under R10 as revised: a
// county still in (or waiting after) its publicity, or a vacancy a reserve could fill.
func (c *campaign) placesUnsettled() bool {
	for _, a := range c.Apps {
		if a.State == domain.StateShortlisted {
			return true
		}
	}
	return c.vacancies() > 0 && c.bestReserve() != nil
}

// removeNow takes a county out of the shortlist when an objection against it is upheld
// (R10 as revised): at once, not at the end of its period. The store makes its other
// open objections moot with this projection; the notice gets a new version.
func (c *campaign) removeNow(ctx workflow.Context, a *CaseRecord, actor domain.Actor, objection string) error {
	a.Open = 0
	c.move(ctx, a, domain.StateRemoved, actor, "removed", "R10", fmt.Sprintf("objection %s was upheld: removed from the shortlist; its place is vacant", objection))
	return c.shortlistChanged(ctx)
}

// shortlistChanged publishes a new version of the notice when an entry's status changed
// (a county removed, withdrawn or designated, R10); entries keep their place. A
// promotion publishes its own version as it adds its entry.
func (c *campaign) shortlistChanged(ctx workflow.Context) error {
	if c.Notice == nil {
		return nil
	}
	changed := false
	for i, e := range c.Notice.Shortlist {
		now := c.noticeEntry(c.Apps[e.County])
		changed = changed || now.Status != e.Status
		c.Notice.Shortlist[i] = now
	}
	if !changed {
		return nil
	}
	return c.publish(ctx)
}

// entryStatus is a notice entry's status: where the county stands on the shortlist.
func entryStatus(s domain.State) string {
	switch s {
	case domain.StateDesignated:
		return "designated"
	case domain.StateRemoved:
		return "removed"
	case domain.StateWithdrawn:
		return "withdrawn"
	default:
		return "shortlisted"
	}
}

func (c *campaign) checkDecline(_ workflow.Context, in DeclineInput) error {
	if err := domain.CanAdminister(in.Actor, "decline to fill a vacancy"); err != nil {
		return err
	}
	if err := checkText("reason", in.Reason, true); err != nil {
		return err
	}
	if !c.EndGame {
		return &domain.RuleError{Code: domain.CodeConflict, Rule: "R10", Message: "this campaign was started before vacancies could be declined"}
	}
	if c.Phase != domain.PhasePublicity {
		return &domain.RuleError{Code: domain.CodeInvalidState, Rule: "R10", Message: fmt.Sprintf("vacancies arise only during publicity; the campaign is %s", c.Phase)}
	}
	if c.vacancies() == 0 {
		return &domain.RuleError{Code: domain.CodeInvalidState, Rule: "R10", Message: "no vacancy: every place of the quota is held or was declined"}
	}
	return nil
}

// declineVacancies leaves the open vacancies unfilled, with the administrator's reason
// on the campaign's timeline (R10, R11); the campaign may then close.
func (c *campaign) declineVacancies(ctx workflow.Context, in DeclineInput) (readmodel.CampaignView, error) {
	c.touch(ctx)
	n := c.vacancies()
	c.Declined += n
	c.campaignEvent(ctx, in.Actor, "vacancies_declined", string(c.Phase), string(c.Phase), "R10",
		fmt.Sprintf("%d vacant place(s) left unfilled: %s", n, strings.TrimSpace(in.Reason)))
	c.maybeClose(ctx)
	return c.view(), c.flush(ctx)
}

// designation is the final list of a closed campaign: the designated counties by rank,
// then those not selected (R10).
func (c *campaign) designation(ctx workflow.Context) *readmodel.Designation {
	d := &readmodel.Designation{Year: c.cfg.Year, Province: c.cfg.Province, ClosedAt: workflow.Now(ctx), Designated: []readmodel.DesignationEntry{}, NotSelected: []readmodel.DesignationEntry{}}
	var designated, notSelected []*CaseRecord
	for _, county := range c.counties() {
		switch a := c.Apps[county]; a.State {
		case domain.StateDesignated:
			designated = append(designated, a)
		case domain.StateNotSelected:
			notSelected = append(notSelected, a)
		}
	}
	entry := func(a *CaseRecord) readmodel.DesignationEntry {
		return readmodel.DesignationEntry{County: a.Div.Code, Name: a.Div.Name, Prefecture: a.Div.ParentCode, Rank: a.Rank, Promoted: a.Promoted}
	}
	byRank := func(list []*CaseRecord) []readmodel.DesignationEntry {
		sort.Slice(list, func(i, j int) bool { return list[i].Rank < list[j].Rank })
		out := []readmodel.DesignationEntry{}
		for _, a := range list {
			out = append(out, entry(a))
		}
		return out
	}
	d.Designated, d.NotSelected = byRank(designated), byRank(notSelected)
	return d
}
