package domain

import "sort"

// Division levels of GB/T 2260 as used by the reference data.
const (
	LevelProvince   = "province"
	LevelPrefecture = "prefecture"
	LevelCounty     = "county"
)

// Division is one administrative division of the reference data (R2, R4).
type Division struct {
	Code                 string `json:"code"`
	Name                 string `json:"name"`
	Level                string `json:"level"`
	ParentCode           string `json:"parent_code,omitempty"`
	DirectlyAdministered bool   `json:"directly_administered"`
}

// Divisions is the reference data of one province, indexed by code. It is read-only
// after loading, so workflows may share one value.
type Divisions struct {
	byCode   map[string]Division
	ordered  []Division
	children map[string][]string
}

// newDivisions indexes one province's divisions of one edition, kept in the given order.
func newDivisions(divs []Division) *Divisions {
	d := &Divisions{byCode: make(map[string]Division, len(divs)), ordered: divs, children: map[string][]string{}}
	for _, div := range divs {
		d.byCode[div.Code] = div
		if div.ParentCode != "" {
			d.children[div.ParentCode] = append(d.children[div.ParentCode], div.Code)
		}
	}
	for _, c := range d.children {
		sort.Strings(c)
	}
	return d
}

// withDirectlyAdministered is a copy of d in which a county is directly administered
// exactly when codes lists it (R4: the notice's list wins over the data), or when its
// parent is no prefecture but the province's group of directly administered counties
// (省直辖县级行政区划, a row of level prefecture flagged itself): nobody there could
// recommend it. d itself is shared by every campaign and is never changed.
func (d *Divisions) withDirectlyAdministered(codes []string) *Divisions {
	listed := make(map[string]bool, len(codes))
	for _, c := range codes {
		listed[c] = true
	}
	out := &Divisions{byCode: make(map[string]Division, len(d.byCode)), ordered: make([]Division, len(d.ordered)), children: d.children}
	for i, div := range d.ordered {
		if div.Level == LevelCounty {
			div.DirectlyAdministered = listed[div.Code] || d.byCode[div.ParentCode].DirectlyAdministered
		}
		out.byCode[div.Code] = div
		out.ordered[i] = div
	}
	return out
}

// Get returns the division with the given code.
func (d *Divisions) Get(code string) (Division, bool) {
	div, ok := d.byCode[code]
	return div, ok
}

// All returns every division in file order.
func (d *Divisions) All() []Division { return append([]Division(nil), d.ordered...) }

// Prefectures returns the prefectures under a province, ordered by code.
func (d *Divisions) Prefectures(province string) []Division {
	var out []Division
	for _, c := range d.children[province] {
		if div := d.byCode[c]; div.Level == LevelPrefecture {
			out = append(out, div)
		}
	}
	return out
}

// Counties returns the county-level divisions of a prefecture, ordered by code.
func (d *Divisions) Counties(prefecture string) []Division {
	var out []Division
	for _, c := range d.children[prefecture] {
		if div := d.byCode[c]; div.Level == LevelCounty {
			out = append(out, div)
		}
	}
	return out
}

// CountyOf reports whether code is a county-level division of the province (R2).
func (d *Divisions) CountyOf(code, province string) (Division, bool) {
	div, ok := d.byCode[code]
	if !ok || div.Level != LevelCounty {
		return Division{}, false
	}
	pref, ok := d.byCode[div.ParentCode]
	if !ok || pref.ParentCode != province {
		return Division{}, false
	}
	return div, true
}

// ProvinceCode is the province a division code belongs to: GB/T 2260 codes begin with
// their province's two digits, so a county code names its province in every edition
// (the read model keys applications and objections by it). A code too short to name
// one gives "".
func ProvinceCode(code string) string {
	if len(code) != 6 {
		return ""
	}
	return code[:2] + "0000"
}
