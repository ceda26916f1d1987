package domain

import (
	"strings"
	"time"
)

// Filing is a prefecture's formal recommendation list, ordered: the first county is
// its first pick (R3).
type Filing struct {
	Prefecture  string
	Counties    []string
	DocumentRef string
}

// FilingDecision is what a valid filing does: either it records the ordered list, or —
// when longer than the cap — the prefecture forfeits (R3).
type FilingDecision struct {
	Forfeits bool
}

// CheckFiling applies R3 and R4 to a filing. states gives the current state of each
// county's application (absent when the county never registered). It checks, in order:
// the deadline (R5), forfeiture being final (R3), the list's shape and jurisdiction
// (R3, R4), then the cap: a formal list over the cap forfeits, a validate-only one is
// refused with over_cap; finally that every listed county has a submitted application.
func CheckFiling(now time.Time, c Campaign, d *Divisions, status PrefectureStatus, f Filing, states map[string]State, validateOnly bool) (FilingDecision, error) {
	if err := CheckInTime(now, c, "a recommendation filing"); err != nil {
		return FilingDecision{}, err
	}
	if status == PrefectureForfeited {
		return FilingDecision{}, refuse(CodeInvalidState, "R3", "prefecture %s has forfeited: it filed more than %d counties, and forfeiture is final", f.Prefecture, c.PrefectureCap)
	}
	if pref, ok := d.Get(f.Prefecture); !ok || pref.Level != LevelPrefecture || pref.ParentCode != c.Province {
		return FilingDecision{}, refuse(CodeNotFound, "R3", "%s is not a prefecture of province %s", f.Prefecture, c.Province)
	}
	if len(f.Counties) == 0 {
		return FilingDecision{}, refuse(CodeBadRequest, "R3", "counties must list at least one county, in order of preference")
	}
	seen := map[string]bool{}
	for _, county := range f.Counties {
		if seen[county] {
			return FilingDecision{}, refuse(CodeBadRequest, "R3", "county %s is listed twice", county)
		}
		seen[county] = true
		div, ok := d.Get(county)
		if !ok || div.Level != LevelCounty || div.ParentCode != f.Prefecture {
			return FilingDecision{}, refuse(CodeIneligible, "R3", "%s is not a county of prefecture %s", Excerpt(county), f.Prefecture)
		}
		if div.DirectlyAdministered {
			return FilingDecision{}, refuse(CodeIneligible, "R4", "%s %s is directly administered by the province: it applies on its own and no prefecture may recommend it", county, div.Name)
		}
	}
	if len(f.Counties) > c.PrefectureCap {
		if validateOnly {
			return FilingDecision{}, refuse(CodeOverCap, "R3", "a list of %d counties is over the cap of %d: filing it formally forfeits prefecture %s", len(f.Counties), c.PrefectureCap, f.Prefecture)
		}
		return FilingDecision{Forfeits: true}, nil
	}
	var notReady []string
	for _, county := range f.Counties {
		switch states[county] {
		case StateSubmitted, StateRecommended:
		default:
			s := string(states[county])
			if s == "" {
				s = "not registered"
			}
			notReady = append(notReady, county+" ("+s+")")
		}
	}
	if len(notReady) > 0 {
		return FilingDecision{}, refuse(CodeInvalidState, "R3", "every recommended county needs a submitted application: %s", strings.Join(notReady, ", "))
	}
	return FilingDecision{}, nil
}

// CheckSelfApply applies R4: only a directly administered county applies on its own,
// by the deadline, after submitting.
func CheckSelfApply(now time.Time, c Campaign, div Division, state State) error {
	if err := CheckInTime(now, c, "a self-application"); err != nil {
		return err
	}
	if !div.DirectlyAdministered {
		return refuse(CodeIneligible, "R4", "%s %s is not directly administered: its prefecture recommends it", div.Code, div.Name)
	}
	if state != StateSubmitted {
		return refuse(CodeInvalidState, "R4", "self-application needs a submitted application; %s is %s", div.Code, state)
	}
	return nil
}
