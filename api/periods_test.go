package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// TestCampaignDatesAndDayPeriods_R14 opens a campaign the way the Department writes it:
// deadlines as dates, the publicity in working days, and reads it back.
func TestCampaignDatesAndDayPeriods_R14(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2042)
	admin := token(t, domain.RoleAdmin, "520000", "admin-zhang")
	body := campaignBody(h.year, time.Now(), time.Now(), "5wd")
	body["recommendation_deadline"] = "2042-08-01"
	body["notice_deadline"] = "2042-08-10T23:59:59+08:00"
	var v readmodel.CampaignView
	h.must(http.StatusCreated, req{method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: body}).decode(t, &v)
	want := time.Date(2042, 8, 1, 23, 59, 59, 0, shanghai)
	if d := v.Deadlines; !d.Recommendation.Equal(want) || d.PublicityPeriod != "5wd" || d.TimeZone != "Asia/Shanghai" {
		t.Fatalf("R14: a date is the whole day in Asia/Shanghai, 5wd stays 5wd: %+v", d)
	}
}

// TestCampaignTimeZoneAndPeriodForms_R14 checks each form of R14 on its own campaign
// year, and that a malformed one is a 400 naming the field.
func TestCampaignTimeZoneAndPeriodForms_R14(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2043)
	admin := token(t, domain.RoleAdmin, "520000", "admin-zhang")
	post := func(change func(map[string]any)) req {
		body := campaignBody(h.year, time.Now().Add(time.Hour), time.Now().Add(2*time.Hour), "7d")
		change(body)
		return req{method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: body}
	}
	for name, tt := range map[string]struct {
		change func(map[string]any)
		field  string
	}{
		"unknown_time_zone":        {func(b map[string]any) { b["time_zone"] = "Mars/Olympus" }, "time_zone"},
		"machine_local_time_zone":  {func(b map[string]any) { b["time_zone"] = "Local" }, "time_zone"},
		"thirtieth_of_february":    {func(b map[string]any) { b["recommendation_deadline"] = "2043-02-30" }, "recommendation_deadline"},
		"instant_without_offset":   {func(b map[string]any) { b["notice_deadline"] = "2043-08-10T23:59:59" }, "notice_deadline"},
		"weeks_are_not_a_period":   {func(b map[string]any) { b["publicity_period"] = "1w" }, "publicity_period"},
		"zero_working_days_period": {func(b map[string]any) { b["publicity_period"] = "0wd" }, "publicity_period"},
	} {
		t.Run(name, func(t *testing.T) {
			e := h.refused(http.StatusBadRequest, "bad_request", "R14", post(tt.change))
			if !strings.Contains(e.Error.Message, tt.field) {
				t.Fatalf("R14: the refusal should name %s: %s", tt.field, e.Error.Message)
			}
		})
	}
	// A date in another zone is that zone's whole day; calendar days read back as "7d".
	var v readmodel.CampaignView
	h.must(http.StatusCreated, post(func(b map[string]any) {
		b["time_zone"] = "Asia/Urumqi"
		b["recommendation_deadline"] = "2043-08-01"
		b["notice_deadline"] = "2043-08-10"
	})).decode(t, &v)
	urumqi, _ := time.LoadLocation("Asia/Urumqi")
	if d := v.Deadlines; !d.Notice.Equal(time.Date(2043, 8, 10, 23, 59, 59, 0, urumqi)) || d.PublicityPeriod != "7d" || d.TimeZone != "Asia/Urumqi" {
		t.Fatalf("R14: %+v", d)
	}
}
