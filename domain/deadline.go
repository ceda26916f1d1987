package domain

import "time"

// BeforeDeadline reports whether an act at now is still in time (R5). The deadline is
// inclusive: "by 1 August" ends at 23:59:59 of that day, the configured instant itself.
func BeforeDeadline(now, deadline time.Time) bool { return !now.After(deadline) }

// CheckInTime refuses a filing after the recommendation deadline (R5).
func CheckInTime(now time.Time, c Campaign, what string) error {
	if BeforeDeadline(now, c.RecommendationDeadline) {
		return nil
	}
	return refuse(CodeDeadlinePassed, "R5", "%s is refused: the recommendation deadline %s has passed",
		what, c.RecommendationDeadline.In(Shanghai).Format(time.RFC3339))
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

// NoticeOverdue reports whether the notice deadline passed without a notice (R9).
func NoticeOverdue(now, noticeDeadline time.Time, published bool) bool {
	return !published && now.After(noticeDeadline)
}
