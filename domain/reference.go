package domain

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// The reference data every campaign is checked against, embedded so a workflow reads the
// same bytes on every replay: the county-level divisions of every province in each
// edition of GB/T 2260 the project carries (data/divisions.csv, header edition,code,
// name,level,parent_code,directly_administered; data/PROVENANCE.md says where each
// edition comes from and how scripts/divisions rebuilds it), the provinces with the
// Department that runs the selection and the office that hears objections
// (data/provinces.csv), and the notice's wording (data/notice.zh.tmpl). A campaign names
// its province and edition (R1, R2); adding a province or an edition is data, not code.
//
//go:embed data/divisions.csv data/provinces.csv data/notice.zh.tmpl
var referenceFiles embed.FS

// Province is one province of the reference data and who speaks for it in the notice.
type Province struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Department is the provincial Department of Commerce that publishes the notice.
	Department string `json:"department"`
	// Contact is the office that hears objections during the publicity period (R10).
	Contact string `json:"contact"`
	// DefaultEdition, when set, is the edition a campaign of this province takes when it
	// names none, whatever its year: the reference data the customer handed over and
	// its campaigns are judged by (Guizhou: the 2016 file of DESIGN.md). Newer editions
	// stay available to a campaign that names one.
	DefaultEdition string `json:"default_edition,omitempty"`
}

var (
	provinces = mustProvinces()
	// editions maps a province code to its divisions by edition (a year, as the codes
	// of GB/T 2260 are published).
	editions = mustEditions()
	// regions maps a province code to the divisions its deployment lays out (Current).
	regions      = mustRegions()
	noticeWordTx = template.Must(template.New("notice.zh.tmpl").Funcs(template.FuncMap{
		"date": func(t time.Time) string { return t.Format("2006年1月2日 15:04") },
	}).ParseFS(referenceFiles, "data/notice.zh.tmpl"))
)

func mustProvinces() map[string]Province {
	rows, err := csv.NewReader(bytes.NewReader(mustRead("data/provinces.csv"))).ReadAll()
	if err != nil {
		panic(fmt.Sprintf("embedded provinces: %v", err))
	}
	out := map[string]Province{}
	for _, r := range rows[1:] {
		if len(r) != 5 {
			panic(fmt.Sprintf("embedded provinces: want 5 fields, got %d", len(r)))
		}
		out[r[0]] = Province{Code: r[0], Name: r[1], Department: r[2], Contact: r[3], DefaultEdition: r[4]}
	}
	return out
}

func mustEditions() map[string]map[string]*Divisions {
	out, err := parseEditions(mustRead("data/divisions.csv"))
	if err != nil {
		panic(fmt.Sprintf("embedded divisions: %v", err))
	}
	return out
}

func mustRead(name string) []byte {
	b, err := referenceFiles.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return b
}

// parseEditions reads divisions.csv into each province's divisions by edition. A row's
// province is its code's first two digits: codes never cross provinces.
func parseEditions(b []byte) (map[string]map[string]*Divisions, error) {
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) < 2 || strings.Join(rows[0], ",") != "edition,code,name,level,parent_code,directly_administered" {
		return nil, fmt.Errorf("want the header edition,code,name,level,parent_code,directly_administered and rows")
	}
	type key struct{ province, edition string }
	var order []key
	grouped := map[key][]Division{}
	seen := map[[2]string]bool{}
	for i, r := range rows[1:] {
		if len(r) != 6 || len(r[1]) != 6 {
			return nil, fmt.Errorf("line %d: want 6 fields and a code of 6 digits", i+2)
		}
		if seen[[2]string{r[0], r[1]}] {
			return nil, fmt.Errorf("line %d: duplicate code %s in edition %s", i+2, r[1], r[0])
		}
		seen[[2]string{r[0], r[1]}] = true
		k := key{r[1][:2] + "0000", r[0]}
		if _, ok := grouped[k]; !ok {
			order = append(order, k)
		}
		grouped[k] = append(grouped[k], Division{Code: r[1], Name: r[2], Level: r[3], ParentCode: r[4], DirectlyAdministered: r[5] == "true"})
	}
	out := map[string]map[string]*Divisions{}
	for _, k := range order {
		d := newDivisions(grouped[k])
		if p, ok := d.Get(k.province); !ok || p.Level != LevelProvince {
			return nil, fmt.Errorf("edition %s of %s lacks its province row", k.edition, k.province)
		}
		if out[k.province] == nil {
			out[k.province] = map[string]*Divisions{}
		}
		out[k.province][k.edition] = d
	}
	return out, nil
}

// mustRegions lays out each province's regions: its newest edition, then every division
// of an older edition whose code the newer ones no longer have, newest first.
func mustRegions() map[string]*Divisions {
	out := map[string]*Divisions{}
	for province := range editions {
		all := Editions(province)
		var divs []Division
		has := map[string]bool{}
		for i := len(all) - 1; i >= 0; i-- {
			for _, div := range editions[province][all[i]].ordered {
				if !has[div.Code] {
					has[div.Code] = true
					divs = append(divs, div)
				}
			}
		}
		out[province] = newDivisions(divs)
	}
	return out
}

// Provinces lists the codes of every province of the reference data, in code order.
func Provinces() []string { return slices.Sorted(maps.Keys(provinces)) }

// ProvinceOf returns a province of the reference data.
func ProvinceOf(code string) (Province, bool) {
	p, ok := provinces[code]
	return p, ok
}

// Editions lists the editions of a province's divisions, oldest first.
func Editions(province string) []string {
	var out []string
	for e := range editions[province] {
		out = append(out, e)
	}
	slices.Sort(out)
	return out
}

// Reference returns a province's divisions in one edition.
func Reference(province, edition string) (*Divisions, error) {
	byEdition, ok := editions[province]
	if !ok {
		return nil, &RuleError{Code: CodeBadRequest, Rule: "R2", Message: fmt.Sprintf("province %q has no reference data", province)}
	}
	d, ok := byEdition[edition]
	if !ok {
		return nil, &RuleError{Code: CodeBadRequest, Rule: "R2", Message: fmt.Sprintf("province %s has no edition %q of the division codes (editions: %s)", province, edition, strings.Join(Editions(province), ", "))}
	}
	return d, nil
}

// MustReference is Reference for data committed with the binary, where a missing
// edition is a bug of the caller (fixtures naming a province and edition), not input.
func MustReference(province, edition string) *Divisions {
	d, err := Reference(province, edition)
	if err != nil {
		panic(err)
	}
	return d
}

// EditionFor is the edition a campaign of year uses when it names none: the province's
// DefaultEdition when it has one, else the newest one published in or before that year
// (the codes in force when the notice went out), else the oldest there is.
func EditionFor(province string, year int) (string, error) {
	all := Editions(province)
	if len(all) == 0 {
		return "", &RuleError{Code: CodeBadRequest, Rule: "R2", Message: fmt.Sprintf("province %q has no reference data", province)}
	}
	if p, ok := provinces[province]; ok && p.DefaultEdition != "" {
		return p.DefaultEdition, nil
	}
	pick := all[0]
	for _, e := range all {
		if y, err := strconv.Atoi(e); err == nil && y <= year {
			pick = e
		}
	}
	return pick, nil
}

// Current returns the divisions a deployment lays out its regions (R12) with: the
// province's newest edition, plus every division of an older one whose code has since
// gone (盘县 520222 is 盘州市 520281 in 2023), so the officials of a campaign that runs
// on an older edition keep their region. A province with one edition gets it as it is.
func Current(province string) (*Divisions, error) {
	d, ok := regions[province]
	if !ok {
		return nil, &RuleError{Code: CodeBadRequest, Rule: "R2", Message: fmt.Sprintf("province %q has no reference data", province)}
	}
	return d, nil
}

// ReferenceFor returns the divisions a campaign is checked against: its edition, or for
// a campaign that names none the province's oldest. Only campaigns recorded before
// editions were configurable name none, and they all ran on the first edition there
// was; a workflow replaying one must keep reading those divisions when newer editions
// are added (new campaigns always name theirs: WithReferenceDefaults). A campaign that
// lists its directly administered counties gets a copy with its list in place of the
// data's flags (R4); one that lists none gets the shared divisions themselves.
func ReferenceFor(c Campaign) (*Divisions, error) {
	e := c.Edition
	if e == "" {
		all := Editions(c.Province)
		if len(all) == 0 {
			return nil, &RuleError{Code: CodeBadRequest, Rule: "R2", Message: fmt.Sprintf("province %q has no reference data", c.Province)}
		}
		e = all[0]
	}
	d, err := Reference(c.Province, e)
	if err != nil || len(c.DirectlyAdministered) == 0 {
		return d, err
	}
	return d.withDirectlyAdministered(c.DirectlyAdministered), nil
}

// WithReferenceDefaults fills what a campaign may leave to the reference data: the
// edition of the division codes (EditionFor) and the Department and the objections
// office of its province. Campaigns started before these existed keep them empty and
// read the same defaults when they need them.
func (c Campaign) WithReferenceDefaults() (Campaign, error) {
	if c.Edition == "" {
		e, err := EditionFor(c.Province, c.Year)
		if err != nil {
			return c, err
		}
		c.Edition = e
	}
	if p, ok := ProvinceOf(c.Province); ok {
		if c.Department == "" {
			c.Department = p.Department
		}
		if c.Contact == "" {
			c.Contact = p.Contact
		}
	}
	return c, nil
}

// NoticeLine is one county of the 公示 as the notice's wording lists it (R9, R10).
type NoticeLine struct {
	Rank            int
	Name            string
	Prefecture      string // the prefecture's name
	Total           float64
	Status          string // shortlisted, designated, removed or withdrawn
	Promoted        bool
	PublicityEndsAt time.Time // the county's own period, shown for a promoted reserve
}

// NoticeText renders the 公示 the way the Department publishes it (R9), in the wording of
// data/notice.zh.tmpl, with times in the campaign's zone. The objections office is the
// campaign's Contact, else its province's; the Department signs the notice when the
// campaign names it (campaigns recorded before it was configurable render as before).
func (c Campaign) NoticeText(publicityEnds time.Time, lines []NoticeLine) string {
	loc := c.Location()
	contact := c.Contact
	if contact == "" {
		if p, ok := ProvinceOf(c.Province); ok {
			contact = p.Contact
		}
	}
	in := make([]NoticeLine, len(lines))
	for i, l := range lines {
		l.PublicityEndsAt = l.PublicityEndsAt.In(loc)
		in[i] = l
	}
	var b strings.Builder
	err := noticeWordTx.Execute(&b, struct {
		Year            int
		PublicityEndsAt time.Time
		Lines           []NoticeLine
		Contact         string
		Department      string
	}{c.Year, publicityEnds.In(loc), in, contact, c.Department})
	if err != nil { // the embedded template is fixed; an error here is a bug in it
		panic(fmt.Sprintf("notice wording: %v", err))
	}
	return b.String()
}

// NameOf is a division's name in the newest edition that has its code, for labels
// where only a code is at hand: the province's regions (Current) hold exactly that, and
// a code's first two digits name its province.
func NameOf(code string) (string, bool) {
	if len(code) != 6 {
		return "", false
	}
	d, ok := regions[code[:2]+"0000"]
	if !ok {
		return "", false
	}
	div, ok := d.Get(code)
	return div.Name, ok
}
