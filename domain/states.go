package domain

// State is an application's place in the state machine of DESIGN.md §3.
type State string

// Application states. The last six are final.
const (
	StateRegistered  State = "registered"
	StateSubmitted   State = "submitted"
	StateRecommended State = "recommended"
	StateUnderReview State = "under_review"
	StateShortlisted State = "shortlisted"
	StateReserve     State = "reserve"
	StateDesignated  State = "designated"
	StateNotSelected State = "not_selected"
	StateExpired     State = "expired"
	StateForfeited   State = "forfeited"
	StateWithdrawn   State = "withdrawn"
	StateRemoved     State = "removed"
	// StateIneligible ends a case whose county a correction put on the exclusion list (R13).
	StateIneligible State = "ineligible"
)

// States lists every application state in lifecycle order, for counts and filters.
var States = []State{StateRegistered, StateSubmitted, StateRecommended, StateUnderReview, StateShortlisted, StateReserve,
	StateDesignated, StateNotSelected, StateExpired, StateForfeited, StateWithdrawn, StateRemoved, StateIneligible}

// Final reports whether no transition leaves the state.
func (s State) Final() bool {
	switch s {
	case StateDesignated, StateNotSelected, StateExpired, StateForfeited, StateWithdrawn, StateRemoved, StateIneligible:
		return true
	}
	return false
}

// Valid reports whether s is one of the states of §3.
func (s State) Valid() bool {
	for _, v := range States {
		if v == s {
			return true
		}
	}
	return false
}

// InReview reports whether the application is a candidate of the review (R7, R8).
func (s State) InReview() bool {
	return s == StateUnderReview || s == StateShortlisted || s == StateReserve
}

// Phase is the campaign's place in its state machine (DESIGN.md §3).
type Phase string

// Campaign phases.
const (
	PhaseOpen      Phase = "open"
	PhaseReviewing Phase = "reviewing"
	PhaseRanked    Phase = "ranked"
	PhasePublicity Phase = "publicity"
	PhaseClosed    Phase = "closed"
)

// PrefectureStatus is what a prefecture did with its quota (R3, R5).
type PrefectureStatus string

// Prefecture statuses of API.md.
const (
	PrefectureOpen      PrefectureStatus = "open"
	PrefectureFiled     PrefectureStatus = "filed"
	PrefectureForfeited PrefectureStatus = "forfeited"
	PrefectureGaveUp    PrefectureStatus = "gave_up"
)
