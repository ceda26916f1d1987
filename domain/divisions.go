package domain

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"sort"
)

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

// ParseDivisions reads a CSV with header code,name,level,parent_code,directly_administered.
func ParseDivisions(b []byte) (*Divisions, error) {
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("parse divisions: %w", err)
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("parse divisions: no rows")
	}
	d := &Divisions{byCode: map[string]Division{}, children: map[string][]string{}}
	for i, r := range rows[1:] {
		if len(r) != 5 {
			return nil, fmt.Errorf("parse divisions: line %d: want 5 fields, got %d", i+2, len(r))
		}
		div := Division{Code: r[0], Name: r[1], Level: r[2], ParentCode: r[3], DirectlyAdministered: r[4] == "true"}
		if _, dup := d.byCode[div.Code]; dup {
			return nil, fmt.Errorf("parse divisions: line %d: duplicate code %s", i+2, div.Code)
		}
		d.byCode[div.Code] = div
		d.ordered = append(d.ordered, div)
		if div.ParentCode != "" {
			d.children[div.ParentCode] = append(d.children[div.ParentCode], div.Code)
		}
	}
	for _, c := range d.children {
		sort.Strings(c)
	}
	return d, nil
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
