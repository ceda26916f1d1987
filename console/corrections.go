package console

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// The administrator's corrections of a running campaign (R13): the amendment form and
// the reinstatement of a forfeited prefecture, both on the admin page.

// amendable reports whether the correction form applies (a deadline is still ahead, as
// the read model knows it; the workflow has the last word) and which prefectures a
// reinstatement can give back (only before the recommendation deadline).
func amendable(cv readmodel.CampaignView) (bool, []readmodel.Prefecture) {
	now := time.Now()
	var forfeited []readmodel.Prefecture
	if cv.Phase == domain.PhaseOpen {
		for _, p := range cv.Prefectures {
			if p.Status == domain.PrefectureForfeited {
				forfeited = append(forfeited, p)
			}
		}
	}
	return cv.Phase == domain.PhaseOpen || (cv.Phase != domain.PhaseClosed && now.Before(cv.Deadlines.Notice.Add(time.Second))), forfeited
}

// formDeadline turns the form's deadline into what the API reads (R14): a date stays a
// date (the whole day in the campaign's zone); a date and time without an offset is read
// in the console's zone; empty leaves the deadline as it is.
func formDeadline(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if _, err := time.Parse("2006-01-02", s); err == nil {
		return s, nil
	}
	if _, err := time.Parse(time.RFC3339, s); err == nil {
		return s, nil
	}
	t, err := parseLocal(s)
	if err != nil {
		return "", fmt.Errorf("%q is neither a date (2016-08-05) nor a date and time (2016-08-05T23:59:59)", s)
	}
	return t.Format(time.RFC3339), nil
}

// parseScoreCorrections reads "520328=88" pairs; "520328=" (nothing after the sign)
// strikes the county's national score.
func parseScoreCorrections(s string) (map[string]*float64, error) {
	out := map[string]*float64{}
	for _, f := range splitList(s) {
		code, score, ok := strings.Cut(strings.ReplaceAll(f, ":", "="), "=")
		if !ok {
			return nil, fmt.Errorf("national score %q must look like 520328=88 (or 520328= to strike it)", f)
		}
		if score == "" {
			out[code] = nil
			continue
		}
		v, err := strconv.ParseFloat(score, 64)
		if err != nil {
			return nil, fmt.Errorf("national score %q: %q is not a number", f, score)
		}
		out[code] = &v
	}
	return out, nil
}

// amend sends the correction form as one amendment (R13).
func (c *console) amend(r *request) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/campaigns/%d/admin", year)
	ec := r.ec
	refuse := func(err error) error {
		c.setFlash(ec, flash{Kind: "error", Err: badPath("%v", err)})
		return ec.Redirect(http.StatusSeeOther, back+"#corrections")
	}
	rec, err := formDeadline(ec.FormValue("recommendation_deadline"))
	if err != nil {
		return refuse(fmt.Errorf("recommendation deadline: %w", err))
	}
	notice, err := formDeadline(ec.FormValue("notice_deadline"))
	if err != nil {
		return refuse(fmt.Errorf("notice deadline: %w", err))
	}
	scores, err := parseScoreCorrections(ec.FormValue("national_scores"))
	if err != nil {
		return refuse(err)
	}
	body := map[string]any{"reason": strings.TrimSpace(ec.FormValue("reason"))}
	if rec != "" {
		body["recommendation_deadline"] = rec
	}
	if notice != "" {
		body["notice_deadline"] = notice
	}
	if len(scores) > 0 {
		body["national_scores"] = scores
	}
	if add := splitList(ec.FormValue("excluded_add")); len(add) > 0 {
		body["excluded_add"] = add
	}
	if remove := splitList(ec.FormValue("excluded_remove")); len(remove) > 0 {
		body["excluded_remove"] = remove
	}
	return c.act(r, back, call{method: http.MethodPost, path: fmt.Sprintf("/campaigns/%d/amendments", year), body: body}, "flash.amended")
}

// reinstate gives a forfeited prefecture back its filing and its cases (R13).
func (c *console) reinstate(r *request) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	code, err := r.code("code")
	if err != nil {
		return err
	}
	return c.act(r, fmt.Sprintf("/campaigns/%d/admin", year),
		call{method: http.MethodPost, path: fmt.Sprintf("/campaigns/%d/prefectures/%s/reinstate", year, code),
			body: map[string]string{"reason": strings.TrimSpace(r.ec.FormValue("reason"))}}, "flash.reinstated", code)
}
