package domain

import (
	"fmt"
	"time"
)

// BeforeDeadline reports whether an act at now is still in time (R5). The deadline is
// inclusive: "by 1 August" ends at 23:59:59 of that day, the configured instant itself.
// With wholeSeconds (R14) a deadline of whole seconds covers that whole second, so an
// act at 23:59:59.5 is in time for 23:59:59: people and configurations write deadlines
// to the second, clocks stamp acts to the millisecond.
func BeforeDeadline(now, deadline time.Time, wholeSeconds bool) bool {
	if wholeSeconds && deadline.Nanosecond() == 0 {
		return now.Before(deadline.Add(time.Second))
	}
	return !now.After(deadline)
}

// CheckInTime refuses a filing after the recommendation deadline (R5), read by R14's
// rule when the campaign runs with it (Campaign.TimeRules).
func CheckInTime(now time.Time, c Campaign, what string) error {
	if BeforeDeadline(now, c.RecommendationDeadline, c.TimeRules) {
		return nil
	}
	return refuse(CodeDeadlinePassed, "R5", "%s is refused: the recommendation deadline %s has passed",
		what, c.RecommendationDeadline.In(c.Location()).Format(time.RFC3339))
}

// dateLayout is how a deadline names a whole day (R14): "2016-08-01".
const dateLayout = "2006-01-02"

// ParseDeadline reads a deadline as R14 allows it: a date, the whole day in loc, or an
// RFC 3339 instant. A date becomes 23:59:59 of that day, which R14's whole-second
// reading (BeforeDeadline) keeps in time through the last instant of the day, and whose
// timer (deadline + 1s) fires at midnight. An empty string is no deadline (zero).
func ParseDeadline(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseInLocation(dateLayout, s, loc); err == nil {
		return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, loc), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q must be a date (2016-08-01) or an RFC 3339 instant (2016-08-01T23:59:59+08:00)", Excerpt(s))
	}
	return t, nil
}

// AtDeadline is what the recommendation deadline does to an application (R5): the
// recommended (or self-applied) go to review, every other open one expires.
func AtDeadline(s State) (State, bool) {
	switch s {
	case StateRecommended:
		return StateUnderReview, true
	case StateRegistered, StateSubmitted:
		return StateExpired, true
	}
	return s, false
}

// NoticeOverdue reports whether the notice deadline passed without a notice (R9), the
// deadline read as BeforeDeadline reads it.
func NoticeOverdue(now, noticeDeadline time.Time, published, wholeSeconds bool) bool {
	return !published && !BeforeDeadline(now, noticeDeadline, wholeSeconds)
}

// ReceiptWindow bounds how far before its own clock a workflow believes the receipt time
// the API stamped on an act (R14): a filing that waited this long behind a busy worker
// or a restart is still judged at its receipt; an older stamp, or one from the future,
// is ignored and the act is judged when it is processed. A client never sets the stamp
// (the API does, from its own clock), so the window limits what a wrong API clock or a
// direct Temporal client could backdate.
const ReceiptWindow = 2 * time.Minute

// ActTime is the moment an act counts as made (R14): the API's receipt when it lies
// within ReceiptWindow before now, otherwise now.
func ActTime(now, received time.Time) time.Time {
	if received.IsZero() || received.After(now) || now.Sub(received) > ReceiptWindow {
		return now
	}
	return received
}
