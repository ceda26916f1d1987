package console

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
)

// createForm holds the create-campaign form's fields as typed, so a refused form comes
// back filled in.
type createForm struct {
	Year int
	// FromYear copies that year's closed campaign (0: none): the fields left empty take
	// its configuration and its designated counties are excluded (R1, R2).
	FromYear       int
	Quota          int
	Cap            int
	Recommendation string // datetime-local, Beijing time
	Notice         string
	Publicity      string
	Excluded       string
	National       string
	// Edition, Department and Contact left empty take the province's reference data
	// (R1, R2); Editions and Defaults show what that is.
	Edition    string
	Department string
	Contact    string
	Editions   []string
	Defaults   domain.Province
}

// defaultCreateForm proposes the 2016 notice's numbers and calendar (R1) for a year.
func (c *console) defaultCreateForm(r *request, year int) *createForm {
	return c.withReference(r, &createForm{Year: year, Quota: 12, Cap: 2,
		Recommendation: fmt.Sprintf("%d-08-01T23:59:59", year), Notice: fmt.Sprintf("%d-08-10T23:59:59", year),
		Publicity: "168h"})
}

// withReference adds the province's editions and notice defaults the form offers.
func (c *console) withReference(r *request, f *createForm) *createForm {
	f.Editions = domain.Editions(r.province)
	f.Defaults, _ = domain.ProvinceOf(r.province)
	return f
}

const localLayout = "2006-01-02T15:04:05"

func parseLocal(s string) (time.Time, error) {
	for _, layout := range []string{localLayout, "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), displayZone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date and time (YYYY-MM-DDTHH:MM[:SS])", s)
}

var listSeparators = regexp.MustCompile(`[\s,，、;；]+`)

func splitList(s string) []string {
	var out []string
	for _, f := range listSeparators.Split(strings.TrimSpace(s), -1) {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseScores reads "520328=86.5" pairs (also "520328:86.5"), separated by lines,
// commas or spaces.
func parseScores(s string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, f := range splitList(s) {
		code, score, ok := strings.Cut(strings.ReplaceAll(f, ":", "="), "=")
		if !ok {
			return nil, fmt.Errorf("national score %q must look like 520328=86.5", f)
		}
		v, err := strconv.ParseFloat(score, 64)
		if err != nil {
			return nil, fmt.Errorf("national score %q: %q is not a number", f, score)
		}
		out[code] = v
	}
	return out, nil
}

func (c *console) createCampaign(r *request) error {
	if err := r.requireUser(); err != nil {
		return err
	}
	ec := r.ec
	f := createForm{Recommendation: ec.FormValue("recommendation_deadline"), Notice: ec.FormValue("notice_deadline"),
		Publicity: strings.TrimSpace(ec.FormValue("publicity_period")), Excluded: ec.FormValue("excluded"), National: ec.FormValue("national_scores"),
		Edition: strings.TrimSpace(ec.FormValue("edition")), Department: strings.TrimSpace(ec.FormValue("department")), Contact: strings.TrimSpace(ec.FormValue("contact"))}
	c.withReference(r, &f)
	f.Year, _ = strconv.Atoi(ec.FormValue("year"))
	f.FromYear, _ = strconv.Atoi(strings.TrimSpace(ec.FormValue("from_year")))
	f.Quota, _ = strconv.Atoi(ec.FormValue("quota"))
	f.Cap, _ = strconv.Atoi(ec.FormValue("prefecture_cap"))
	refuse := func(ae *apiclient.Error) error {
		return c.render(r, httpStatus(ae), "admin", pageOpts{title: "admin.title", titleArgs: []any{f.Year}, err: ae,
			self: fmt.Sprintf("/campaigns/%d/admin", f.Year), year: f.Year}, adminView{Create: &f})
	}
	if f.Year < 1000 || f.Year > 9999 {
		return refuse(badPath("year %q must be a four-digit year", ec.FormValue("year")))
	}
	rec, err := f.deadline(f.Recommendation)
	if err != nil {
		return refuse(badPath("recommendation deadline: %v", err))
	}
	notice, err := f.deadline(f.Notice)
	if err != nil {
		return refuse(badPath("notice deadline: %v", err))
	}
	scores, err := parseScores(f.National)
	if err != nil {
		return refuse(badPath("%v", err))
	}
	excluded := splitList(f.Excluded)
	if excluded == nil && f.FromYear == 0 {
		excluded = []string{}
	}
	// Fields left empty are zero, which apiclient leaves out of the body: with from_year
	// the API copies them from that year, without it they are refused or defaulted as
	// always (an empty exclusion list is sent as such unless it is to be copied).
	_, err = c.client(r).CreateCampaign(r.formCtx(), api.CreateCampaignRequest{
		Year: f.Year, Province: r.province, Quota: f.Quota, PrefectureCap: f.Cap,
		RecommendationDeadline: rec, NoticeDeadline: notice,
		PublicityPeriod: f.Publicity, Excluded: excluded, NationalScores: scores,
		Edition: f.Edition, Department: f.Department, Contact: f.Contact, FromYear: f.FromYear,
	})
	admin := fmt.Sprintf("/campaigns/%d/admin", f.Year)
	if ae, ok := apiclient.AsError(err); ok && ae.Status != http.StatusUnauthorized {
		if ae.Status == http.StatusConflict {
			c.setFlash(ec, flash{Kind: "error", Err: ae})
			return ec.Redirect(http.StatusSeeOther, admin)
		}
		return refuse(ae)
	}
	if err != nil {
		return err
	}
	c.setFlash(ec, flash{Kind: "ok", Key: "flash.campaign_created", Args: []string{strconv.Itoa(f.Year)}})
	return ec.Redirect(http.StatusSeeOther, admin)
}

// deadline reads a deadline field as RFC 3339 for the API. Left empty in a copy
// (FromYear), it is left to the API, which moves the source's deadline on a year.
func (f *createForm) deadline(s string) (string, error) {
	if f.FromYear != 0 && strings.TrimSpace(s) == "" {
		return "", nil
	}
	t, err := parseLocal(s)
	if err != nil {
		return "", err
	}
	return t.Format(time.RFC3339), nil
}
