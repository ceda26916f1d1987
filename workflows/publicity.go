package workflows

import (
	"fmt"
	"sort"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/activities"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

func (c *campaign) checkNotice(_ workflow.Context, in AdminInput) error {
	if err := domain.CanAdminister(in.Actor, "publish the notice"); err != nil {
		return err
	}
	switch c.Phase {
	case domain.PhaseRanked:
		return nil
	case domain.PhasePublicity, domain.PhaseClosed:
		return &domain.RuleError{Code: domain.CodeConflict, Rule: "R9", Message: "the notice is already published"}
	default:
		return &domain.RuleError{Code: domain.CodeConflict, Rule: "R9", Message: fmt.Sprintf("the notice needs a current ranking; the campaign is %s", c.Phase)}
	}
}

// publishNotice publishes the shortlist (公示) and starts its publicity period (R9, R10).
// Publishing clears the overdue flag; a late notice stays marked late.
func (c *campaign) publishNotice(ctx workflow.Context, in AdminInput) (readmodel.Notice, error) {
	c.touch(ctx)
	now := workflow.Now(ctx)
	ends := c.publicityEnds(now)
	// Lateness is judged at the API's receipt (R14): a notice received by the deadline is
	// in time even when the workflow published it a moment after.
	late := !domain.BeforeDeadline(domain.ActTime(now, in.ReceivedAt), c.cfg.NoticeDeadline, c.cfg.TimeRules)
	c.Notice = &readmodel.Notice{Year: c.cfg.Year, Province: c.cfg.Province, PublishedAt: now, PublicityEndsAt: ends, Late: late, Shortlist: []readmodel.NoticeEntry{}}
	for _, e := range c.ranking().Shortlist {
		a := c.Apps[e.County]
		a.Publicity = ends
		c.Notice.Shortlist = append(c.Notice.Shortlist, c.noticeEntry(a))
		c.note(ctx, a, in.Actor, "notice_published", "R9", "shortlisted in the public notice; publicity ends "+ends.In(c.cfg.Location()).Format(time.RFC3339))
	}
	if c.Overdue {
		c.Overdue = false
		why := "notice published after the notice deadline"
		if !late {
			why = "notice received by the notice deadline (R14), published after its timer"
		}
		c.campaignEvent(ctx, in.Actor, "overdue_cleared", string(c.Phase), string(c.Phase), "R9", why)
	}
	c.setPhase(ctx, domain.PhasePublicity, in.Actor, "R9", fmt.Sprintf("notice published with %d counties; publicity ends %s", len(c.Notice.Shortlist), ends.In(c.cfg.Location()).Format(time.RFC3339)))
	if err := c.publish(ctx); err != nil {
		return readmodel.Notice{}, err
	}
	c.startPublicity(ctx, ends)
	return *c.Notice, c.flush(ctx)
}

func (c *campaign) noticeEntry(a *CaseRecord) readmodel.NoticeEntry {
	e := readmodel.NoticeEntry{County: a.Div.Code, Name: a.Div.Name, Prefecture: a.Div.ParentCode, Rank: a.Rank,
		Total: a.Breakdown.Total, Breakdown: *a.Breakdown, PublicityEndsAt: a.Publicity, Promoted: a.Promoted}
	if c.EndGame {
		e.Status = entryStatus(a.State)
	}
	return e
}

// publish hands the notice, with its text, to the activity that makes it public.
func (c *campaign) publish(ctx workflow.Context) error {
	c.Notice.Version = c.Rev
	if c.EndGame { // versions 1, 2, 3 … that GET /notice?version=N reads back (R10)
		c.NoticeVersion++
		c.Notice.Version = c.NoticeVersion
	}
	c.Notice.Text = c.noticeText()
	c.Notice.Province = c.cfg.Province // a notice resumed from a run before provinces had none
	actx := workflow.WithActivityOptions(ctx, activityOptions)
	return workflow.ExecuteActivity(actx, acts.PublishNotice, *c.Notice).Get(ctx, nil)
}

// noticeText renders the 公示 the way the Department publishes it on its site, in the
// wording the campaign's reference data gives (domain.Campaign.NoticeText).
func (c *campaign) noticeText() string {
	lines := make([]domain.NoticeLine, 0, len(c.Notice.Shortlist))
	for _, e := range c.Notice.Shortlist {
		pref := ""
		if p, ok := c.divs.Get(e.Prefecture); ok {
			pref = p.Name
		}
		lines = append(lines, domain.NoticeLine{Rank: e.Rank, Name: e.Name, Prefecture: pref, Total: e.Total,
			Status: e.Status, Promoted: e.Promoted, PublicityEndsAt: e.PublicityEndsAt})
	}
	return c.cfg.NoticeText(c.Notice.PublicityEndsAt, lines)
}

// startPublicity waits, on a durable timer, for the end of a publicity period (R10).
func (c *campaign) startPublicity(ctx workflow.Context, ends time.Time) {
	if c.timers[ends.UnixNano()] { // by instant: decoded times of one instant may differ in zone
		return
	}
	c.timers[ends.UnixNano()] = true
	workflow.Go(ctx, func(ctx workflow.Context) {
		if err := sleepUntil(ctx, ends, domain.DeadlineLabel("publicity ends", ends)); err != nil {
			return
		}
		if err := c.working(ctx, func(ctx workflow.Context) error { return c.onPublicityEnd(ctx, ends) }); err != nil {
			workflow.GetLogger(ctx).Error("publicity end", "error", err)
		}
	})
}

// onPublicityEnd designates the counties whose period ended without an upheld
// objection and removes those with one; designation waits while one is open (R10).
func (c *campaign) onPublicityEnd(ctx workflow.Context, ends time.Time) error {
	c.touch(ctx)
	for _, county := range c.counties() {
		if a := c.Apps[county]; a.State == domain.StateShortlisted && a.Publicity.Equal(ends) && !a.Settled && !c.settling[county] {
			if err := c.settle(ctx, a, domain.System); err != nil {
				return err
			}
		}
	}
	if c.EndGame {
		if err := c.shortlistChanged(ctx); err != nil {
			return err
		}
	}
	c.maybeClose(ctx)
	return c.flush(ctx)
}

// settle decides a shortlisted county whose publicity has ended (R10). The first time,
// a campaign that keeps objections in PostgreSQL counts them there: the store closes
// the county's window in the same transaction, so the count is final but for the
// decisions administrators make afterwards, which pass through this workflow.
func (c *campaign) settle(ctx workflow.Context, a *CaseRecord, actor domain.Actor) error {
	if c.ObjectionsInStore && !a.Settled {
		var n readmodel.ObjectionCount
		actx := workflow.WithActivityOptions(ctx, activityOptions)
		c.settling[a.Div.Code] = true
		err := workflow.ExecuteActivity(actx, acts.CountObjections, activities.CountObjectionsInput{Year: c.cfg.Year, County: a.Div.Code, Ends: a.Publicity}).Get(ctx, &n)
		delete(c.settling, a.Div.Code)
		if err != nil {
			return err
		}
		a.Open, a.Upheld = n.Open, n.Upheld
	}
	a.Settled = true
	upheld, open := c.objectionsOf(a)
	to, decided := domain.PublicityOutcome(upheld, open)
	switch {
	case !decided:
		c.note(ctx, a, actor, "designation_waiting", "R10", fmt.Sprintf("publicity ended; designation waits for %d open objection(s)", open))
	case to == domain.StateRemoved:
		a.Open = 0 // the store makes its other objections moot with this projection
		c.move(ctx, a, to, actor, "removed", "R10", "an objection was upheld")
	default:
		c.move(ctx, a, to, actor, "designated", "R10", "publicity ended without an upheld objection")
	}
	return nil
}

// maybeClose closes the campaign when no county is in publicity and no objection is
// open; the remaining reserve is not selected (R10).
func (c *campaign) maybeClose(ctx workflow.Context) {
	if c.Phase != domain.PhasePublicity {
		return
	}
	if c.EndGame && c.placesUnsettled() {
		return
	}
	for _, a := range c.Apps {
		if a.State == domain.StateShortlisted {
			return
		}
	}
	for _, o := range c.Objections {
		if o.Status == domain.ObjectionOpen {
			return
		}
	}
	for _, county := range c.counties() {
		if a := c.Apps[county]; a.State == domain.StateReserve {
			c.move(ctx, a, domain.StateNotSelected, domain.System, "campaign_closed", "R10", "the campaign closed with the quota settled")
		}
	}
	c.setPhase(ctx, domain.PhaseClosed, domain.System, "R10", fmt.Sprintf("%d counties designated", c.count(domain.StateDesignated)))
	if c.EndGame {
		c.pending.designation = c.designation(ctx)
	}
}

func (c *campaign) count(s domain.State) int {
	n := 0
	for _, a := range c.Apps {
		if a.State == s {
			n++
		}
	}
	return n
}

// objectionsChange names the change that moved public objections out of the workflow
// into PostgreSQL (counted per county when its publicity ends). Runs recorded before it
// keep taking objections as Updates.
const objectionsChange = "objections-in-postgres"

// checkObject guards the Update through which campaigns started before objections
// moved to PostgreSQL took them; a campaign that keeps them in the store refuses it, so
// nothing the public sends reaches its history.
func (c *campaign) checkObject(ctx workflow.Context, in ObjectInput) error {
	if c.ObjectionsInStore {
		return &domain.RuleError{Code: domain.CodeConflict, Rule: "R10", Message: "this campaign takes objections through the public API only"}
	}
	if err := checkText("reason", in.Reason, true); err != nil {
		return err
	}
	if err := checkText("contact", in.Contact, false); err != nil {
		return err
	}
	a, err := c.app(in.County)
	if err != nil {
		return err
	}
	if a.State != domain.StateShortlisted || !domain.InPublicity(workflow.Now(ctx), a.Publicity) {
		return &domain.RuleError{Code: domain.CodeInvalidState, Rule: "R10", Message: fmt.Sprintf("objections are accepted only while a shortlisted county is in publicity; %s is %s", in.County, a.State)}
	}
	return nil
}

// object files an objection from the public against a county in publicity (R10), in
// campaigns started before objections moved to PostgreSQL.
func (c *campaign) object(ctx workflow.Context, in ObjectInput) (ObjectResult, error) {
	a := c.Apps[in.County]
	c.touch(ctx)
	c.ObjSeq++
	id := fmt.Sprintf("%d-%s-%d", c.cfg.Year, in.County, c.ObjSeq)
	c.Objections[id] = &readmodel.Objection{ID: id, Year: c.cfg.Year, County: in.County, Reason: in.Reason, Contact: in.Contact,
		Status: domain.ObjectionOpen, FiledAt: workflow.Now(ctx), Version: c.Rev}
	c.pending.Objections[id] = true
	c.note(ctx, a, domain.Public, "objection_filed", "R10", fmt.Sprintf("objection %s: %s", id, in.Reason))
	return ObjectResult{ID: id}, c.flush(ctx)
}

func (c *campaign) checkResolve(_ workflow.Context, in ResolveInput) error {
	if err := domain.CanAdminister(in.Actor, "resolve objections"); err != nil {
		return err
	}
	if err := domain.CheckDecision(in.Decision); err != nil {
		return err
	}
	if err := checkText("note", in.Note, false); err != nil {
		return err
	}
	if o, ok := c.Objections[in.ID]; ok {
		if o.Status != domain.ObjectionOpen {
			return &domain.RuleError{Code: domain.CodeConflict, Rule: "R10", Message: fmt.Sprintf("objection %s is already %s", in.ID, o.Status)}
		}
		return nil
	}
	if !c.ObjectionsInStore {
		return &domain.RuleError{Code: domain.CodeNotFound, Message: fmt.Sprintf("objection %s does not exist", in.ID)}
	}
	a, err := c.app(in.County)
	if err != nil {
		return err
	}
	if a.State != domain.StateShortlisted {
		// Withdrawn or removed: the store made its open objections moot (R10).
		return &domain.RuleError{Code: domain.CodeConflict, Rule: "R10", Message: fmt.Sprintf("objection %s is moot: %s is %s", in.ID, in.County, a.State)}
	}
	return nil
}

// resolve records an administrator's decision (R10). When the county's publicity has
// already ended, the decision settles it at once.
func (c *campaign) resolve(ctx workflow.Context, in ResolveInput) (readmodel.Objection, error) {
	if o, ok := c.Objections[in.ID]; ok {
		return c.resolveRecorded(ctx, o, in)
	}
	a := c.Apps[in.County]
	// A decision waits for a count in flight, so the count cannot miss it.
	if err := workflow.Await(ctx, func() bool { return !c.settling[in.County] }); err != nil {
		return readmodel.Objection{}, err
	}
	c.touch(ctx)
	var o readmodel.Objection
	actx := workflow.WithActivityOptions(ctx, activityOptions)
	if err := workflow.ExecuteActivity(actx, acts.ResolveObjection, readmodel.ObjectionDecision{
		Year: c.cfg.Year, ID: in.ID, County: in.County, Decision: in.Decision, Note: in.Note,
		ResolvedBy: in.Actor.String(), At: workflow.Now(ctx), Version: c.Rev,
	}).Get(ctx, &o); err != nil {
		if re, ok := RuleErrorOf(err); ok {
			return readmodel.Objection{}, re // the store's refusal, as the API's error body
		}
		return readmodel.Objection{}, err
	}
	if in.Decision == domain.DecisionUpheld {
		a.Upheld++
	}
	if a.Settled && a.Open > 0 {
		a.Open-- // counted when the period ended: no objection can have been filed since
	}
	c.noteDecision(ctx, a, in)
	switch {
	case c.EndGame && in.Decision == domain.DecisionUpheld:
		if err := c.removeNow(ctx, a, in.Actor, in.ID); err != nil {
			return readmodel.Objection{}, err
		}
	case a.State == domain.StateShortlisted && a.Settled:
		if err := c.settle(ctx, a, in.Actor); err != nil {
			return readmodel.Objection{}, err
		}
		if c.EndGame {
			if err := c.shortlistChanged(ctx); err != nil {
				return readmodel.Objection{}, err
			}
		}
	}
	c.maybeClose(ctx)
	return o, c.flush(ctx)
}

// resolveRecorded decides an objection the workflow itself took in (campaigns started
// before objections moved to PostgreSQL).
func (c *campaign) resolveRecorded(ctx workflow.Context, o *readmodel.Objection, in ResolveInput) (readmodel.Objection, error) {
	a := c.Apps[o.County]
	c.touch(ctx)
	now := workflow.Now(ctx)
	o.Status, o.Note, o.ResolvedBy, o.ResolvedAt, o.Version = domain.ObjectionStatus(in.Decision), in.Note, in.Actor.String(), &now, c.Rev
	c.pending.Objections[o.ID] = true
	in.ID = o.ID
	c.noteDecision(ctx, a, in)
	if a.State == domain.StateShortlisted && !domain.InPublicity(now, a.Publicity) {
		if err := c.settle(ctx, a, in.Actor); err != nil {
			return readmodel.Objection{}, err
		}
	}
	c.maybeClose(ctx)
	return *o, c.flush(ctx)
}

func (c *campaign) noteDecision(ctx workflow.Context, a *CaseRecord, in ResolveInput) {
	detail := fmt.Sprintf("objection %s %s", in.ID, in.Decision)
	if in.Note != "" {
		detail += ": " + in.Note
	}
	c.note(ctx, a, in.Actor, "objection_"+in.Decision, "R10", detail)
}

// holding counts the counties still on track for designation: shortlisted without an
// upheld objection, or designated.
func (c *campaign) holding() int {
	n := 0
	for _, county := range c.counties() {
		a := c.Apps[county]
		upheld, _ := c.objectionsOf(a)
		if a.State == domain.StateDesignated || (a.State == domain.StateShortlisted && upheld == 0) {
			n++
		}
	}
	return n
}

// bestReserve is the reserve candidate with the best rank.
func (c *campaign) bestReserve() *CaseRecord {
	var best *CaseRecord
	for _, county := range c.counties() {
		a := c.Apps[county]
		if a.State == domain.StateReserve && (best == nil || a.Rank < best.Rank) {
			best = a
		}
	}
	return best
}

func (c *campaign) checkPromote(_ workflow.Context, in AdminInput) error {
	if err := domain.CanAdminister(in.Actor, "promote a reserve candidate"); err != nil {
		return err
	}
	if c.Phase != domain.PhasePublicity {
		return &domain.RuleError{Code: domain.CodeConflict, Rule: "R10", Message: fmt.Sprintf("promotion happens only during publicity; the campaign is %s", c.Phase)}
	}
	if c.vacancies() == 0 {
		return &domain.RuleError{Code: domain.CodeInvalidState, Rule: "R10", Message: "no vacancy: every place of the quota is held or was declined"}
	}
	if c.bestReserve() == nil {
		return &domain.RuleError{Code: domain.CodeInvalidState, Rule: "R10", Message: "the reserve list is empty"}
	}
	return nil
}

// promote moves the best reserve into a vacancy with its own publicity period (R10).
func (c *campaign) promote(ctx workflow.Context, in AdminInput) (readmodel.Application, error) {
	a := c.bestReserve()
	c.touch(ctx)
	ends := c.publicityEnds(workflow.Now(ctx))
	a.Publicity, a.Promoted = ends, true
	c.move(ctx, a, domain.StateShortlisted, in.Actor, "promoted", "R10",
		fmt.Sprintf("promoted from the reserve (rank %d) into a vacancy; publicity ends %s", a.Rank, ends.In(c.cfg.Location()).Format(time.RFC3339)))
	c.Notice.Shortlist = append(c.Notice.Shortlist, c.noticeEntry(a))
	if err := c.publish(ctx); err != nil {
		return readmodel.Application{}, err
	}
	c.startPublicity(ctx, ends)
	return c.appView(a), c.flush(ctx)
}

// objectionsOf counts a county's upheld and open objections (R10): from the counts
// the store gave, or from the objections a campaign of the old kind took in itself.
func (c *campaign) objectionsOf(a *CaseRecord) (upheld, open int) {
	if c.ObjectionsInStore {
		return a.Upheld, a.Open
	}
	for _, o := range c.Objections {
		if o.County != a.Div.Code {
			continue
		}
		switch o.Status {
		case domain.ObjectionUpheld:
			upheld++
		case domain.ObjectionOpen:
			open++
		}
	}
	return upheld, open
}

// sortedObjectionIDs orders objections by filing time, the deterministic order of sweeps.
func sortedObjectionIDs(m map[string]*readmodel.Objection) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		return m[ids[i]].FiledAt.Before(m[ids[j]].FiledAt) || (m[ids[i]].FiledAt.Equal(m[ids[j]].FiledAt) && ids[i] < ids[j])
	})
	return ids
}
