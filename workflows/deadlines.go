package workflows

// Deadlines of the campaign and their durable timers: the recommendation deadline (R5)
// and the notice deadline (R9), and the restart of publicity timers after continue-as-new.

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// resumePublicity starts again the timers of the publicity periods a previous run was
// waiting for (R10).
func (c *campaign) resumePublicity(ctx workflow.Context) {
	for _, county := range c.counties() {
		a := c.Apps[county]
		// A county ranked but not yet in a published notice has no period yet.
		if a.State == domain.StateShortlisted && !a.Publicity.IsZero() && !a.Settled {
			c.startPublicity(ctx, a.Publicity)
		}
	}
}

// graceAfterDeadline is how long after a deadline its timer fires. A deadline instant is
// itself still in time (domain.BeforeDeadline), so the timer waits for the next second.
const graceAfterDeadline = time.Second

// deadlines waits for the two dates of §一(四) as durable timers: nobody needs to be
// online when they fall due (R5, R9). A correction may move a deadline that has not
// passed (R13); the wait then starts again for the new instant.
func (c *campaign) deadlines(ctx workflow.Context) error {
	if c.Phase == domain.PhaseOpen {
		if err := c.awaitDeadline(ctx, "recommendation deadline", func() time.Time { return c.cfg.RecommendationDeadline }); err != nil {
			return err
		}
		if err := c.working(ctx, c.onRecommendationDeadline); err != nil {
			return err
		}
	}
	if c.NoticeDeadlineDone {
		return nil
	}
	if err := c.awaitDeadline(ctx, "notice deadline", func() time.Time { return c.cfg.NoticeDeadline }); err != nil {
		return err
	}
	return c.working(ctx, c.onNoticeDeadline)
}

// awaitDeadline blocks until the deadline that current returns has passed, on a durable
// timer labelled for the Web UI. When an amendment moves the deadline the timer is
// cancelled and a new one, with the new label, starts (R13). Until then it issues the
// same single timer as before corrections existed, so recorded histories replay.
func (c *campaign) awaitDeadline(ctx workflow.Context, what string, current func() time.Time) error {
	for {
		at := current()
		d := at.Add(graceAfterDeadline).Sub(workflow.Now(ctx))
		if d <= 0 {
			return nil
		}
		opts := workflow.AwaitOptions{Timeout: d, TimerOptions: workflow.TimerOptions{Summary: c.deadlineSummary(what, at)}}
		if _, err := workflow.AwaitWithOptions(ctx, opts, func() bool { return !current().Equal(at) }); err != nil {
			return err
		}
	}
}

// sleepUntil blocks until t on a durable timer labelled for the Web UI; a time already
// past returns at once, which is how a restarted campaign catches up.
func sleepUntil(ctx workflow.Context, t time.Time, summary string) error {
	d := t.Sub(workflow.Now(ctx))
	if d <= 0 {
		return nil
	}
	return workflow.NewTimerWithOptions(ctx, d, workflow.TimerOptions{Summary: summary}).Get(ctx, nil)
}

// deadlineSummary names a deadline timer: the day the notice names, and the instant in
// the campaign's zone, which is what a compressed demo's deadline differs in.
func (c *campaign) deadlineSummary(what string, at time.Time) string {
	return fmt.Sprintf("%s (%s)", domain.DeadlineLabel(what, at), at.In(c.cfg.Location()).Format(time.RFC3339))
}

// working runs timer-driven work that a run must finish before it continues as new.
func (c *campaign) working(ctx workflow.Context, fn func(workflow.Context) error) error {
	c.busy++
	defer func() { c.busy-- }()
	return fn(ctx)
}

// onRecommendationDeadline applies R5: the recommended go to review, everything else
// expires, and a prefecture that filed nothing has given up. It records what it changed
// (Sweep), so an act received in time and processed after it still counts (R14).
func (c *campaign) onRecommendationDeadline(ctx workflow.Context) error {
	c.touch(ctx)
	c.Swept = &Sweep{Cases: map[string]domain.State{}, GaveUp: map[string]bool{}}
	for _, county := range c.counties() {
		c.sweepCase(ctx, c.Apps[county], "")
	}
	for _, code := range domain.SortedCodes(c.Prefectures) {
		c.sweepPrefecture(ctx, c.Prefectures[code], "")
	}
	c.setPhase(ctx, domain.PhaseReviewing, domain.System, "R5", "recommendation deadline passed; review opens")
	return c.flush(ctx)
}

// sweepCase applies the recommendation deadline to one case (R5).
func (c *campaign) sweepCase(ctx workflow.Context, a *CaseRecord, again string) {
	to, ok := domain.AtDeadline(a.State)
	if !ok {
		return
	}
	c.Swept.Cases[a.Div.Code] = a.State
	detail := "recommended in time: goes to review"
	if to == domain.StateExpired {
		detail = "not recommended by the deadline: deemed to have given up (视为自动放弃)"
	}
	c.move(ctx, a, to, domain.System, "deadline", "R5", detail+again)
}

// sweepPrefecture declares a prefecture that filed nothing by the deadline to have
// given up (R5).
func (c *campaign) sweepPrefecture(ctx workflow.Context, p *readmodel.Prefecture, again string) {
	if p.Status != domain.PrefectureOpen {
		return
	}
	c.Swept.GaveUp[p.Code] = true
	p.Status = domain.PrefectureGaveUp
	c.campaignEvent(ctx, domain.System, "prefecture_gave_up", string(domain.PrefectureOpen), string(domain.PrefectureGaveUp), "R5",
		fmt.Sprintf("%s %s filed no recommendation by the deadline%s", p.Code, p.Name, again))
}

// onNoticeDeadline applies R9: without a published notice the campaign is overdue.
func (c *campaign) onNoticeDeadline(ctx workflow.Context) error {
	c.NoticeDeadlineDone = true
	c.release(ctx)
	if !domain.NoticeOverdue(workflow.Now(ctx), c.cfg.NoticeDeadline, c.Notice != nil, c.cfg.TimeRules) {
		return nil
	}
	c.touch(ctx)
	c.Overdue = true
	c.campaignEvent(ctx, domain.System, "overdue", string(c.Phase), string(c.Phase), "R9",
		"no notice published by "+domain.DeadlineLabel("the notice deadline", c.cfg.NoticeDeadline))
	return c.flush(ctx)
}
