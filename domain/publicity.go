package domain

import "time"

// Objection decisions an administrator may take (R10).
const (
	DecisionUpheld    = "upheld"
	DecisionDismissed = "dismissed"
)

// ObjectionStatus is where an objection stands (R10).
type ObjectionStatus string

// Objection statuses: open until an administrator decides; moot when the county left
// the shortlist on its own (withdrawal) before a decision.
const (
	ObjectionOpen      ObjectionStatus = "open"
	ObjectionUpheld    ObjectionStatus = "upheld"
	ObjectionDismissed ObjectionStatus = "dismissed"
	ObjectionMoot      ObjectionStatus = "moot"
)

// InPublicity reports whether a shortlisted county is inside its publicity period,
// when anyone may object (R10).
func InPublicity(now, endsAt time.Time) bool {
	return !endsAt.IsZero() && !now.After(endsAt)
}

// PublicityOutcome is what the end of a county's publicity makes of it (R10): removed
// when an objection was upheld, designated when none is open, unchanged while one is
// still open (designation waits).
func PublicityOutcome(upheld, open int) (State, bool) {
	switch {
	case upheld > 0:
		return StateRemoved, true
	case open > 0:
		return StateShortlisted, false
	default:
		return StateDesignated, true
	}
}

// CheckDecision refuses decisions other than upheld and dismissed.
func CheckDecision(decision string) error {
	if decision != DecisionUpheld && decision != DecisionDismissed {
		return refuse(CodeBadRequest, "R10", "decision must be %q or %q, got %q", DecisionUpheld, DecisionDismissed, Excerpt(decision))
	}
	return nil
}

// Vacancies counts the places of the quota not held by a county still on track to be
// designated (R10): upheld objections and withdrawals leave vacancies a reserve may fill.
func Vacancies(quota, holding int) int {
	if v := quota - holding; v > 0 {
		return v
	}
	return 0
}
