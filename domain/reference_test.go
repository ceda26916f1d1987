package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// R2: a campaign's counties come from its province's divisions in one edition.
func TestReference_R2_by_province_and_edition(t *testing.T) {
	d, err := Reference("520000", "2016")
	if err != nil {
		t.Fatal(err)
	}
	prefectures, counties := d.Prefectures("520000"), 0
	for _, p := range prefectures {
		counties += len(d.Counties(p.Code))
	}
	if len(prefectures) != 9 || counties != 88 {
		t.Errorf("Guizhou 2016 = %d prefectures, %d counties; want 9, 88", len(prefectures), counties)
	}
	for _, tc := range []struct{ province, edition, want string }{
		{"000000", "2016", `province "000000" has no reference data`},
		{"520000", "1999", `province 520000 has no edition "1999" of the division codes (editions: 2016, 2023)`},
	} {
		_, err := Reference(tc.province, tc.edition)
		var re *RuleError
		if !errors.As(err, &re) || re.Code != CodeBadRequest || re.Rule != "R2" || re.Message != tc.want {
			t.Errorf("Reference(%s, %s) = %v, want bad_request R2 %q", tc.province, tc.edition, err, tc.want)
		}
	}
}

func TestEditionFor_R2_picks_the_codes_in_force(t *testing.T) {
	for _, tc := range []struct {
		year int
		want string
	}{{2016, "2016"}, {2021, "2016"}, {2026, "2016"}, {2010, "2016"}} { // Guizhou's default_edition
		if got, err := EditionFor("520000", tc.year); err != nil || got != tc.want {
			t.Errorf("EditionFor(520000, %d) = %q, %v; want %q", tc.year, got, err, tc.want)
		}
	}
	// A province without a default edition takes the codes in force in the year.
	for _, tc := range []struct {
		year int
		want string
	}{{2016, "2016"}, {2022, "2016"}, {2023, "2023"}, {2030, "2023"}, {2010, "2016"}} {
		if got, err := EditionFor("410000", tc.year); err != nil || got != tc.want {
			t.Errorf("EditionFor(410000, %d) = %q, %v; want %q", tc.year, got, err, tc.want)
		}
	}
	if _, err := EditionFor("000000", 2016); err == nil {
		t.Error("EditionFor of a province without data = nil error")
	}
}

func TestWithReferenceDefaults_fills_only_what_is_empty(t *testing.T) {
	got, err := Campaign{Year: 2016, Province: "520000"}.WithReferenceDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if got.Edition != "2016" || got.Department != "贵州省商务厅" || got.Contact != "省商务厅电子商务和信息化处" {
		t.Errorf("defaults = %q %q %q", got.Edition, got.Department, got.Contact)
	}
	mine, err := Campaign{Year: 2016, Province: "520000", Edition: "2016", Department: "某厅", Contact: "某处"}.WithReferenceDefaults()
	if err != nil || mine.Department != "某厅" || mine.Contact != "某处" {
		t.Errorf("configured values replaced: %+v, %v", mine, err)
	}
}

// R9, R10: the notice's wording is data; a campaign recorded before the Department was
// configurable renders byte for byte what it rendered then.
func TestNoticeText_R9_wording(t *testing.T) {
	ends := time.Date(2016, 8, 17, 16, 0, 0, 0, time.UTC) // 2016-08-18 00:00 in Shanghai
	promotedEnds := ends.Add(48 * time.Hour)
	lines := []NoticeLine{
		{Rank: 1, Name: "仁怀市", Prefecture: "遵义市", Total: 91.234, Status: "shortlisted"},
		{Rank: 2, Name: "威宁彝族回族苗族自治县", Prefecture: "毕节市", Total: 88.5, Status: "removed"},
		{Rank: 3, Name: "福泉市", Prefecture: "黔南布依族苗族自治州", Total: 80, Status: "withdrawn"},
		{Rank: 13, Name: "息烽县", Prefecture: "贵阳市", Total: 70.126, Status: "shortlisted", Promoted: true, PublicityEndsAt: promotedEnds},
	}
	legacy := "2016年省级电子商务进农村综合示范县入围名单公示\n\n" +
		"经各市（州）推荐、省直管县自行申报和评审，现将入围名单公示如下（公示期至2016年8月18日 00:00）：\n\n" +
		"1. 仁怀市（遵义市）综合得分 91.23\n" +
		"2. 威宁彝族回族苗族自治县（毕节市）综合得分 88.50（异议成立，取消入围）\n" +
		"3. 福泉市（黔南布依族苗族自治州）综合得分 80.00（已主动退出）\n" +
		"13. 息烽县（贵阳市）综合得分 70.13（递补，公示期至2016年8月20日 00:00）\n" +
		"\n公示期内如有异议，请向省商务厅电子商务和信息化处反映。\n"
	old := Campaign{Year: 2016, Province: "520000"}
	if got := old.NoticeText(ends, lines); got != legacy {
		t.Errorf("legacy notice:\n%q\nwant\n%q", got, legacy)
	}
	configured := Campaign{Year: 2016, Province: "520000", Department: "贵州省商务厅", Contact: "省商务厅市场体系建设处（电话 0851-00000000）"}
	got := configured.NoticeText(ends, lines)
	if !strings.HasSuffix(got, "请向省商务厅市场体系建设处（电话 0851-00000000）反映。\n\n贵州省商务厅\n") {
		t.Errorf("configured notice ends:\n%q", got[strings.LastIndex(got, "公示期内"):])
	}
	utc := Campaign{Year: 2016, Province: "520000", TimeZone: "UTC"}
	if got := utc.NoticeText(ends, nil); !strings.Contains(got, "公示期至2016年8月17日 16:00") {
		t.Errorf("zone not applied:\n%s", got)
	}
}

func TestNameOf(t *testing.T) {
	if n, ok := NameOf("520382"); !ok || n != "仁怀市" {
		t.Errorf("NameOf(520382) = %q, %v", n, ok)
	}
	if _, ok := NameOf("999999"); ok {
		t.Error("NameOf(999999) found a name")
	}
}

// R1: the notice's department and contact are one line of bounded text each.
func TestValidate_R1_department_and_contact(t *testing.T) {
	d := MustReference("520000", "2016")
	base := Campaign{Year: 2016, Province: "520000", Quota: 12, PrefectureCap: 2,
		RecommendationDeadline: time.Date(2016, 8, 1, 15, 59, 59, 0, time.UTC),
		NoticeDeadline:         time.Date(2016, 8, 10, 15, 59, 59, 0, time.UTC),
		PublicityPeriod:        DefaultPublicityPeriod, Weights: DefaultWeights()}
	if err := base.Validate(d); err != nil {
		t.Fatalf("base: %v", err)
	}
	for _, tc := range []struct {
		dept, contact, want string
	}{
		{"贵州省商务厅\n附件", "", "department must be one line"},
		{"", strings.Repeat("处", 201), "contact is longer than 200 characters (201)"},
		{"", "a\x00b", "contact must be UTF-8 text without NUL characters"},
	} {
		c := base
		c.Department, c.Contact = tc.dept, tc.contact
		if err := c.Validate(d); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%q, %q) = %v, want %q", tc.dept, tc.contact, err, tc.want)
		}
	}
}

// A campaign recorded before editions were configurable keeps the first edition, even
// for a year a newer edition would cover, so its workflow replays the same divisions.
func TestReferenceFor_R2_unnamed_edition_is_the_first(t *testing.T) {
	d, err := ReferenceFor(Campaign{Year: 2030, Province: "520000"})
	if err != nil || d != MustReference("520000", Editions("520000")[0]) {
		t.Errorf("ReferenceFor without edition = %p, %v", d, err)
	}
	if _, err := ReferenceFor(Campaign{Year: 2016, Province: "520000", Edition: "1999"}); err == nil {
		t.Error("ReferenceFor of an edition without data = nil error")
	}
}
