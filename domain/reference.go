package domain

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// The reference data every campaign is checked against, embedded so a workflow reads the
// same bytes on every replay: the county-level divisions of a province in an edition of
// GB/T 2260 (data/divisions/<province>-<edition>.csv, header code,name,level,
// parent_code,directly_administered), the provinces with the Department that runs the
// selection and the office that hears objections (data/provinces.csv), and the notice's
// wording (data/notice.zh.tmpl). A campaign names its province and edition (R1, R2);
// adding a province or an edition is a data file, not code.
//
//go:embed data/divisions/*.csv data/provinces.csv data/notice.zh.tmpl
var referenceFiles embed.FS

// Province is one province of the reference data and who speaks for it in the notice.
type Province struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Department is the provincial Department of Commerce that publishes the notice.
	Department string `json:"department"`
	// Contact is the office that hears objections during the publicity period (R10).
	Contact string `json:"contact"`
}

var (
	provinces = mustProvinces()
	// editions maps a province code to its divisions by edition (a year, as the codes
	// of GB/T 2260 are published).
	editions     = mustEditions()
	noticeWordTx = template.Must(template.New("notice.zh.tmpl").Funcs(template.FuncMap{
		"date": func(t time.Time) string { return t.Format("2006年1月2日 15:04") },
	}).ParseFS(referenceFiles, "data/notice.zh.tmpl"))
)

func mustProvinces() map[string]Province {
	b, err := referenceFiles.ReadFile("data/provinces.csv")
	if err != nil {
		panic(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		panic(fmt.Sprintf("embedded provinces: %v", err))
	}
	out := map[string]Province{}
	for _, r := range rows[1:] {
		if len(r) != 4 {
			panic(fmt.Sprintf("embedded provinces: want 4 fields, got %d", len(r)))
		}
		out[r[0]] = Province{Code: r[0], Name: r[1], Department: r[2], Contact: r[3]}
	}
	return out
}

func mustEditions() map[string]map[string]*Divisions {
	files, err := fs.Glob(referenceFiles, "data/divisions/*.csv")
	if err != nil {
		panic(err)
	}
	out := map[string]map[string]*Divisions{}
	for _, f := range files {
		province, edition, ok := strings.Cut(strings.TrimSuffix(path.Base(f), ".csv"), "-")
		if !ok {
			panic("embedded divisions: file name is not <province>-<edition>.csv: " + f)
		}
		b, err := referenceFiles.ReadFile(f)
		if err != nil {
			panic(err)
		}
		d, err := ParseDivisions(b)
		if err != nil {
			panic(fmt.Sprintf("embedded divisions %s: %v", f, err))
		}
		if p, ok := d.Get(province); !ok || p.Level != LevelProvince {
			panic("embedded divisions: " + f + " lacks its province row")
		}
		if out[province] == nil {
			out[province] = map[string]*Divisions{}
		}
		out[province][edition] = d
	}
	return out
}

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

// MustReference is Reference for data known to exist, such as the demo's province.
func MustReference(province, edition string) *Divisions {
	d, err := Reference(province, edition)
	if err != nil {
		panic(err)
	}
	return d
}

// EditionFor is the edition a campaign of year uses when it names none: the newest one
// published in or before that year (the codes in force when the notice went out), else
// the oldest there is.
func EditionFor(province string, year int) (string, error) {
	all := Editions(province)
	if len(all) == 0 {
		return "", &RuleError{Code: CodeBadRequest, Rule: "R2", Message: fmt.Sprintf("province %q has no reference data", province)}
	}
	pick := all[0]
	for _, e := range all {
		if y, err := strconv.Atoi(e); err == nil && y <= year {
			pick = e
		}
	}
	return pick, nil
}

// Current returns a province's newest divisions, the ones a deployment lays out its
// regions (R12) with.
func Current(province string) (*Divisions, error) {
	all := Editions(province)
	if len(all) == 0 {
		return nil, &RuleError{Code: CodeBadRequest, Rule: "R2", Message: fmt.Sprintf("province %q has no reference data", province)}
	}
	return Reference(province, all[len(all)-1])
}

// ReferenceFor returns the divisions a campaign is checked against: its edition, or for
// a campaign that names none the province's oldest. Only campaigns recorded before
// editions were configurable name none, and they all ran on the first edition there
// was; a workflow replaying one must keep reading those divisions when newer editions
// are added (new campaigns always name theirs: WithReferenceDefaults).
func ReferenceFor(c Campaign) (*Divisions, error) {
	e := c.Edition
	if e == "" {
		all := Editions(c.Province)
		if len(all) == 0 {
			return nil, &RuleError{Code: CodeBadRequest, Rule: "R2", Message: fmt.Sprintf("province %q has no reference data", c.Province)}
		}
		e = all[0]
	}
	return Reference(c.Province, e)
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
// where only a code is at hand (codes never collide across provinces).
func NameOf(code string) (string, bool) {
	if len(code) < 2 {
		return "", false
	}
	for province := range editions {
		if province[:2] != code[:2] {
			continue
		}
		all := Editions(province)
		for i := len(all) - 1; i >= 0; i-- {
			if d, ok := editions[province][all[i]].Get(code); ok {
				return d.Name, true
			}
		}
	}
	return "", false
}
