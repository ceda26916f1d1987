package domain

// CheckEligible refuses a registration for anything but a county-level division of the
// campaign's province that is not on the exclusion list (R2).
func CheckEligible(c Campaign, d *Divisions, county string) (Division, error) {
	div, ok := d.CountyOf(county, c.Province)
	if !ok {
		return Division{}, refuse(CodeIneligible, "R2", "%s is not a county-level division of province %s", county, c.Province)
	}
	if c.IsExcluded(county) {
		return Division{}, refuse(CodeIneligible, "R2", "%s %s is already a demonstration county (2015 national or provincial, or 2016 national) and cannot apply", county, div.Name)
	}
	return div, nil
}
