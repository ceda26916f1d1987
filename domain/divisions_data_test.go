package domain

import (
	"bytes"
	"encoding/csv"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// R2, R4: the committed divisions.csv keeps the shape the rules read (data/PROVENANCE.md):
// every province of provinces.csv has its divisions, codes are unique in an edition and
// none is a statistical zone, a county sits under a prefecture of its own province (or
// under the province's group of directly administered counties, and is then flagged),
// and Guizhou's 2016 edition is the customer's file row for row.
func TestDivisionsData_R2_R4_invariants(t *testing.T) {
	rows, err := csv.NewReader(bytes.NewReader(mustRead("data/divisions.csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ edition, code string }
	byKey := map[key][]string{}
	for _, r := range rows[1:] {
		k := key{r[0], r[1]}
		if _, dup := byKey[k]; dup {
			t.Errorf("edition %s has code %s twice", r[0], r[1])
		}
		byKey[k] = r
	}
	for _, r := range rows[1:] {
		edition, code, level, parent, direct := r[0], r[1], r[3], r[4], r[5] == "true"
		p, hasParent := byKey[key{edition, parent}]
		switch level {
		case LevelProvince:
			if parent != "" || code[2:] != "0000" {
				t.Errorf("%s %s: a province has code xx0000 and no parent", edition, code)
			}
		case LevelPrefecture:
			if !hasParent || p[3] != LevelProvince || parent != code[:2]+"0000" {
				t.Errorf("%s %s: a prefecture's parent is its province, got %q", edition, code, parent)
			}
		case LevelCounty:
			if n := code[4:]; n >= "71" && n <= "80" {
				t.Errorf("%s %s %s: codes 71–80 are the statistics' zones, no division of GB/T 2260", edition, code, r[2])
			}
			if !hasParent || p[3] != LevelPrefecture || parent[:2] != code[:2] {
				t.Errorf("%s %s: a county's parent is a prefecture of its province, got %q", edition, code, parent)
			} else if p[5] == "true" && !direct {
				t.Errorf("%s %s: a county of %s %s is directly administered", edition, code, parent, p[2])
			}
		default:
			t.Errorf("%s %s: level %q", edition, code, level)
		}
	}

	provinces, err := csv.NewReader(bytes.NewReader(mustRead("data/provinces.csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(provinces) != 32 {
		t.Errorf("provinces.csv has %d provinces, want the 31 of the mainland", len(provinces)-1)
	}
	for _, p := range provinces[1:] {
		all := Editions(p[0])
		if len(all) == 0 {
			t.Errorf("province %s %s has no edition", p[0], p[1])
			continue
		}
		if d := MustReference(p[0], all[len(all)-1]); len(d.Prefectures(p[0])) == 0 {
			t.Errorf("province %s has no prefecture", p[0])
		} else if div, _ := d.Get(p[0]); div.Name != p[1] {
			t.Errorf("province %s is %q in its newest edition, %q in provinces.csv", p[0], div.Name, p[1])
		}
		if p[2] == "" || p[3] == "" {
			t.Errorf("province %s lacks its department or contact", p[0])
		}
	}

	customer, err := os.ReadFile("../scripts/divisions/guizhou-divisions-2016.csv")
	if err != nil {
		t.Fatal(err)
	}
	var guizhou2016 []string
	for _, r := range rows[1:] {
		if r[0] == "2016" && strings.HasPrefix(r[1], "52") {
			guizhou2016 = append(guizhou2016, strings.Join(r[1:], ","))
		}
	}
	if want := strings.Split(strings.TrimSuffix(string(customer), "\n"), "\n")[1:]; !slices.Equal(guizhou2016, want) {
		t.Errorf("Guizhou 2016 differs from the customer's file: %d rows, want %d", len(guizhou2016), len(want))
	}
	counties := 0
	d := MustReference("520000", "2016")
	for _, p := range d.Prefectures("520000") {
		counties += len(d.Counties(p.Code))
	}
	if counties != 88 {
		t.Errorf("Guizhou 2016 has %d counties, want 88", counties)
	}
}

// R4: directly administered counties in the data: the statistical groups (4190, 4290,
// 4690, 6590) and Guizhou's own 省直管县, in every edition that has them.
func TestDivisionsData_R4_directly_administered(t *testing.T) {
	for _, tc := range []struct {
		province, edition, code string
		want                    bool
	}{
		{"520000", "2016", "520382", true},  // 仁怀市, the customer's file
		{"520000", "2023", "520382", true},  // carried to the current edition
		{"520000", "2023", "520526", true},  // 威宁
		{"520000", "2023", "520381", false}, // 赤水市, recommended by 遵义
		{"410000", "2023", "419001", true},  // 济源市, 省直辖县级行政区划
		{"420000", "2023", "429004", true},  // 仙桃市
		{"460000", "2023", "469002", true},  // 琼海市
		{"650000", "2023", "659001", true},  // 石河子市, 自治区直辖
		{"410000", "2023", "410181", false}, // 巩义市: the notice must name it
	} {
		div, ok := MustReference(tc.province, tc.edition).CountyOf(tc.code, tc.province)
		if !ok || div.DirectlyAdministered != tc.want {
			t.Errorf("%s in %s: county %v, directly administered %v; want %v", tc.code, tc.edition, ok, div.DirectlyAdministered, tc.want)
		}
	}
}

// R12: a deployment's regions keep the codes of older editions, so the officials of a
// campaign on the 2016 edition still sign in for 盘县 once 盘州市 replaced it.
func TestCurrent_R12_keeps_retired_codes(t *testing.T) {
	d, err := Current("520000")
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"520222", "520281", "520382"} {
		if _, ok := d.CountyOf(code, "520000"); !ok {
			t.Errorf("Current(520000) lacks county %s", code)
		}
	}
	if _, ok := MustReference("520000", "2023").Get("520222"); ok {
		t.Error("the 2023 edition still has 盘县 520222")
	}
	if div, _ := d.Get("520382"); !div.DirectlyAdministered {
		t.Error("Current(520000): 仁怀市 lost its flag")
	}
	if _, err := Current("000000"); err == nil {
		t.Error("Current of a province without data = nil error")
	}
}

// R4: the notice's list of directly administered counties replaces the data's flags for
// its campaign, except for the counties of a group that has no prefecture to recommend
// them; without a list a campaign reads the shared divisions exactly as before.
func TestReferenceFor_R4_the_notice_list_wins(t *testing.T) {
	for _, tc := range []struct {
		name     string
		c        Campaign
		direct   []string
		indirect []string
	}{
		{"no_list_keeps_the_data", Campaign{Province: "520000", Edition: "2016"}, []string{"520382", "520526"}, []string{"520102"}},
		{"the_list_replaces_the_flags", Campaign{Province: "520000", Edition: "2016", DirectlyAdministered: []string{"520102"}},
			[]string{"520102"}, []string{"520382", "520526"}},
		{"a_statistical_group_stays_direct", Campaign{Province: "410000", Edition: "2023", DirectlyAdministered: []string{"410181", "410225"}},
			[]string{"410181", "410225", "419001"}, []string{"410102"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ReferenceFor(tc.c)
			if err != nil {
				t.Fatal(err)
			}
			shared := MustReference(tc.c.Province, tc.c.Edition)
			if (d == shared) != (len(tc.c.DirectlyAdministered) == 0) {
				t.Errorf("shared divisions returned = %v, want %v", d == shared, len(tc.c.DirectlyAdministered) == 0)
			}
			for want, codes := range map[bool][]string{true: tc.direct, false: tc.indirect} {
				for _, code := range codes {
					if div, ok := d.CountyOf(code, tc.c.Province); !ok || div.DirectlyAdministered != want {
						t.Errorf("%s directly administered = %v (county %v), want %v", code, div.DirectlyAdministered, ok, want)
					}
				}
			}
		})
	}
	if div, _ := MustReference("520000", "2016").Get("520102"); div.DirectlyAdministered {
		t.Error("a campaign's list changed the shared divisions")
	}

	// The rules read the campaign's divisions: 南明区 self-applies, 贵阳 may no longer
	// recommend it, and 毕节 may recommend 威宁.
	c := cfg2016()
	c.DirectlyAdministered = []string{"520102"}
	d, err := ReferenceFor(c)
	if err != nil {
		t.Fatal(err)
	}
	now := deadline.Add(-time.Hour)
	nanming, _ := d.Get("520102")
	refusedWith(t, CheckSelfApply(now, c, nanming, StateSubmitted), "", "")
	weining, _ := d.Get("520526")
	refusedWith(t, CheckSelfApply(now, c, weining, StateSubmitted), CodeIneligible, "R4")
	states := map[string]State{"520102": StateSubmitted, "520526": StateSubmitted}
	_, err = CheckFiling(now, c, d, PrefectureOpen, Filing{Prefecture: "520100", Counties: []string{"520102"}}, states, false)
	refusedWith(t, err, CodeIneligible, "R4")
	_, err = CheckFiling(now, c, d, PrefectureOpen, Filing{Prefecture: "520500", Counties: []string{"520526"}}, states, false)
	refusedWith(t, err, "", "")
}

// R1, R4: the list names counties of the campaign's province, each once.
func TestCampaignValidate_R4_directly_administered(t *testing.T) {
	for _, tc := range []struct {
		name string
		list []string
		want string
	}{
		{"counties_of_the_province", []string{"520382", "520102"}, ""},
		{"a_prefecture_is_refused", []string{"520100"}, `directly_administered "520100" is not a county of province 520000`},
		{"another_province_is_refused", []string{"419001"}, `directly_administered "419001" is not a county of province 520000`},
		{"twice_is_refused", []string{"520382", "520382"}, `directly_administered "520382" is listed twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg2016()
			c.DirectlyAdministered = tc.list
			d, err := ReferenceFor(c)
			if err != nil {
				t.Fatal(err)
			}
			err = c.Validate(d)
			if tc.want == "" {
				refusedWith(t, err, "", "")
			} else if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate = %v, want %q", err, tc.want)
			}
		})
	}
}
