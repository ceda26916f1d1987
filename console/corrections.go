package console

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
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
	// What the form leaves empty stays absent (nil, sent as null): the API tells a
	// correction of the lists from none by that, on a closed campaign (R13).
	req := api.AmendmentRequest{
		Reason: strings.TrimSpace(ec.FormValue("reason")), RecommendationDeadline: rec, NoticeDeadline: notice,
		ExcludedAdd: splitList(ec.FormValue("excluded_add")), ExcludedRemove: splitList(ec.FormValue("excluded_remove")),
	}
	if len(scores) > 0 {
		req.NationalScores = scores
	}
	return c.act(r, back, func(ctx context.Context, cl *apiclient.Client) error {
		return errOnly(cl.Amend(ctx, year, req))
	}, "flash.amended")
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
	req := api.ReasonRequest{Reason: strings.TrimSpace(r.ec.FormValue("reason"))}
	return c.act(r, fmt.Sprintf("/campaigns/%d/admin", year), func(ctx context.Context, cl *apiclient.Client) error {
		return errOnly(cl.Reinstate(ctx, year, code, req))
	}, "flash.reinstated", code)
}
