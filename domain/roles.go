package domain

// Role is who an official is (R12).
type Role string

// The four roles of API.md.
const (
	RoleCounty     Role = "county"
	RolePrefecture Role = "prefecture"
	RoleReviewer   Role = "reviewer"
	RoleAdmin      Role = "admin"
)

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case RoleCounty, RolePrefecture, RoleReviewer, RoleAdmin:
		return true
	}
	return false
}

// Actor is the official behind an action; it travels with every Update so the
// workflow checks jurisdiction again (R12) and the timeline names who acted (R11).
type Actor struct {
	Sub    string `json:"sub"`
	Role   Role   `json:"role"`
	Region string `json:"region"`
}

// System is the actor of transitions nobody performs by hand: deadlines and the end of
// publicity (R5, R10).
var System = Actor{Sub: "system", Role: "system"}

// Public is the actor of an objection filed without signing in (R10).
var Public = Actor{Sub: "public", Role: "public"}

// String names the actor on the timeline.
func (a Actor) String() string {
	if a.Region == "" {
		return a.Sub
	}
	return a.Sub + " (" + string(a.Role) + " " + a.Region + ")"
}

func forbid(a Actor, what string) error {
	return refuse(CodeForbidden, "R12", "%s %s may not %s", a.Role, a.Region, what)
}

// ValidateActor checks that the region of an actor fits its role: a county code for a
// county official, a prefecture code for a prefecture official, the province for
// reviewers and administrators.
func ValidateActor(a Actor, d *Divisions, province string) error {
	div, ok := d.Get(a.Region)
	switch {
	case !a.Role.Valid():
		return refuse(CodeForbidden, "R12", "unknown role %q", Excerpt(string(a.Role)))
	case a.Role == RoleCounty && (!ok || div.Level != LevelCounty):
		return refuse(CodeForbidden, "R12", "a county official's region must be a county code, got %q", Excerpt(a.Region))
	case a.Role == RolePrefecture && (!ok || div.Level != LevelPrefecture):
		return refuse(CodeForbidden, "R12", "a prefecture official's region must be a prefecture code, got %q", Excerpt(a.Region))
	case (a.Role == RoleReviewer || a.Role == RoleAdmin) && a.Region != province:
		return refuse(CodeForbidden, "R12", "a %s's region must be the province %s, got %q", a.Role, province, Excerpt(a.Region))
	}
	return nil
}

// CanActForCounty allows a county official on their own county and an administrator on
// any (R12): registration, materials, submission, self-application, withdrawal.
func CanActForCounty(a Actor, county, what string) error {
	if a.Role == RoleAdmin || (a.Role == RoleCounty && a.Region == county) {
		return nil
	}
	return forbid(a, what+" for county "+county)
}

// CanRecommend allows a prefecture official on its own prefecture and an administrator
// on any (R12).
func CanRecommend(a Actor, prefecture string) error {
	if a.Role == RoleAdmin || (a.Role == RolePrefecture && a.Region == prefecture) {
		return nil
	}
	return forbid(a, "file a recommendation for prefecture "+prefecture)
}

// CanScore allows reviewers and administrators, province-wide (R12).
func CanScore(a Actor) error {
	if a.Role == RoleReviewer || a.Role == RoleAdmin {
		return nil
	}
	return forbid(a, "score candidates")
}

// CanAdminister allows administrators only: campaigns, ranking, notice, objections,
// promotion (R12).
func CanAdminister(a Actor, what string) error {
	if a.Role == RoleAdmin {
		return nil
	}
	return forbid(a, what)
}
